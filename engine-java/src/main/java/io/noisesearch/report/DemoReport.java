package io.noisesearch.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import io.noisesearch.format.Json;
import io.noisesearch.format.OutputDirectory;
import io.noisesearch.metrics.Evaluator;
import io.noisesearch.search.SearchResult;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * What {@code noisesearch demo} found: per method, the verifier's mean score, the sample quality measured by the
 * evaluation network where there is one (accuracy of the requested class, Inception Score, FID, precision, recall)
 * and the compute spent, every search method held to one search budget. Written as {@code report.json} and
 * {@code report.md} beside {@code grid.png}.
 *
 * @param evaluator              the evaluation network; null (and no quality columns) where none measured
 * @param sameSeedsForEveryClass sample j of every class has seed {@code firstSeed + j}; else sample i, classes in
 *                               order, has seed {@code firstSeed + i}
 * @param searchSolver           the solver of every search iteration (e.g. {@code euler x10})
 * @param finalSolver            the solver of the returned sample of the methods that re-solve it
 * @param wallSeconds            the whole demo, model loading and evaluation included
 * @param notes                  what a reader must know to compare the rows fairly
 */
public record DemoReport(String model, String verifier, @JsonInclude(JsonInclude.Include.NON_NULL) String evaluator,
                         String backend, int classes, int perClass, long firstSeed, boolean sameSeedsForEveryClass,
                         long budgetNfe, String searchSolver, String finalSolver, double guidance, double wallSeconds,
                         List<Method> methods, List<String> notes) {

    /**
     * One method over its {@code classes x perClass} samples.
     *
     * @param winsOverNone share of samples whose verifier score beats the first method's (no search) on the same
     *                     (class, seed); null for that method itself
     * @param quality      the evaluation network's measures, written in line with the others; null where none
     * @param meanGflops   mean FLOPs per sample (denoiser and verifier), in units of 1e9
     * @param wallSeconds  all samples of the method, one after another
     */
    public record Method(String method, String configuration, int samples, long plannedSearchNfe, double meanScore,
                         double scoreStandardError, Double winsOverNone, @JsonUnwrapped Quality quality,
                         double meanSearchNfe, double meanFinalNfe, double meanTotalNfe, double meanGflops,
                         double wallSeconds, int budgetExhaustedRuns) {

        /**
         * The statistics of one method's results.
         *
         * @param none the first method's results in the same (class, seed) order; null for the first method
         */
        public static Method of(String name, String configuration, long plannedSearchNfe, List<SearchResult> results,
                                List<SearchResult> none, Quality quality, double wallSeconds) {
            int n = results.size();
            double mean = 0;
            for (SearchResult result : results) {
                mean += result.score();
            }
            mean /= n;
            double variance = 0;
            for (SearchResult result : results) {
                variance += (result.score() - mean) * (result.score() - mean);
            }
            double standardError = n > 1 ? Math.sqrt(variance / (n - 1) / n) : 0;
            return new Method(name, configuration, n, plannedSearchNfe, mean, standardError,
                    none == null ? null : winRate(results, none), quality,
                    average(results, r -> r.compute().searchNfe()), average(results, r -> r.compute().finalNfe()),
                    average(results, r -> r.compute().totalNfe()), average(results, r -> r.compute().flops()) / 1e9,
                    wallSeconds, (int) results.stream().filter(SearchResult::budgetExhausted).count());
        }

        /** Share of samples that beat the baseline on the same (class, seed): a paired view the means can hide. */
        private static double winRate(List<SearchResult> results, List<SearchResult> baseline) {
            int wins = 0;
            for (int i = 0; i < results.size(); i++) {
                wins += results.get(i).score() > baseline.get(i).score() ? 1 : 0;
            }
            return (double) wins / results.size();
        }

        private static double average(List<SearchResult> results, ToLongFunction<SearchResult> count) {
            return results.stream().mapToLong(count).average().orElse(0);
        }
    }

    /**
     * The evaluation network's measures of one method's samples.
     *
     * @param accuracy         share of samples the evaluation network recognises as the requested class
     * @param perClassAccuracy the same per class
     */
    public record Quality(double accuracy, double inceptionScore, double fid, double precision, double recall,
                          double[] perClassAccuracy) {

        public static Quality of(Evaluator.Evaluation e) {
            return new Quality(e.accuracy(), e.inceptionScore(), e.fid(), e.precision(), e.recall(),
                    e.perClassAccuracy());
        }
    }

    /** A column of the table: its header and a method's cell. */
    private record Column(String header, Function<Method, String> cell) {
    }

    public void write(OutputDirectory dir) throws IOException {
        dir.write("report.json", file -> Json.write(file, this));
        dir.write("report.md", file -> Files.writeString(file, markdown()));
    }

    /** The results as a Markdown table, padded so that it also reads well in a terminal. */
    public String table() {
        List<Column> columns = columns();
        List<String> header = columns.stream().map(Column::header).toList();
        List<List<String>> rows = methods.stream()
                .map(m -> columns.stream().map(c -> c.cell().apply(m)).toList())
                .toList();
        return ReportTable.render(header, rows);
    }

    /**
     * Planned search NFEs where some method plans past the budget, so that the cap shows beside what it spent; the
     * quality columns where measured.
     */
    private List<Column> columns() {
        List<Column> columns = new ArrayList<>();
        columns.add(new Column("method", Method::method));
        columns.add(new Column("configuration", Method::configuration));
        if (methods.stream().anyMatch(m -> m.plannedSearchNfe() > budgetNfe)) {
            columns.add(new Column("planned search NFEs", m -> Long.toString(m.plannedSearchNfe())));
        }
        String score = scoreFormat();
        columns.add(new Column("verifier score (± s.e.)", m -> format(score, m.meanScore(), m.scoreStandardError())));
        columns.add(new Column("beats none",
                m -> m.winsOverNone() == null ? "-" : format("%.0f%%", 100 * m.winsOverNone())));
        if (evaluator != null) {
            columns.add(new Column("accuracy", m -> format("%.1f%%", 100 * m.quality().accuracy())));
            columns.add(new Column("IS", m -> format("%.2f", m.quality().inceptionScore())));
            columns.add(new Column("FID", m -> format("%.1f", m.quality().fid())));
            columns.add(new Column("precision", m -> format("%.2f", m.quality().precision())));
            columns.add(new Column("recall", m -> format("%.2f", m.quality().recall())));
        }
        columns.add(new Column("search NFEs", m -> format("%.1f", m.meanSearchNfe())));
        columns.add(new Column("final NFEs", m -> format("%.1f", m.meanFinalNfe())));
        columns.add(new Column("total NFEs", m -> format("%.1f", m.meanTotalNfe())));
        columns.add(new Column("GFLOPs", m -> format("%.1f", m.meanGflops())));
        columns.add(new Column("wall s", m -> format("%.1f", m.wallSeconds())));
        return columns;
    }

    /**
     * Three decimals where they resolve every standard error (log-densities); significant digits otherwise, for
     * scores near 0 such as a confident classifier's log-probabilities.
     */
    private String scoreFormat() {
        boolean decimals = methods.stream().allMatch(m -> m.scoreStandardError() >= 1e-3);
        return decimals ? "%.3f ± %.3f" : "%.3g ± %.2g";
    }

    /** The whole report.md: setup, grid, table, notes. */
    public String markdown() {
        String seeds = sameSeedsForEveryClass
                ? format("sample j of every class with seed %d + j", firstSeed)
                : format("sample i with seed %d + i", firstSeed);
        String solvers = searchSolver.equals(finalSolver)
                ? format("every solve runs %s, and a search returns its winner as solved", searchSolver)
                : format("the search runs %s and the returned noise is re-solved with %s", searchSolver, finalSolver);
        String quality = evaluator == null ? ""
                : format(" Sample quality is measured by the evaluation network `%s` (never a verifier here).",
                        evaluator);
        StringBuilder md = new StringBuilder();
        md.append("# noisesearch demo\n\n");
        md.append(format("Model `%s`, verifier `%s`, backend `%s`, guidance %s: every class 0..%d, %d samples per"
                        + " class (%d per method), %s, the same seeds for every method. Every search method plans at"
                        + " least %d search NFEs and is capped there (`--budget-nfe`); %s.%s Whole demo: %.1f s.\n\n",
                model, verifier, backend, trim(guidance), classes - 1, perClass, classes * perClass, seeds, budgetNfe,
                solvers, quality, wallSeconds));
        md.append("![one sample per class and method](grid.png)\n\n");
        md.append("*grid.png: a row per method (in the table's order), a column per class, the first sample of each"
                + " class.*\n\n");
        md.append(table());
        md.append("\n");
        for (String note : notes) {
            md.append("- ").append(note).append('\n');
        }
        return md.toString();
    }

    private static String trim(double value) {
        return value == Math.rint(value) ? format("%.1f", value) : Double.toString(value);
    }

    private static String format(String pattern, Object... values) {
        return String.format(Locale.ROOT, pattern, values);
    }
}

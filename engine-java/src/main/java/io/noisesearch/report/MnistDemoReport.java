package io.noisesearch.report;

import io.noisesearch.format.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What {@code noisesearch demo} found on a trained image model: per method, the verifier's mean score, the sample
 * quality measured by the evaluation network (accuracy of the requested digit, Inception Score, FID, precision,
 * recall) and the compute spent, every method held to one search budget. Written as {@code report.json} and
 * {@code report.md} beside {@code grid.png}.
 *
 * @param searchSolver the solver of every search iteration (e.g. {@code euler x10})
 * @param finalSolver  the solver of the returned sample of none, random and zero-order
 * @param wallSeconds  the whole demo, model loading and evaluation included
 * @param notes        what a reader must know to compare the rows fairly
 */
public record MnistDemoReport(String model, String verifier, String evaluator, String backend, int classes,
                              int perClass, long firstSeed, long budgetNfe, String searchSolver, String finalSolver,
                              double guidance, double wallSeconds, List<Method> methods, List<String> notes) {

    /**
     * One method over its {@code classes x perClass} samples.
     *
     * @param winsOverNone     share of samples whose verifier score beats no search's on the same (class, seed)
     * @param accuracy         share of samples the evaluation network recognises as the requested class
     * @param perClassAccuracy the same per class
     * @param meanGflops       mean FLOPs per sample (denoiser and verifier), in units of 1e9
     * @param wallSeconds      all samples of the method, one after another
     */
    public record Method(String method, String configuration, int samples, long plannedSearchNfe, double meanScore,
                         double scoreStandardError, Double winsOverNone, double accuracy, double inceptionScore,
                         double fid, double precision, double recall, double[] perClassAccuracy,
                         double meanSearchNfe, double meanFinalNfe, double meanTotalNfe, double meanGflops,
                         double wallSeconds, int budgetExhaustedRuns) {
    }

    private static final List<String> HEADER = List.of("method", "configuration", "verifier score (± s.e.)",
            "beats none", "accuracy", "IS", "FID", "precision", "recall", "search NFEs", "final NFEs",
            "total NFEs", "GFLOPs", "wall s");

    /** The results as a Markdown table, padded so that it also reads well in a terminal. */
    public String table() {
        return ReportTable.render(HEADER, methods.stream().map(MnistDemoReport::row).toList());
    }

    public void write(Path dir) throws IOException {
        Json.write(dir.resolve("report.json"), this);
        Files.writeString(dir.resolve("report.md"), markdown());
    }

    /** The whole report.md: setup, table, notes. */
    public String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# noisesearch demo\n\n");
        md.append(format("Model `%s`, verifier `%s`, backend `%s`, guidance %s: every digit 0..%d, %d samples per"
                        + " digit (%d per method), sample i with seed %d + i, the same seeds for every method. Every"
                        + " search method plans at least %d search NFEs and is capped there (`--budget-nfe`); the"
                        + " search runs %s and the returned noise is re-solved with %s. Sample quality is measured"
                        + " by the evaluation network `%s` (never a verifier here). Whole demo: %.1f s.\n\n",
                model, verifier, backend, trim(guidance), classes - 1, perClass, classes * perClass, firstSeed,
                budgetNfe, searchSolver, finalSolver, evaluator, wallSeconds));
        md.append("![one sample per digit and method](grid.png)\n\n");
        md.append("*grid.png: a row per method (in the table's order), a column per digit, the first sample of each"
                + " digit.*\n\n");
        md.append(table());
        md.append("\n");
        for (String note : notes) {
            md.append("- ").append(note).append('\n');
        }
        return md.toString();
    }

    private static List<String> row(Method m) {
        return List.of(m.method(), m.configuration(),
                format("%.3g ± %.2g", m.meanScore(), m.scoreStandardError()),
                m.winsOverNone() == null ? "-" : format("%.0f%%", 100 * m.winsOverNone()),
                format("%.1f%%", 100 * m.accuracy()), format("%.2f", m.inceptionScore()), format("%.1f", m.fid()),
                format("%.2f", m.precision()), format("%.2f", m.recall()), format("%.1f", m.meanSearchNfe()),
                format("%.1f", m.meanFinalNfe()), format("%.1f", m.meanTotalNfe()), format("%.1f", m.meanGflops()),
                format("%.1f", m.wallSeconds()));
    }

    private static String trim(double value) {
        return value == Math.rint(value) ? format("%.1f", value) : Double.toString(value);
    }

    private static String format(String pattern, Object... values) {
        return String.format(Locale.ROOT, pattern, values);
    }
}

package io.noisesearch.report;

import io.noisesearch.format.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What {@code noisesearch demo} found: per method, the mean oracle score over every (class, seed) and the compute
 * it took, all methods held to one search budget. Written as {@code report.json} and {@code report.md}.
 */
public record DemoReport(String model, String verifier, String backend, long budgetNfe, int classes,
                         int seedsPerClass, List<MethodSummary> methods) {

    /**
     * One method over all runs.
     *
     * @param winsOverNone fraction of runs whose score beats no search on the same (class, seed); null for none
     */
    public record MethodSummary(String method, String configuration, long plannedSearchNfe, int runs,
                                double meanScore, double scoreStandardError, double meanSearchNfe,
                                double meanFinalNfe, double meanWallMillis, int budgetExhaustedRuns,
                                Double winsOverNone) {
    }

    private static final List<String> HEADER = List.of("method", "configuration", "planned search NFEs",
            "mean oracle score (± s.e.)", "mean search NFEs", "mean final NFEs", "mean wall ms", "beats none");

    /** The results as a Markdown table, padded so that it also reads well in a terminal. */
    public String table() {
        return ReportTable.render(HEADER, methods.stream().map(DemoReport::row).toList());
    }

    public void write(Path dir) throws IOException {
        Json.write(dir.resolve("report.json"), this);
        Files.writeString(dir.resolve("report.md"), markdown());
    }

    private String markdown() {
        return String.format(Locale.ROOT, """
                # noisesearch demo

                Model `%s`, verifier `%s`, backend `%s`: every class 0..%d, %d seeds per class (%d runs per method). \
                Every search method plans at least %d search NFEs and is capped there (`--budget-nfe`), so all \
                spend about the same search compute; no search spends none. Scores are the exact log-density of \
                the requested class (higher is better); "beats none" is the share of runs whose score is higher \
                than no search's on the same class and seed.

                %s""", model, verifier, backend, classes - 1, seedsPerClass, classes * seedsPerClass, budgetNfe,
                table());
    }

    private static List<String> row(MethodSummary m) {
        return List.of(m.method(), m.configuration(), Long.toString(m.plannedSearchNfe()),
                format("%.3f ± %.3f", m.meanScore(), m.scoreStandardError()), format("%.1f", m.meanSearchNfe()),
                format("%.1f", m.meanFinalNfe()), format("%.1f", m.meanWallMillis()),
                m.winsOverNone() == null ? "-" : format("%.0f%%", 100 * m.winsOverNone()));
    }

    private static String format(String pattern, Object... values) {
        return String.format(Locale.ROOT, pattern, values);
    }
}

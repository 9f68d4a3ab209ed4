package io.noisesearch.report;

import io.noisesearch.format.OutputDirectory;

import io.noisesearch.backend.Transfers;
import io.noisesearch.compute.Compute;
import io.noisesearch.model.BuiltinModels;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.search.SearchResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class DemoReportTest {

    private static final double[] PER_CLASS = {1, 1, 1, 1, 1, 1, 1, 1, 0.8, 1};

    /** A trained model's demo: measured by the evaluation network, scores near 0, no method plans past the budget. */
    private static final DemoReport TRAINED = new DemoReport("mnist-flow-s", "classifier", "mnist-eval", "host", 10,
            5, 0, false, 100, "euler x10", "euler x25", 1.0, 123.4, List.of(
            new DemoReport.Method("none", "one noise, euler x25", 50, 0, -0.25, 0.05, null,
                    new DemoReport.Quality(0.96, 9.1, 12.3, 0.8, 0.9, PER_CLASS), 0, 25, 25, 4.3, 7.5, 0),
            new DemoReport.Method("random", "N=10; search euler x10, final euler x25", 50, 100, -0.001, 0.0002, 0.9,
                    new DemoReport.Quality(1.0, 9.8, 15.6, 0.9, 0.7, PER_CLASS), 100, 25, 125, 21.7, 27.0, 50)),
            List.of("paths returns its searched sample."));

    /** The exact-mixture demo: no evaluation network, log-density scores, random planning past the budget. */
    private static final DemoReport MIXTURE = new DemoReport("gmm-image", "oracle", null, "host", 10, 2, 0, true, 352,
            "heun x10", "heun x10", 1.0, 3.0, List.of(
            new DemoReport.Method("none", "one noise, final solve only", 20, 0, -49.0, 5.1, null, null, 0, 19, 19,
                    0.002, 0.1, 0),
            new DemoReport.Method("random", "N=19", 20, 361, 69.1, 1.96, 0.99, null, 342, 0, 342, 0.036, 0.6, 20)),
            List.of());

    @Test
    void tableIsAlignedMarkdownWithOneRowPerMethod() {
        List<String> lines = TRAINED.table().lines().toList();

        assertThat(lines).hasSize(2 + 2);
        assertThat(lines).allSatisfy(line -> assertThat(line).startsWith("|").endsWith("|")
                .hasSameSizeAs(lines.getFirst()));
        assertThat(lines.get(1)).matches("[|\\- ]+");
        assertThat(lines.getFirst()).contains("accuracy", "IS", "FID", "precision", "recall", "total NFEs", "GFLOPs");
        assertThat(lines.get(2)).contains("| none ", "-0.250 ± 0.050", "| -  ", "96.0%", "9.10", "12.3", "25.0");
        assertThat(lines.get(3)).contains("| random ", "90%", "100.0%", "125.0", "21.7", "27.0");
    }

    @Test
    void qualityColumnsOnlyWhereTheEvaluationNetworkMeasured() {
        String header = MIXTURE.table().lines().findFirst().orElseThrow();

        assertThat(header).doesNotContain("accuracy", "FID", "precision").contains("verifier score", "beats none");
        assertThat(TRAINED.table().lines().findFirst().orElseThrow()).contains("accuracy", "FID");
    }

    @Test
    void plannedSearchNfesShowWhereAMethodPlansPastTheBudget() {
        assertThat(MIXTURE.table().lines().findFirst().orElseThrow()).contains("planned search NFEs");
        assertThat(MIXTURE.table().lines().toList().get(3)).contains("| 361 ");
        assertThat(TRAINED.table()).doesNotContain("planned search NFEs");
    }

    @Test
    void scoresShowThreeDecimalsWhereTheyResolveEveryStandardError() {
        assertThat(MIXTURE.table()).contains("-49.000 ± 5.100", "69.100 ± 1.960");
        assertThat(TRAINED.table()).contains("-0.250 ± 0.050", "-0.00100 ± 0.00020");
    }

    @Test
    void statisticsArePairedWithTheFirstMethodOnTheSameClassAndSeed() {
        List<SearchResult> none = List.of(result(0, 2), result(0, 2), result(1, 2), result(1, 2));
        List<SearchResult> searched = List.of(result(0, 1), result(0, 2), result(1, 3), result(1, 4));

        DemoReport.Method method = DemoReport.Method.of("random", "N=2", 38, searched, none, null, 1.5);
        DemoReport.Method baseline = DemoReport.Method.of("none", "one noise", 0, none, null, null, 0.5);

        assertThat(method.samples()).isEqualTo(4);
        assertThat(method.meanScore()).isEqualTo(2.5);
        // s.e. = sqrt(sum (x - mean)^2 / (n - 1) / n) = sqrt(5 / 3 / 4)
        assertThat(method.scoreStandardError()).isCloseTo(Math.sqrt(5.0 / 12), within(1e-12));
        assertThat(method.winsOverNone()).as("3 and 4 beat 2; 1 and 2 do not").isEqualTo(0.5);
        assertThat(baseline.winsOverNone()).isNull();
        assertThat(baseline.scoreStandardError()).isZero();
        assertThat(method.meanSearchNfe()).isEqualTo(38);
        assertThat(method.meanTotalNfe()).isEqualTo(38 + 19);
        assertThat(method.meanGflops()).isEqualTo(2.0);
        assertThat(method.budgetExhaustedRuns()).isEqualTo(2);
    }

    @Test
    void writesJsonAndMarkdown(@TempDir Path dir) throws IOException {
        try (OutputDirectory out = OutputDirectory.open(dir, "--out")) {
            TRAINED.write(out);
        }

        assertThat(dir.resolve("report.md")).content().contains("# noisesearch demo", "`mnist-flow-s`",
                "`classifier`", "(50 per method)", "grid.png", "euler x10", "`mnist-eval`", "sample i with seed 0 + i",
                "- paths returns its searched sample.");
        assertThat(dir.resolve("report.json")).content().contains("\"fid\" : 15.6", "\"winsOverNone\" : null",
                "\"perClassAccuracy\"", "\"notes\"");
    }

    @Test
    void unmeasuredReportsWriteNoQuality(@TempDir Path dir) throws IOException {
        try (OutputDirectory out = OutputDirectory.open(dir, "--out")) {
            MIXTURE.write(out);
        }

        assertThat(dir.resolve("report.md")).content().contains("`gmm-image`", "(20 per method)",
                "sample j of every class with seed 0 + j").doesNotContain("evaluation network");
        assertThat(dir.resolve("report.json")).content().contains("\"meanScore\" : 69.1", "\"winsOverNone\" : null")
                .doesNotContain("\"evaluator\"", "\"accuracy\"", "\"quality\"");
    }

    /** A result of class {@code label} with score {@code score}: 38 search NFEs, capped when it scores 3 or more. */
    private static SearchResult result(int label, float score) {
        SolverSettings heun = new SolverSettings(SolverKind.HEUN, 10);
        return new SearchResult(BuiltinModels.info("gmm-image"), label, "random", "oracle", List.of("oracle"), 0,
                new float[256], 0, List.of(0L), score, new float[] {score}, false, score >= 3, 38, heun, heun, 1.0,
                new Compute(38, 19, 57, 2_000_000_000L, 2, 1, 1, 0), List.of(), "host", Transfers.NONE);
    }
}

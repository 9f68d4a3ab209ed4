package io.noisesearch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.noisesearch.model.BuiltinModels;
import io.noisesearch.model.ModelInfo;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.search.PathSearch;
import io.noisesearch.search.RandomSearch;
import io.noisesearch.search.ZeroOrderSearch;
import io.noisesearch.search.SearchAlgorithm;
import io.noisesearch.search.SearchPlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo compares the methods at one search budget: on the trained mnist-flow-s (the default; the committed models
 * of tensorrt-plans/models) with metrics and a grid, and on gmm-image, where search beats no search exactly.
 */
class DemoCommandTest {

    private static final ModelInfo IMAGE = BuiltinModels.info(Demo.MIXTURE_MODEL);
    private static final SearchPlan PLAN = new SearchPlan(IMAGE.schedule(), IMAGE.defaultSolver());

    @ParameterizedTest
    @ValueSource(longs = {1, 19, 100, 352, 1000})
    void everySearchMethodIsTheSmallestOfItsFamilyThatPlansTheBudget(long budget) {
        List<SearchAlgorithm> methods = Demo.mixtureMethods(PLAN, budget).stream()
                .map(Demo.Method::algorithm)
                .toList();

        assertThat(methods).extracting(SearchAlgorithm::id).containsExactly("none", "random", "zero-order", "paths");
        assertThat(methods.getFirst().plannedSearchNfe(PLAN)).isZero();
        for (SearchAlgorithm method : methods.subList(1, methods.size())) {
            assertThat(method.plannedSearchNfe(PLAN)).as(method.toString()).isGreaterThanOrEqualTo(budget);
        }
        // Random search's family steps by one full solve, so it overshoots by less than one.
        assertThat(methods.get(1).plannedSearchNfe(PLAN)).isLessThan(budget + IMAGE.defaultSolver().fullNfe());
    }

    @Test
    void demoWritesTheReportAndSearchBeatsNoSearch(@TempDir Path out) throws IOException {
        CliRun run = CliRun.of("demo", "--model", "gmm-image", "--seeds-per-class", "2", "--budget-nfe", "200",
                "--out", out.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("| none ", "| random ", "| zero-order ", "| paths ");
        JsonNode report = CliRun.json(out.resolve("report.json"));
        JsonNode methods = report.path("methods");
        assertThat(methods).hasSize(4);
        double noSearch = methods.get(0).path("meanScore").asDouble();
        assertThat(methods.get(0).path("meanSearchNfe").asDouble()).isZero();
        for (int i = 1; i < methods.size(); i++) {
            JsonNode method = methods.get(i);
            assertThat(method.path("samples").asInt()).isEqualTo(10 * 2);
            assertThat(method.path("meanSearchNfe").asDouble()).as(method.path("method").asText())
                    .isLessThanOrEqualTo(200).isGreaterThan(200 - 2 * IMAGE.defaultSolver().fullNfe());
            assertThat(method.path("meanScore").asDouble()).as(method.path("method").asText())
                    .isGreaterThan(noSearch);
        }
        assertThat(report.has("evaluator")).as("no evaluation network for the exact mixture").isFalse();
        assertThat(methods.get(0).has("accuracy")).isFalse();
        assertThat(out.resolve("report.md")).content().contains("# noisesearch demo", "verifier score",
                "exact log-density", "grid.png");
        assertThat(out.resolve("grid.png")).exists();
    }

    private static final SolverSettings EULER_10 = new SolverSettings(SolverKind.EULER, 10);
    private static final SolverSettings EULER_25 = new SolverSettings(SolverKind.EULER, 25);

    @Test
    void trainedDemoSpendsOneSearchBudgetAndMoreStepsMatchesTheTotal() {
        // mnist-flow-s is a rectified flow, like gmm-image: the same schedule, so the same plan.
        SearchPlan plan = new SearchPlan(IMAGE.schedule(), EULER_10);

        List<Demo.Method> methods = Demo.trainedMethods(plan, EULER_25, 100);

        assertThat(methods).extracting(Demo.Method::name)
                .containsExactly("none", "more-steps", "random", "zero-order", "paths");
        assertThat(methods.get(0).finalSolver()).isEqualTo(EULER_25);
        assertThat(methods.get(1).finalSolver()).isEqualTo(new SolverSettings(SolverKind.EULER, 125));
        assertThat(methods.get(2).algorithm()).isEqualTo(new RandomSearch(10));
        assertThat(methods.get(3).algorithm()).isEqualTo(new ZeroOrderSearch(3, 3, 0.95, Double.NaN));
        assertThat(methods.get(4).algorithm()).isInstanceOf(PathSearch.class);
        // The defaults line up: every search method plans exactly the budget.
        for (Demo.Method method : methods.subList(2, 5)) {
            assertThat(method.algorithm().plannedSearchNfe(plan)).as(method.name()).isEqualTo(100);
            assertThat(method.finalSolver()).isEqualTo(EULER_25);
        }
        assertThat(Demo.lasting(SolverKind.HEUN, 125)).isEqualTo(new SolverSettings(SolverKind.HEUN, 63));
    }

    @Test
    void trainedDemoWritesGridReportAndTable(@TempDir Path out) throws IOException {
        CliRun run = CliRun.of("demo", "--models-dir", trainedModels().toString(), "--per-class", "1",
                "--budget-nfe", "24", "--search-steps", "4", "--steps", "6", "--out", out.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        for (String method : List.of("none", "more-steps", "random", "zero-order", "paths")) {
            assertThat(run.out()).contains("| " + method + " ");
        }
        JsonNode report = CliRun.json(out.resolve("report.json"));
        assertThat(report.path("model").asText()).isEqualTo("mnist-flow-s");
        assertThat(report.path("verifier").asText()).isEqualTo("classifier");
        JsonNode methods = report.path("methods");
        assertThat(methods).hasSize(5);
        for (JsonNode method : methods) {
            String name = method.path("method").asText();
            assertThat(method.path("samples").asInt()).as(name).isEqualTo(10);
            assertThat(method.path("meanSearchNfe").asDouble()).as(name).isLessThanOrEqualTo(24);
            assertThat(method.path("accuracy").asDouble()).as(name).isBetween(0.0, 1.0);
            assertThat(method.path("fid").asDouble()).as(name).isFinite().isGreaterThan(-1e-6);
            assertThat(method.path("inceptionScore").asDouble()).as(name).isBetween(1.0 - 1e-6, 10.0 + 1e-6);
            assertThat(method.path("precision").asDouble()).as(name).isBetween(0.0, 1.0);
            assertThat(method.path("recall").asDouble()).as(name).isBetween(0.0, 1.0);
            assertThat(method.path("meanGflops").asDouble()).as(name).isPositive();
        }
        assertThat(methods.get(0).path("meanTotalNfe").asDouble()).isEqualTo(6);
        assertThat(methods.get(1).path("meanFinalNfe").asDouble()).isEqualTo(24 + 6);
        assertThat(methods.get(2).path("meanSearchNfe").asDouble()).isEqualTo(24);
        assertThat(methods.get(2).path("meanTotalNfe").asDouble()).isEqualTo(24 + 6);
        assertThat(out.resolve("report.md")).content().contains("# noisesearch demo", "grid.png", "mnist-eval",
                "| more-steps ", "no final solve");
        BufferedImage grid = ImageIO.read(out.resolve("grid.png").toFile());
        assertThat(grid.getWidth()).isEqualTo(10 * (28 * 2 + 2) - 2);
        assertThat(grid.getHeight()).isEqualTo(5 * (28 * 2 + 2) - 2);
    }

    @Test
    void gmmOnlyOptionsAreRefusedAndTrainedOnlyOptionsToo(@TempDir Path out) {
        CliRun run = CliRun.of("demo", "--model", "gmm-image", "--verifier", "classifier", "--out", out.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--verifier");

        CliRun other = CliRun.of("demo", "--model", "gmm-2d", "--out", out.toString());
        assertThat(other.exitCode()).isEqualTo(2);
        assertThat(other.err()).contains("gmm-image");
    }

    @Test
    void aBudgetLongerThanASolverTakesIsBadInput(@TempDir Path out) {
        CliRun run = CliRun.of("demo", "--budget-nfe", "3000000000000", "--models-dir", trainedModels().toString(),
                "--out", out.toString());
        assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
        assertThat(run.err()).contains("--budget-nfe").contains("more than a solver takes");
    }

    /** NOISESEARCH_MODELS where set, else the committed trained models (tensorrt-plans/models above here). */
    static Path trainedModels() {
        String configured = System.getenv("NOISESEARCH_MODELS");
        if (configured != null) {
            return Path.of(configured);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("tensorrt-plans/models");
            if (Files.isRegularFile(candidate.resolve("mnist-flow-s/model.onnx"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("tensorrt-plans/models/mnist-flow-s/model.onnx not found above "
                + Path.of("").toAbsolutePath() + ": the trained models are committed; run scripts/train-all");
    }
}

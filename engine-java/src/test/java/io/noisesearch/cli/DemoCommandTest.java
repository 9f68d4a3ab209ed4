package io.noisesearch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.noisesearch.model.BuiltinModels;
import io.noisesearch.model.ModelInfo;
import io.noisesearch.search.SearchAlgorithm;
import io.noisesearch.search.SearchPlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo compares the methods at one search budget, and search beats no search. */
class DemoCommandTest {

    private static final ModelInfo IMAGE = BuiltinModels.info(Demo.MODEL);
    private static final SearchPlan PLAN = new SearchPlan(IMAGE.schedule(), IMAGE.defaultSolver());

    @ParameterizedTest
    @ValueSource(longs = {1, 19, 100, 352, 1000})
    void everySearchMethodIsTheSmallestOfItsFamilyThatPlansTheBudget(long budget) {
        var methods = Demo.methods(PLAN, budget);

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
        CliRun run = CliRun.of("demo", "--seeds-per-class", "2", "--budget-nfe", "200", "--out", out.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("| none ", "| random ", "| zero-order ", "| paths ");
        JsonNode report = CliRun.json(out.resolve("report.json"));
        JsonNode methods = report.path("methods");
        assertThat(methods).hasSize(4);
        double noSearch = methods.get(0).path("meanScore").asDouble();
        assertThat(methods.get(0).path("meanSearchNfe").asDouble()).isZero();
        for (int i = 1; i < methods.size(); i++) {
            JsonNode method = methods.get(i);
            assertThat(method.path("runs").asInt()).isEqualTo(10 * 2);
            assertThat(method.path("meanSearchNfe").asDouble()).as(method.path("method").asText())
                    .isLessThanOrEqualTo(200).isGreaterThan(200 - 2 * IMAGE.defaultSolver().fullNfe());
            assertThat(method.path("meanScore").asDouble()).as(method.path("method").asText())
                    .isGreaterThan(noSearch);
        }
        assertThat(out.resolve("report.md")).content().contains("# noisesearch demo", "mean oracle score");
    }
}

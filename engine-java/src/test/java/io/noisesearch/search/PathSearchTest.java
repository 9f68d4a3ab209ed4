package io.noisesearch.search;

import io.noisesearch.backend.Batch;
import io.noisesearch.compute.ComputeMeter;
import io.noisesearch.schedule.Schedule;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PathSearchTest extends EngineFixture {

    /**
     * The closed formula of docs/architecture.md, with R = ceil(sigma / (db - df)) rounds and I = round((1 - sigma) S)
     * initial steps. Euler: N I + N M (R (L + 1) - 1). Heun: N 2I + N M (R (2L + 1) - 2): every segment above 0
     * costs 2L plus the x-prediction, the last one 2L - 1 and no x-prediction.
     */
    private static long closedForm(SolverKind kind, int steps, int n, int m, double sigma, double df, double db,
                                   int l) {
        long rounds = (long) Math.ceil(sigma / (db - df) - 1e-9);
        long initial = Math.max(1, Math.round((1 - sigma) * steps));
        return kind == SolverKind.EULER
                ? n * initial + (long) n * m * (rounds * (l + 1) - 1)
                : n * 2 * initial + (long) n * m * (rounds * (2L * l + 1) - 2);
    }

    @Test
    void nfeAccountingEqualsTheClosedFormula() {
        Object[][] cases = {
                {SolverKind.EULER, 10, 2, 2, 0.4, 0.05, 0.1, 2},
                {SolverKind.HEUN, 10, 2, 3, 0.4, 0.05, 0.1, 2},
                {SolverKind.HEUN, 20, 4, 2, 0.5, 0.1, 0.3, 3},
                {SolverKind.EULER, 16, 3, 4, 0.25, 0.02, 0.09, 1},
        };
        for (Object[] c : cases) {
            SolverKind kind = (SolverKind) c[0];
            int steps = (int) c[1];
            PathSearch paths = new PathSearch((int) c[2], (int) c[3], (double) c[4], (double) c[5], (double) c[6],
                    (int) c[7]);
            SolverSettings solver = new SolverSettings(kind, steps);
            SearchResult result = engine.search(SearchRequest.of("gmm-image", 5, paths, "oracle", 2)
                    .withSolvers(solver, solver));
            long expected = closedForm(kind, steps, paths.paths(), paths.width(), paths.searchStart(),
                    paths.forwardStep(), paths.backwardStep(), paths.pathLength());
            assertThat(result.compute().searchNfe()).as("%s", paths).isEqualTo(expected);
            assertThat(result.searchNfePlanned()).as("%s", paths).isEqualTo(expected);
            assertThat(result.compute().finalNfe()).isZero();
            assertThat(result.trace().getLast().level()).isZero();
        }
    }

    @Test
    void beatsNoSearchOnTheOracleAtMatchedCost() {
        PathSearch paths = new PathSearch(2, 2, 0.4, 0.05, 0.1, 2);
        double pathMean = 0;
        double randomMean = 0;
        double singleMean = 0;
        int requests = 100;
        for (int seed = 0; seed < requests; seed++) {
            SearchResult searched = engine.search(SearchRequest.of("gmm-image", seed % 10, paths, "oracle", seed));
            int matched = (int) (searched.compute().searchNfe() / 19);
            pathMean += searched.score() / requests;
            randomMean += engine.search(SearchRequest.of("gmm-image", seed % 10, new RandomSearch(matched), "oracle",
                    seed)).score() / requests;
            singleMean += engine.search(SearchRequest.of("gmm-image", seed % 10, new RandomSearch(1), "oracle",
                    seed)).score() / requests;
        }
        assertThat(pathMean).as("paths %.2f vs random N=1 %.2f (random at matched NFEs %.2f)", pathMean, singleMean,
                randomMean).isGreaterThan(singleMean);
    }

    @Test
    void backwardStepMustExceedForwardStep() {
        assertThatThrownBy(() -> new PathSearch(2, 2, 0.4, 0.1, 0.1, 2))
                .hasMessageContaining("--backward-step");
    }

    @Test
    void budgetStopsBetweenRoundsAndTheBestPathIsCompleted() {
        PathSearch paths = new PathSearch(2, 2, 0.4, 0.05, 0.1, 2);
        SearchResult full = engine.search(SearchRequest.of("gmm-image", 1, paths, "oracle", 4));
        long budget = full.compute().searchNfe() / 2;
        SearchResult capped = engine.search(SearchRequest.of("gmm-image", 1, paths, "oracle", 4).withBudget(budget));
        assertThat(capped.budgetExhausted()).isTrue();
        assertThat(capped.compute().searchNfe()).isLessThanOrEqualTo(budget);
        assertThat(capped.compute().finalNfe()).isPositive();
        assertThat(capped.sample()).hasSize(256);
        assertThat(capped.trace().getLast().level()).isPositive();
    }

    /**
     * Stopped before its first round, the search returns its first path solved to sigma and completed from there at
     * the rounds' step density (L steps per db: 8 Heun steps from 0.4), not in the search solver's 2 steps, whose
     * last one lands on the x-prediction, a posterior mean that the oracle rates far above any sample.
     */
    @Test
    void aSearchStoppedBeforeItsFirstRoundCompletesItsFirstPathAtTheRoundsStepDensity() {
        SolverSettings heun5 = new SolverSettings(SolverKind.HEUN, 5);
        PathSearch paths = new PathSearch(2, 2, 0.4, 0.05, 0.1, 2);
        // Two initial solves of 3 Heun steps (6 NFEs each) fit; the first round's 4 x (4 + 1) NFEs do not.
        SearchResult capped = engine.search(request(paths, 3, 7, heun5, heun5).withBudget(20));
        assertThat(capped.compute().searchNfe()).isEqualTo(12);
        assertThat(capped.compute().finalNfe()).isEqualTo(heun5.nfe(8, 0));
        assertThat(paths.completionSteps(0.4)).isEqualTo(8);
        try (Contexts contexts = new Contexts()) {
            SearchContext context = contexts.open("gmm-image", "oracle", 3, 7,
                    engine.model("gmm-image").info().defaultGuidance(), heun5, 1, new ComputeMeter());
            Schedule schedule = context.info().schedule();
            Batch x = context.allocate(1);
            context.drawNoise(x, SearchContext.key(Stage.PATHS_INITIAL, 0, 0));
            context.solve(x, schedule.grid(1, 0.4, 3), heun5, null);
            context.solve(x, schedule.grid(0.4, 0, 8), heun5, null);
            assertThat(capped.sample()).containsExactly(context.download(x));
        }
    }

    /**
     * Cut by its budget, the search's mean oracle log-density does not exceed the completed search's: more rounds
     * select more. With the search solver's density, the cut completions were posterior means and scored higher.
     */
    @Test
    void aBudgetCutSearchDoesNotOutscoreTheCompletedOne() {
        SolverSettings heun5 = new SolverSettings(SolverKind.HEUN, 5);
        PathSearch paths = new PathSearch(8, 2, 0.4, 0.05, 0.1, 2);
        int requests = 40;
        double cut = 0;
        double completed = 0;
        for (int seed = 0; seed < requests; seed++) {
            SearchResult cutResult = engine.search(request(paths, seed % 10, seed, heun5, heun5).withBudget(256));
            assertThat(cutResult.budgetExhausted()).isTrue();
            cut += cutResult.score() / requests;
            completed += engine.search(request(paths, seed % 10, seed, heun5, heun5)).score() / requests;
        }
        assertThat(cut).as("cut at 256 NFEs %.2f vs completed %.2f", cut, completed).isLessThan(completed);
    }
}

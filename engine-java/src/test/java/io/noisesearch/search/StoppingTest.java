package io.noisesearch.search;

import io.noisesearch.InvalidRequestException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Stopping rules on every algorithm: a rule fires at the evaluation its definition names in the scores the search
 * produces without rules, the search stops at its next unit of work, and the result is the one the same search returns
 * under the budget of the work it completed; the result says which rule ended it.
 */
class StoppingTest extends EngineFixture {

    private static final List<SearchAlgorithm> ALGORITHMS = List.of(new RandomSearch(40),
            new ZeroOrderSearch(6, 8, 0.9, Double.NaN), new PathSearch(4, 3, 0.5, 0.05, 0.1, 2),
            new PruneSearch(40, List.of(0.7, 0.4), 3), new BeamSearch(4, 3, List.of(0.7, 0.4), 0.9, "bfs", Double.NaN),
            new EvolutionSearch(List.of(10, 6, 6, 6, 6, 6), 5, 2, 0.85, 0.97));

    private static SearchRequest request(SearchAlgorithm algorithm, long seed) {
        return SearchRequest.of("gmm-image", 3, algorithm, "oracle", seed).withSolvers(HEUN_10, null).withBatchSize(8);
    }

    /** Every candidate the search scored, in the order it scored them (evolution's elites are not scored again). */
    static float[] evaluations(SearchResult result) {
        List<Float> scores = new ArrayList<>();
        boolean evolution = result.algorithm().equals("evolution");
        for (TraceEntry entry : result.trace()) {
            // A later generation's pool is its elites (the best of the one before, not scored again), then its mutants.
            int from = evolution && entry.iteration() > 0 ? entry.keys().length - mutants(entry) : 0;
            for (int i = from; i < entry.scores().length; i++) {
                scores.add(entry.scores()[i]);
            }
        }
        float[] out = new float[scores.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = scores.get(i);
        }
        return out;
    }

    /** A generation's mutants: the keys of its own stage (its elites carry keys of earlier generations). */
    private static int mutants(TraceEntry entry) {
        int count = 0;
        for (long key : entry.keys()) {
            if (SearchContext.key(Stage.EVOLUTION, entry.iteration(), 0) >>> 32 == key >>> 32) {
                count++;
            }
        }
        return count;
    }

    private static long firstAtLeast(float[] scores, double target) {
        for (int i = 0; i < scores.length; i++) {
            if (scores[i] >= target) {
                return i;
            }
        }
        return -1;
    }

    private static void assertSameAsBudgeted(SearchAlgorithm algorithm, SearchRequest request, SearchResult stopped,
                                             String what) {
        SearchResult budgeted = engine.search(request.withStop(StopRules.NONE)
                .withBudget(DeadlineTest.completedBudget(algorithm, stopped)));
        assertThat(stopped.key()).as(what).isEqualTo(budgeted.key());
        assertThat(stopped.lineage()).as(what).isEqualTo(budgeted.lineage());
        assertThat(stopped.score()).as(what).isEqualTo(budgeted.score());
        assertThat(stopped.sample()).as(what).containsExactly(budgeted.sample());
        assertThat(stopped.trace()).as(what).hasSameSizeAs(budgeted.trace());
        long spent = budgeted.compute().searchNfe();
        if (algorithm instanceof RandomSearch) {
            // Random search stops inside its solver batch: the rest of that batch (8 rows here) was solved.
            assertThat(stopped.compute().searchNfe()).as(what).isBetween(spent, spent + 7 * HEUN_10.fullNfe());
        } else {
            assertThat(stopped.compute().searchNfe()).as(what).isEqualTo(spent);
        }
    }

    @Test
    void aTargetStopsEveryAlgorithmAfterTheUnitWhereItWasReached() {
        for (SearchAlgorithm algorithm : ALGORITHMS) {
            for (long seed : new long[] {1, 2}) {
                SearchRequest request = request(algorithm, seed);
                SearchResult free = engine.search(request);
                assertThat(free.stoppedBy()).isEqualTo(StopReason.COMPLETED);
                float[] scores = evaluations(free);
                if (!(algorithm instanceof EvolutionSearch)) {
                    // Evolution's trace also lists its elites, which are not scored again.
                    assertThat(scores).hasSize((int) algorithm.plannedCandidates());
                }
                // A target met first in the first third of the evaluations: the best of that prefix.
                float target = scores[0];
                for (int i = 1; i < scores.length / 3; i++) {
                    target = Math.max(target, scores[i]);
                }
                long firedAt = firstAtLeast(scores, target);
                String what = algorithm.id() + " seed " + seed + " target " + target + " at " + firedAt;
                SearchResult stopped = engine.search(request.withStop(new StopRules(target, 0, 0)));
                assertThat(stopped.stoppedBy()).as(what).isEqualTo(StopReason.TARGET);
                assertThat(stopped.budgetExhausted()).as(what).isFalse();
                float[] seen = evaluations(stopped);
                assertThat(seen.length).as(what).isGreaterThan((int) firedAt);
                assertThat(Arrays.copyOf(seen, (int) firedAt + 1)).as(what)
                        .containsExactly(Arrays.copyOf(scores, (int) firedAt + 1));
                if (algorithm instanceof RandomSearch) {
                    assertThat(seen).as(what).hasSize((int) firedAt + 1);
                }
                assertSameAsBudgeted(algorithm, request, stopped, what);
            }
        }
    }

    @Test
    void aPlateauStopsWherePatienceEvaluationsInARowDidNotImprove() {
        for (SearchAlgorithm algorithm : ALGORITHMS) {
            SearchRequest request = request(algorithm, 5);
            float[] scores = evaluations(engine.search(request));
            StopRules rules = new StopRules(Double.NaN, 4, 0.5);
            StopRules.Tracker reference = rules.tracker();
            for (float score : scores) {
                reference.observe(score);
            }
            String what = algorithm.id() + " plateau at " + reference.firedAt();
            SearchResult stopped = engine.search(request.withStop(rules));
            if (reference.firedAt() < 0) {
                assertThat(stopped.stoppedBy()).as(what).isEqualTo(StopReason.COMPLETED);
                continue;
            }
            assertThat(stopped.stoppedBy()).as(what).isEqualTo(StopReason.PLATEAU);
            if (algorithm instanceof RandomSearch) {
                assertThat(evaluations(stopped)).as(what).hasSize((int) reference.firedAt() + 1);
            }
            assertSameAsBudgeted(algorithm, request, stopped, what);
        }
    }

    @Test
    void aStoppedRandomSearchHasTheSameWinnerWhateverTheBatchSize() {
        SearchRequest request = request(new RandomSearch(60), 9);
        float[] scores = evaluations(engine.search(request));
        float target = Math.max(Math.max(scores[0], scores[1]), Math.max(scores[17], scores[30]));
        long firedAt = firstAtLeast(scores, target);
        SearchResult first = null;
        for (int batch : new int[] {1, 3, 8, 64, 256}) {
            SearchResult stopped = engine.search(request.withBatchSize(batch).withStop(new StopRules(target, 0, 0)));
            assertThat(stopped.trace().getFirst().keys()).as("batch " + batch).hasSize((int) firedAt + 1);
            // The rest of the solver batch in flight was solved: it is in the compute, never past the pool.
            assertThat(stopped.compute().searchNfe()).as("batch " + batch)
                    .isBetween((firedAt + 1) * HEUN_10.fullNfe(), 60 * HEUN_10.fullNfe());
            if (first == null) {
                first = stopped;
                continue;
            }
            assertThat(stopped.key()).isEqualTo(first.key());
            assertThat(stopped.score()).isEqualTo(first.score());
            assertThat(stopped.sample()).containsExactly(first.sample());
        }
    }

    @Test
    void theBudgetAndTheDeadlineAreNamedWhenTheyEndTheSearch() {
        SearchResult budgeted = engine.search(request(new RandomSearch(40), 1).withBudget(19 * 10));
        assertThat(budgeted.stoppedBy()).isEqualTo(StopReason.BUDGET);
        SearchResult whole = engine.search(request(new RandomSearch(4), 1));
        assertThat(whole.stoppedBy()).isEqualTo(StopReason.COMPLETED);
    }

    @Test
    void anEnsembleVerifierRefusesStoppingRulesInOneLine() {
        SearchRequest request = SearchRequest.of("gmm-image", 3, new RandomSearch(8), "ensemble:oracle,posterior", 1)
                .withStop(new StopRules(1.0, 0, 0));
        assertThatThrownBy(() -> engine.search(request)).isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("--stop-at-score: stopping rules read one score per candidate");
        assertThatThrownBy(() -> engine.search(request.withStop(new StopRules(Double.NaN, 3, 0))))
                .isInstanceOf(InvalidRequestException.class).hasMessageStartingWith("--stop-patience");
    }
}

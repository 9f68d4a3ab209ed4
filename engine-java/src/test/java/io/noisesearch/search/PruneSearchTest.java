package io.noisesearch.search;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import io.noisesearch.compute.ComputeMeter;
import io.noisesearch.noise.CandidateKeys;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.verify.Scores;
import io.noisesearch.verify.Verifier;
import io.noisesearch.verify.VerifierInput;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class PruneSearchTest extends EngineFixture {

    /**
     * Levels 1 = u_0 > cuts > u_C+1 = 0; n_0 = N, n_j+1 = ceil(n_j / keep); segment j has s_j = max(1, round((u_j -
     * u_j+1) S)) steps. Search NFEs: sum_j n_j (nfe(s_j) + 1 for the x-prediction above 0), nfe(s) = s for Euler and
     * DDIM, 2s for Heun above 0 and 2s - 1 for the segment that ends at 0.
     */
    private static long closedForm(SolverKind kind, int steps, int n, List<Double> cuts, int keep) {
        double[] levels = new double[cuts.size() + 2];
        levels[0] = 1;
        for (int i = 0; i < cuts.size(); i++) {
            levels[i + 1] = cuts.get(i);
        }
        long total = 0;
        long alive = n;
        for (int j = 0; j + 1 < levels.length; j++) {
            long s = Math.max(1, Math.round((levels[j] - levels[j + 1]) * steps));
            boolean last = j + 2 == levels.length;
            long segment = kind != SolverKind.HEUN ? s : last ? 2 * s - 1 : 2 * s;
            total += alive * (segment + (last ? 0 : 1));
            alive = (alive + keep - 1) / keep;
        }
        return total;
    }

    @Test
    void searchNfesEqualTheClosedFormula() {
        // 16 -> 4 -> 1 over 3 + 3 + 4 steps: Euler 16 (3 + 1) + 4 (3 + 1) + 4 = 84, Heun 16 7 + 4 7 + 7 = 147.
        PruneSearch prune = new PruneSearch(16, List.of(0.7, 0.4), 4);
        assertThat(engine.search(request(prune, 5, 2, EULER_10, EULER_10)).compute().searchNfe()).isEqualTo(84);
        assertThat(engine.search(request(prune, 5, 2, HEUN_10, HEUN_10)).compute().searchNfe()).isEqualTo(147);
        Object[][] cases = {
                {SolverKind.EULER, 10, 64, List.of(0.8, 0.6, 0.4), 4},
                {SolverKind.HEUN, 10, 7, List.of(0.5), 2},
                {SolverKind.HEUN, 20, 9, List.of(0.75, 0.5, 0.25), 3},
                {SolverKind.EULER, 6, 5, List.of(0.95, 0.9), 1},
                {SolverKind.DDIM, 12, 10, List.of(0.33), 4},
        };
        for (Object[] c : cases) {
            SolverKind kind = (SolverKind) c[0];
            SolverSettings solver = new SolverSettings(kind, (int) c[1]);
            @SuppressWarnings("unchecked")
            PruneSearch search = new PruneSearch((int) c[2], (List<Double>) c[3], (int) c[4]);
            SearchResult result = engine.search(request(search, 3, 7, solver, solver));
            long expected = closedForm(kind, solver.steps(), search.candidates(), search.pruneAt(), search.keep());
            assertThat(result.compute().searchNfe()).as("%s %s", search, solver).isEqualTo(expected);
            assertThat(result.searchNfePlanned()).as("%s %s", search, solver).isEqualTo(expected);
            assertThat(result.compute().finalNfe()).isZero();
            assertThat(result.finalReused()).isTrue();
            assertThat(result.budgetExhausted()).isFalse();
        }
    }

    @Test
    void eachCutAndTheFinalPickAreOneTraceEntryWithTheCandidatesAliveThere() {
        SearchResult result = engine.search(request(new PruneSearch(16, List.of(0.7, 0.4), 4), 2, 9, EULER_10,
                EULER_10));
        assertThat(result.trace()).extracting(TraceEntry::level).containsExactly(0.7, 0.4, 0.0);
        assertThat(result.trace()).extracting(e -> e.keys().length).containsExactly(16, 4, 1);
        assertThat(result.trace()).extracting(TraceEntry::iteration).containsExactly(1, 2, 3);
        TraceEntry first = result.trace().getFirst();
        int best = Scores.argmax(first.scores());
        assertThat(first.chosenKey()).isEqualTo(first.keys()[best]);
        // The survivors of a cut are its top ceil(n / keep), in candidate order.
        long[] topFour = Arrays.stream(Scores.top(first.scores(), 4)).sorted().mapToLong(i -> first.keys()[i])
                .toArray();
        assertThat(result.trace().get(1).keys()).containsExactly(topFour);
        assertThat(result.key()).isEqualTo(result.trace().getLast().chosenKey());
        assertThat(result.lineage()).containsExactly(result.key());
    }

    @Test
    void keepFactorOneIsBestOfNOverTheSameNoises() {
        try (Reference reference = new Reference()) {
            for (int seed = 0; seed < 6; seed++) {
                int label = seed % 10;
                for (List<Double> cuts : List.of(List.of(0.6, 0.3), List.of(0.5))) {
                    SearchResult pruned = engine.search(request(new PruneSearch(8, cuts, 1), label, seed, HEUN_10,
                            HEUN_10));
                    float[] scores = reference.bestOfN(label, seed, 8, HEUN_10);
                    int best = Scores.argmax(scores);
                    String what = "seed " + seed + ", cuts " + cuts;
                    assertThat(pruned.key()).as(what).isEqualTo(SearchContext.key(Stage.PRUNE, 0, best));
                    assertThat(pruned.score()).as(what).isCloseTo(scores[best], within(1e-3f));
                    assertThat(pruned.trace().getLast().scores()).as(what).containsExactly(scores, within(1e-3f));
                }
            }
        }
    }

    @Test
    void keysRegenerateTheWinnersNoise() {
        SolverSettings last = new SolverSettings(SolverKind.HEUN, 20);
        SearchResult result = engine.search(request(new PruneSearch(12, List.of(0.7, 0.4), 3), 4, 21,
                new SolverSettings(SolverKind.EULER, 6), last));
        assertThat(CandidateKeys.decode(result.key()).stage()).isEqualTo(Stage.PRUNE.code()).isEqualTo(6);
        assertThat(result.finalReused()).isFalse();
        assertThat(result.compute().finalNfe()).isEqualTo(39);
        try (Reference reference = new Reference()) {
            assertThat(result.sample()).containsExactly(reference.solve(4, 21, result.key(), last));
        }
    }

    @Test
    void aBudgetIsNeverExceededAndStopsAtTheLastCutThatFit() {
        PruneSearch prune = new PruneSearch(16, List.of(0.7, 0.4), 4);
        // Heun x10: 7 NFEs a candidate to each cut (6 + the x-prediction), 7 to 0 after the last.
        SearchResult firstCutOnly = engine.search(request(prune, 3, 8, HEUN_10, HEUN_10).withBudget(16 * 7 + 10));
        assertThat(firstCutOnly.budgetExhausted()).isTrue();
        assertThat(firstCutOnly.compute().searchNfe()).isEqualTo(16 * 7);
        assertThat(firstCutOnly.trace()).hasSize(1);
        assertThat(firstCutOnly.key()).isEqualTo(firstCutOnly.trace().getFirst().chosenKey());
        // The best of the cut is solved from its noise with the final solver: a full Heun x10 solve.
        assertThat(firstCutOnly.compute().finalNfe()).isEqualTo(19);
        assertThat(firstCutOnly.finalReused()).isFalse();

        SearchResult partial = engine.search(request(prune, 3, 8, HEUN_10, HEUN_10).withBudget(5 * 7 + 3));
        assertThat(partial.trace().getFirst().keys()).hasSize(5);
        assertThat(partial.compute().searchNfe()).isEqualTo(5 * 7);

        SearchResult starved = engine.search(request(prune, 3, 8, HEUN_10, HEUN_10).withBudget(6));
        SearchResult none = engine.search(SearchRequest.of("gmm-image", 3, new NoSearch(), "oracle", 8));
        assertThat(starved.compute().searchNfe()).isZero();
        assertThat(starved.sample()).containsExactly(none.sample());

        SearchResult enough = engine.search(request(prune, 3, 8, HEUN_10, HEUN_10).withBudget(147));
        assertThat(enough.budgetExhausted()).isFalse();
        assertThat(enough.compute().searchNfe()).isEqualTo(147);
    }

    @Test
    void badValuesAreOneLineNamingTheOption() {
        assertThatThrownBy(() -> new PruneSearch(0, List.of(0.5), 2)).hasMessage("--candidates must be at least 1, got 0");
        assertThatThrownBy(() -> new PruneSearch(4, List.of(), 2)).hasMessage("--prune-at must name at least one level");
        assertThatThrownBy(() -> new PruneSearch(4, List.of(0.5, 1.0), 2))
                .hasMessage("--prune-at levels must lie in (0, 1), got 1.0");
        assertThatThrownBy(() -> new PruneSearch(4, List.of(Double.NaN), 2))
                .hasMessage("--prune-at levels must lie in (0, 1), got NaN");
        assertThatThrownBy(() -> new PruneSearch(4, List.of(0.4, 0.7), 2))
                .hasMessage("--prune-at levels must be strictly descending, got 0.7 after 0.4");
        assertThatThrownBy(() -> new PruneSearch(4, List.of(0.5, 0.5), 2))
                .hasMessageContaining("--prune-at").hasMessageContaining("descending");
        assertThatThrownBy(() -> new PruneSearch(4, List.of(0.5), 0)).hasMessage("--keep must be at least 1, got 0");
    }

    /** Captures at t = 0.5 and scores every candidate 0. */
    private record CapturesAtHalf() implements Verifier {
        @Override
        public String name() {
            return "captures-at-half";
        }

        @Override
        public long flopsPerSample() {
            return 0;
        }

        @Override
        public double captureTime() {
            return 0.5;
        }

        @Override
        public void score(Kernels kernels, VerifierInput input, float[][] out, int offset) {
            assertThat(input.captured()).isNotNull();
            Arrays.fill(out[0], offset, offset + input.samples().rows(), 0f);
        }
    }

    @Test
    void aCaptureTimeBelowTheFirstCutIsRefusedAndOneAboveItIsTakenFromTheFirstSegment() {
        SearchRequest below = request(new PruneSearch(4, List.of(0.7, 0.3), 2), 1, 1, EULER_10, EULER_10);
        assertThatThrownBy(() -> engine.search(below, new CapturesAtHalf()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("t = 0.5")
                .hasMessageContaining("first cut").satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        SearchResult above = engine.search(request(new PruneSearch(4, List.of(0.5, 0.3), 2), 1, 1, EULER_10,
                EULER_10), new CapturesAtHalf());
        assertThat(above.trace()).hasSize(3);
        // Ties go to the lowest index: every cut keeps the first candidates.
        assertThat(above.key()).isEqualTo(SearchContext.key(Stage.PRUNE, 0, 0));
    }

    @Test
    void beatsNoSearchOnTheOracle() {
        PruneSearch prune = new PruneSearch(16, List.of(0.7, 0.4), 4);
        double pruned = 0;
        double single = 0;
        int requests = 50;
        for (int seed = 0; seed < requests; seed++) {
            pruned += engine.search(SearchRequest.of("gmm-image", seed % 10, prune, "oracle", seed)).score() / requests;
            single += engine.search(SearchRequest.of("gmm-image", seed % 10, new RandomSearch(1), "oracle", seed))
                    .score() / requests;
        }
        assertThat(pruned).as("prune %.2f vs one noise %.2f", pruned, single).isGreaterThan(single);
    }

    /** Best-of-N by hand with the context's verbs, over prune's noises, each solved over the full grid. */
    private static final class Reference implements AutoCloseable {

        private final Contexts contexts = new Contexts();

        private SearchContext context(int label, long seed, SolverSettings solver, int rows) {
            return contexts.open("gmm-image", "oracle", label, seed, engine.model("gmm-image").info().defaultGuidance(),
                    solver, rows, new ComputeMeter());
        }

        /** The clean oracle scores of prune's first n noises. */
        float[] bestOfN(int label, long seed, int n, SolverSettings solver) {
            SearchContext context = context(label, seed, solver, n);
            Batch pool = context.allocate(n);
            context.drawNoise(pool, SearchContext.key(Stage.PRUNE, 0, 0));
            context.solve(pool, context.fullGrid(solver), solver, null);
            return context.combine(context.score(pool, null));
        }

        /** The noise of one key solved over the full grid. */
        float[] solve(int label, long seed, long key, SolverSettings solver) {
            SearchContext context = context(label, seed, solver, 1);
            Batch x = context.allocate(1);
            context.drawNoise(x, key);
            context.solve(x, context.fullGrid(solver), solver, null);
            return context.download(x);
        }

        @Override
        public void close() {
            contexts.close();
        }
    }
}

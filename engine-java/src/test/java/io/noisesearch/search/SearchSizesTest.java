package io.noisesearch.search;

import io.noisesearch.backend.Backends;
import io.noisesearch.backend.CountingBackend;
import io.noisesearch.backend.Kernels;
import io.noisesearch.engine.Engine;
import io.noisesearch.noise.CandidateKeys;
import io.noisesearch.schedule.RectifiedFlow;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.verify.Verifier;
import io.noisesearch.verify.VerifierInput;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What each algorithm says it holds and plans, before it runs, matches what it does, and never wraps. */
class SearchSizesTest {

    private static final SolverSettings HEUN_10 = new SolverSettings(SolverKind.HEUN, 10);
    private static final SearchPlan PLAN = new SearchPlan(new RectifiedFlow(1), HEUN_10);
    private static final int WHOLE = Integer.MAX_VALUE;
    private static final SolverSettings HEUN_MAX = new SolverSettings(SolverKind.HEUN, Integer.MAX_VALUE);

    /** Scores every candidate 0; captures at t = 0.5 when asked to. */
    private record StandIn(boolean captures) implements Verifier {
        @Override
        public String name() {
            return "stand-in";
        }

        @Override
        public long flopsPerSample() {
            return 0;
        }

        @Override
        public double captureTime() {
            return captures ? 0.5 : Double.NaN;
        }

        @Override
        public void score(Kernels kernels, VerifierInput input, float[][] out, int offset) {
            Arrays.fill(out[0], offset, offset + input.samples().rows(), 0f);
        }
    }

    @Test
    void peakRowsFollowTheAlgorithmsBatches() {
        // Random: N pool (+ N captures), the winner's noise (+ capture).
        assertThat(new RandomSearch(16).peakRows(PLAN, SearchRequest.UNLIMITED, false, WHOLE)).isEqualTo(17);
        assertThat(new RandomSearch(16).peakRows(PLAN, SearchRequest.UNLIMITED, true, WHOLE)).isEqualTo(34);
        assertThat(new RandomSearch(16).peakRows(PLAN, 5 * 19, false, WHOLE)).isEqualTo(6);
        // A pool larger than a chunk: one chunk (+ its captures) and the best row so far.
        assertThat(new RandomSearch(16).peakRows(PLAN, SearchRequest.UNLIMITED, false, 4)).isEqualTo(4 + 1 + 1);
        assertThat(new RandomSearch(16).peakRows(PLAN, SearchRequest.UNLIMITED, true, 4)).isEqualTo(8 + 1 + 2);
        assertThat(new RandomSearch(4096).peakRows(PLAN, SearchRequest.UNLIMITED, false, 64))
                .isEqualTo(new RandomSearch(64).peakRows(PLAN, SearchRequest.UNLIMITED, false, 64) + 1);
        // Zero-order: pivot noise and sample (+ capture), N directions and samples (+ captures), final capture.
        assertThat(new ZeroOrderSearch(8, 3, 0.9, Double.NaN).peakRows(PLAN, SearchRequest.UNLIMITED, false, WHOLE))
                .isEqualTo(18);
        assertThat(new ZeroOrderSearch(8, 3, 0.9, Double.NaN).peakRows(PLAN, SearchRequest.UNLIMITED, true, WHOLE))
                .isEqualTo(28);
        // Paths: N survivors (+ captures), N*M expanded and predictions (+ captures); 12 NFEs to sigma each.
        PathSearch paths = new PathSearch(4, 2, 0.4, 0.05, 0.1, 2);
        assertThat(paths.peakRows(PLAN, SearchRequest.UNLIMITED, false, WHOLE)).isEqualTo(4 + 2 * 8);
        assertThat(paths.peakRows(PLAN, SearchRequest.UNLIMITED, true, WHOLE)).isEqualTo(8 + 3 * 8);
        assertThat(paths.peakRows(PLAN, 24, false, WHOLE)).isEqualTo(2 + 2 * 4);
        assertThat(new NoSearch().peakRows(PLAN, 0, true, WHOLE)).isEqualTo(2);
        // Prune: N pool and N x-predictions / survivors (+ N and ceil(N / keep) captures), the winner's noise (+ capture);
        // 7 NFEs a candidate to the first cut.
        PruneSearch prune = new PruneSearch(16, List.of(0.7, 0.4), 4);
        assertThat(prune.peakRows(PLAN, SearchRequest.UNLIMITED, false, WHOLE)).isEqualTo(2 * 16 + 1);
        assertThat(prune.peakRows(PLAN, SearchRequest.UNLIMITED, true, WHOLE)).isEqualTo(2 * 16 + 16 + 4 + 2);
        assertThat(prune.peakRows(PLAN, 5 * 7 + 6, true, WHOLE)).isEqualTo(2 * 5 + 5 + 2 + 2);
        assertThat(prune.peakRows(PLAN, 6, true, WHOLE)).isEqualTo(2);
    }

    /** What one search allocated against what its peakRows counts. */
    private interface Allocation {
        void check(SearchAlgorithm algorithm, long budget, boolean captures, long rows, long peak);
    }

    /**
     * Each algorithm, unlimited and under a budget of 40, without and with captures: the rows the second of two equal
     * searches allocates (the first opens the lane and its workspace) and the algorithm's peakRows for it.
     */
    private static void forEachAllocation(List<SearchAlgorithm> algorithms, Allocation allocation) {
        CountingBackend backend = new CountingBackend(Backends.open("java"));
        try (Engine engine = Engine.open(backend, 1, 1)) {
            for (SearchAlgorithm algorithm : algorithms) {
                for (long budget : new long[] {SearchRequest.UNLIMITED, 40}) {
                    for (boolean captures : new boolean[] {false, true}) {
                        // A final solver unlike the search's: the winner is solved (and captured) again.
                        SearchRequest request = SearchRequest.of("gmm-image", 1, algorithm, "stand-in", 3)
                                .withSolvers(HEUN_10, new SolverSettings(SolverKind.EULER, 4)).withBudget(budget)
                                .withBatchSize(4);
                        engine.search(request, new StandIn(captures));
                        backend.reset();
                        engine.search(request, new StandIn(captures));
                        allocation.check(algorithm, budget, captures, backend.rows(), algorithm.peakRows(PLAN, budget,
                                captures, SearchContext.poolChunkRows(4, new StandIn(captures), 256)));
                    }
                }
            }
        }
    }

    @Test
    void peakRowsAreTheRowsASearchAllocates() {
        List<SearchAlgorithm> algorithms = List.of(new NoSearch(), new RandomSearch(12),
                new ZeroOrderSearch(5, 3, 0.9, Double.NaN), new PathSearch(3, 2, 0.4, 0.05, 0.1, 2),
                new PruneSearch(9, List.of(0.5, 0.3), 2));
        forEachAllocation(algorithms, (algorithm, budget, captures, rows, peak) -> assertThat(rows)
                .as("%s, budget %d, captures %s", algorithm, budget, captures).isEqualTo(peak));
    }

    /**
     * Beam search and evolution allocate what peakRows counts, less the winner's noise and capture where the winner
     * is not a drawn noise (it is then returned as searched, or its own noise is solved again in place).
     */
    @Test
    void peakRowsBoundTheRowsBeamAndEvolutionAllocate() {
        // The stand-in verifier captures at t = 0.5: the first level lies below it.
        List<SearchAlgorithm> algorithms = List.of(new BeamSearch(3, 3, List.of(0.4, 0.2), 0.9, "bfs", Double.NaN),
                new BeamSearch(1, 2, List.of(0.4, 0.2), 0.9, "bfs", Double.NaN),
                new BeamSearch(2, 2, List.of(0.4, 0.2), 0.9, "dfs", Double.NaN),
                new EvolutionSearch(List.of(6, 5, 7), 2, 2, 0.9, 0.9), new EvolutionSearch(List.of(6), 0, 2, 0.9, 0.9));
        forEachAllocation(algorithms, (algorithm, budget, captures, rows, peak) -> {
            long slack = algorithm instanceof BeamSearch b && b.mode().equals("dfs")
                    ? (captures ? 2L : 1L) * (b.children() * b.levels().size() + 3) : captures ? 2 : 1;
            assertThat(rows).as("%s, budget %d, captures %s", algorithm, budget, captures)
                    .isLessThanOrEqualTo(peak).isGreaterThanOrEqualTo(peak - slack);
        });
    }

    @Test
    void plannedCandidatesAndTraceEntriesMatchTheTrace() {
        List<SearchAlgorithm> algorithms = List.of(new RandomSearch(6), new ZeroOrderSearch(3, 4, 0.9, Double.NaN),
                new PathSearch(2, 3, 0.4, 0.05, 0.1, 2), new PruneSearch(10, List.of(0.8, 0.5, 0.2), 2),
                new BeamSearch(3, 2, List.of(0.8, 0.5, 0.2), 0.9, "bfs", Double.NaN),
                new BeamSearch(3, 2, List.of(0.8, 0.5, 0.2), 0.9, "dfs", Double.NaN),
                new EvolutionSearch(List.of(7, 5, 6), 2, 3, 0.9, 0.95));
        try (Engine engine = Engine.open("java", 1)) {
            for (SearchAlgorithm algorithm : algorithms) {
                SearchResult result = engine.search(SearchRequest.of("gmm-image", 2, algorithm, "oracle", 1));
                assertThat(result.trace()).as(algorithm.id()).hasSize((int) algorithm.plannedTraceEntries());
                assertThat(result.trace().stream().mapToLong(e -> e.keys().length).sum()).as(algorithm.id())
                        .isEqualTo(algorithm.plannedCandidates());
            }
        }
    }

    @Test
    void plannedNfeOfHugeSettingsIsCountedWithoutBuildingTheirGrids() {
        // A grid of 2^31 steps would be 16 GiB of doubles: the count comes from step counts and end times.
        PathSearch paths = new PathSearch(4, 2, 0.4, 0.05, 0.1, 2);
        long initial = Math.round(0.6 * Integer.MAX_VALUE);
        assertThat(paths.plannedSearchNfe(new SearchPlan(new RectifiedFlow(1), HEUN_MAX)))
                .isEqualTo(4 * 2 * initial + 4 * 2 * (8 * (2 * 2 + 1) - 2));
        assertThat(HEUN_MAX.fullNfe()).isEqualTo(2L * Integer.MAX_VALUE - 1);
        assertThat(new RandomSearch(Integer.MAX_VALUE).plannedSearchNfe(new SearchPlan(new RectifiedFlow(1), HEUN_MAX)))
                .isEqualTo(BigInteger.valueOf(Integer.MAX_VALUE).multiply(BigInteger.valueOf(HEUN_MAX.fullNfe()))
                        .longValueExact());
    }

    @Test
    void plannedNfeThatALongCannotHoldIsAnArithmeticExceptionNotAWrappedCount() {
        SearchPlan plan = new SearchPlan(new RectifiedFlow(1), HEUN_MAX);
        ZeroOrderSearch zeroOrder = new ZeroOrderSearch(Integer.MAX_VALUE, CandidateKeys.MAX_ITERATION, 0.9,
                Double.NaN);
        assertThatThrownBy(() -> zeroOrder.plannedSearchNfe(plan)).isInstanceOf(ArithmeticException.class);
        PathSearch paths = new PathSearch(46340, 46340, 0.5, 0.00001, 0.00002, Integer.MAX_VALUE);
        assertThatThrownBy(() -> paths.plannedSearchNfe(plan)).isInstanceOf(ArithmeticException.class);
        PruneSearch prune = new PruneSearch(Integer.MAX_VALUE, List.of(0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1),
                1);
        assertThatThrownBy(() -> prune.plannedSearchNfe(plan)).isInstanceOf(ArithmeticException.class);
    }

    @Test
    void sizesThatCandidateKeysOrOneBatchCannotHoldAreRefused() {
        assertThatThrownBy(() -> new ZeroOrderSearch(4, CandidateKeys.MAX_ITERATION + 1, 0.9, Double.NaN))
                .hasMessageContaining("--iterations");
        assertThatThrownBy(() -> new PathSearch(65536, 32768, 0.4, 0.05, 0.1, 2))
                .hasMessageContaining("--paths").hasMessageContaining("--paths-width");
    }
}

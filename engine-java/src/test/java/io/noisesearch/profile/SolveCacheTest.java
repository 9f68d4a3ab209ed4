package io.noisesearch.profile;

import io.noisesearch.backend.Backends;
import io.noisesearch.compute.Compute;
import io.noisesearch.engine.Engine;
import io.noisesearch.model.ModelRepository;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.search.NoSearch;
import io.noisesearch.search.PruneSearch;
import io.noisesearch.search.RandomSearch;
import io.noisesearch.search.SearchAlgorithm;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.SearchResult;
import io.noisesearch.search.ZeroOrderSearch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A search through the solve cache returns what it returns without one, and accounts for the same compute; what the
 * cache served is counted apart. On the exact mixture bit for bit; on the trained flow within ONNX Runtime's rounding
 * of a row by the rows that share its batch (docs/architecture.md, determinism).
 */
class SolveCacheTest {

    private static Engine engine;

    @TempDir
    Path temp;

    @BeforeAll
    static void open() {
        engine = Engine.open(Backends.open("host"), 0, 1, new ModelRepository(PrefixReuseTest.trainedModels()));
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    private static SolverSettings heun(int steps) {
        return new SolverSettings(SolverKind.HEUN, steps);
    }

    private static SearchAlgorithm algorithm(String name, int n) {
        return switch (name) {
            case "none" -> new NoSearch();
            case "random" -> new RandomSearch(n);
            case "prune" -> new PruneSearch(n, List.of(0.6, 0.3), 2);
            case "zero-order" -> new ZeroOrderSearch(2, n, 0.95, Double.NaN);
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** Cold (the cache fills), warm (it serves all it can) and a fresh search without it give the same result. */
    @ParameterizedTest(name = "{0} {1} / {2}, search x{3}, final x{4}")
    @CsvSource(delimiter = '|', textBlock = """
            none       | 1 | oracle                    | 5 | 10
            random     | 6 | oracle                    | 5 | 5
            random     | 6 | oracle                    | 5 | 10
            random     | 6 | ensemble:oracle,posterior | 5 | 10
            prune      | 8 | posterior                 | 5 | 10
            zero-order | 2 | oracle                    | 5 | 10
            """)
    void onTheExactMixtureACachedSearchIsTheFreshSearchBitForBit(String name, int n, String verifier,
                                                                 int searchSteps, int finalSteps) {
        try (DiskCache cache = DiskCache.open(temp.resolve("cache"), "--cache", line -> {
            throw new AssertionError(line);
        })) {
            for (int label : new int[] {1, 6}) {
                SearchRequest request = SearchRequest.of("gmm-image", label, algorithm(name, n), verifier, 40 + label)
                        .withSolvers(heun(searchSteps), heun(finalSteps));
                SearchResult fresh = engine.search(request);
                SearchResult cold = engine.search(request, cache);
                SearchResult warm = engine.search(request, cache);
                assertSame(cold, fresh, "cold", true);
                assertSame(warm, fresh, "warm", true);
                assertThat(fresh.served()).isEqualTo(Compute.ZERO);
                Compute ran = warm.spent();
                if (name.equals("none") || name.equals("random")) {
                    // Every solve and score of the warm search was of a keyed candidate, and served: nothing ran.
                    assertThat(List.of(ran.searchNfe(), ran.finalNfe(), ran.forwardPasses(), ran.flops(),
                            ran.verifierCalls())).as(name).containsOnly(0L);
                    assertThat(warm.served().totalNfe()).isEqualTo(warm.compute().totalNfe());
                } else if (name.equals("prune")) {
                    // Its cuts solve partial grids (not cached); the winner's final solve is served.
                    assertThat(ran.finalNfe()).isZero();
                    assertThat(ran.searchNfe()).isEqualTo(warm.compute().searchNfe());
                }
            }
        }
    }

    /** Zero-order neighbours depend on the pivot: only the pivot (a keyed candidate) is served. */
    @Test
    void zeroOrderNeighboursAreSolvedEveryTime() {
        try (DiskCache cache = DiskCache.open(temp.resolve("cache"), "--cache", line -> { })) {
            SearchRequest request = SearchRequest.of("gmm-image", 2, new ZeroOrderSearch(2, 2, 0.95, Double.NaN), "oracle", 3)
                    .withSolvers(heun(5), heun(10));
            engine.search(request, cache);
            SearchResult warm = engine.search(request, cache);
            assertThat(warm.served().searchNfe()).isZero();
            assertThat(warm.spent().searchNfe()).isEqualTo(warm.compute().searchNfe());
        }
    }

    /**
     * A pool of 7 after a pool of 3 on the same cache: the 3 rows are served, the other 4 solved and scored together;
     * the result is best of 7 alone.
     */
    @Test
    void aLargerPoolSolvesOnlyTheCandidatesTheCacheLacks() {
        try (DiskCache cache = DiskCache.open(temp.resolve("cache"), "--cache", line -> { })) {
            SearchRequest small = SearchRequest.of("gmm-image", 4, new RandomSearch(3), "ensemble:oracle,posterior", 9)
                    .withSolvers(heun(4), heun(8));
            SearchRequest large = SearchRequest.of("gmm-image", 4, new RandomSearch(7), "ensemble:oracle,posterior", 9)
                    .withSolvers(heun(4), heun(8));
            engine.search(small, cache);
            SearchResult partly = engine.search(large, cache);
            assertSame(partly, engine.search(large), "7 after 3", true);
            assertThat(partly.served().searchNfe()).isEqualTo(3 * heun(4).fullNfe());
            assertThat(partly.spent().searchNfe()).isEqualTo(4 * heun(4).fullNfe());
            // The final solve (and its score) is served where best of 7 chose best of 3's winner.
            long finalServed = partly.served().finalNfe() > 0 ? 1 : 0;
            assertThat(partly.served().verifierCalls()).isEqualTo(3 + finalServed);
            assertThat(partly.spent().verifierCalls()).isEqualTo(partly.compute().verifierCalls() - 3 - finalServed);
        }
    }

    /**
     * The trained flow with a verifier that captures an early x-prediction (ssl, in an ensemble): captures are kept by
     * their time, and a cached search matches a fresh one within ONNX Runtime's batch rounding; a warm search is the
     * cold one exactly.
     */
    @Test
    void onTheTrainedFlowACachedSearchIsTheFreshSearchWithinBatchRounding() {
        try (DiskCache cache = DiskCache.open(temp.resolve("cache"), "--cache", line -> { })) {
            SolverSettings search = new SolverSettings(SolverKind.EULER, 2);
            SolverSettings last = new SolverSettings(SolverKind.EULER, 4);
            String verifier = "ensemble:classifier,ssl";
            engine.search(SearchRequest.of("mnist-flow-s", 3, new RandomSearch(2), verifier, 5)
                    .withSolvers(search, last), cache);
            SearchRequest request = SearchRequest.of("mnist-flow-s", 3, new RandomSearch(4), verifier, 5)
                    .withSolvers(search, last);
            SearchResult cold = engine.search(request, cache);
            SearchResult warm = engine.search(request, cache);
            SearchResult fresh = engine.search(request);
            assertSame(warm, cold, "warm", true);
            assertSame(cold, fresh, "cold", false);
            assertThat(warm.spent().searchNfe()).isZero();
            assertThat(warm.spent().verifierCalls()).isZero();
        }
    }

    private static void assertSame(SearchResult cached, SearchResult fresh, String what, boolean exact) {
        assertThat(cached.key()).as(what).isEqualTo(fresh.key());
        assertThat(cached.lineage()).as(what).isEqualTo(fresh.lineage());
        assertThat(cached.finalReused()).as(what).isEqualTo(fresh.finalReused());
        if (exact) {
            assertThat(cached.sample()).as(what).containsExactly(fresh.sample());
            assertThat(cached.score()).as(what).isEqualTo(fresh.score());
            assertThat(cached.memberScores()).as(what).containsExactly(fresh.memberScores());
        } else {
            assertThat(cached.sample()).as(what).containsExactly(fresh.sample(), within(1e-5f));
            assertThat(cached.score()).as(what).isCloseTo(fresh.score(), within(1e-4f));
        }
        assertThat(cached.trace()).as(what).hasSameSizeAs(fresh.trace());
        for (int i = 0; i < fresh.trace().size(); i++) {
            assertThat(cached.trace().get(i).keys()).as(what).containsExactly(fresh.trace().get(i).keys());
            if (exact) {
                assertThat(cached.trace().get(i).scores()).as(what).containsExactly(fresh.trace().get(i).scores());
            } else {
                assertThat(cached.trace().get(i).scores()).as(what)
                        .containsExactly(fresh.trace().get(i).scores(), within(1e-4f));
            }
        }
        Compute a = cached.compute();
        Compute b = fresh.compute();
        assertThat(List.of(a.searchNfe(), a.finalNfe(), a.forwardPasses(), a.flops(), a.verifierCalls())).as(what)
                .isEqualTo(List.of(b.searchNfe(), b.finalNfe(), b.forwardPasses(), b.flops(), b.verifierCalls()));
        List<Long> served = new ArrayList<>(List.of(cached.served().searchNfe(), cached.served().finalNfe()));
        assertThat(served.get(0)).isLessThanOrEqualTo(a.searchNfe());
        assertThat(served.get(1)).isLessThanOrEqualTo(a.finalNfe());
    }
}

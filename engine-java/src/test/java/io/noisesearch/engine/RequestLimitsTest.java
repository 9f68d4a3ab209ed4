package io.noisesearch.engine;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.backend.Backends;
import io.noisesearch.backend.CountingBackend;
import io.noisesearch.backend.Kernels;
import io.noisesearch.model.BuiltinModels;
import io.noisesearch.model.ModelInfo;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.search.NoSearch;
import io.noisesearch.search.PathSearch;
import io.noisesearch.search.RandomSearch;
import io.noisesearch.search.SearchAlgorithm;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.ZeroOrderSearch;
import io.noisesearch.verify.Verifier;
import io.noisesearch.verify.VerifierInput;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A request whose memory or work is out of bounds is refused with one line naming the option that drives it, before
 * the search takes a lane or allocates a batch; requests within the bounds run as before.
 */
class RequestLimitsTest {

    private static final ModelInfo IMAGE = BuiltinModels.info("gmm-image");
    private static final SolverSettings HEUN_10 = new SolverSettings(SolverKind.HEUN, 10);
    private static final RequestLimits UNBOUNDED = new RequestLimits(Long.MAX_VALUE, Long.MAX_VALUE);

    private static CountingBackend backend;
    private static Engine engine;

    @BeforeAll
    static void open() {
        backend = new CountingBackend(Backends.open("java"));
        engine = Engine.open(backend, 1, 1);
        engine.model("gmm-image");
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    /** Scores every candidate 0 at {@code flops} FLOPs each. */
    private record StandIn(long flops) implements Verifier {
        @Override
        public String name() {
            return "stand-in";
        }

        @Override
        public long flopsPerSample() {
            return flops;
        }

        @Override
        public void score(Kernels kernels, VerifierInput input, float[][] out, int offset) {
            Arrays.fill(out[0], offset, offset + input.samples().rows(), 0f);
        }
    }

    /** The one-line refusal of a search on the engine, checked to have allocated nothing and taken no lane. */
    private static String refusal(SearchRequest request) {
        backend.reset();
        int lanes = engine.idleLanes();
        Throwable error = org.assertj.core.api.Assertions.catchThrowable(() -> engine.search(request));
        assertThat(error).isInstanceOf(InvalidRequestException.class);
        assertThat(error.getMessage()).doesNotContain("\n");
        assertThat(backend.rows()).as("rows allocated before the refusal").isZero();
        assertThat(engine.idleLanes()).isEqualTo(lanes);
        return error.getMessage();
    }

    private static SearchRequest request(SearchAlgorithm algorithm) {
        return SearchRequest.of("gmm-image", 3, algorithm, "oracle", 7);
    }

    @Test
    void candidatesBeyondTheMemoryLimitAreRefusedNamingTheOptionAndTheLimit() {
        String message = refusal(request(new ZeroOrderSearch(100_000_000, 0, 0.9, Double.NaN)));

        // 2 x 10^8 rows of 256 floats: 190.7 GiB of candidates.
        assertThat(message).startsWith("--neighbours (or --candidates) 100000000")
                .contains("190.7 GiB", "over the limit of 8.0 GiB", "-Dnoisesearch.maxSearchMiB");
    }

    @Test
    void aBatchSizeBeyondWhatTheWorkspaceMayHoldIsRefused() {
        assertThat(refusal(request(new RandomSearch(16)).withBatchSize(Integer.MAX_VALUE)))
                .startsWith("--batch-size 2147483647").contains("over the limit of 8.0 GiB");
        assertThat(refusal(request(new RandomSearch(16)).withBatchSize(2_000_000))).startsWith("--batch-size 2000000");
    }

    @Test
    void plannedNfeBeyondTheLimitAreRefusedNamingTheOptions() {
        assertThat(refusal(request(new RandomSearch(Integer.MAX_VALUE))))
                .startsWith("--candidates 2147483647 with --search-steps 10")
                .contains("40802189293 search NFEs", "over the limit of 1000000000", "-Dnoisesearch.maxRequestNfe");
        assertThat(refusal(request(new NoSearch()).withSolvers(null, new SolverSettings(SolverKind.HEUN,
                Integer.MAX_VALUE)))).startsWith("--steps 2147483647: the final solve");
        assertThat(refusal(request(new RandomSearch(16)).withSolvers(new SolverSettings(SolverKind.EULER,
                Integer.MAX_VALUE), HEUN_10))).startsWith("--candidates 16 with --search-steps 2147483647");
        assertThat(refusal(request(new PathSearch(16, 10_000_000, 0.4, 0.05, 0.1, 2))))
                .contains("--paths-width 10000000").contains("over the limit of 1000000000");
        assertThat(refusal(request(new ZeroOrderSearch(1000, 16_000_000, 0.9, Double.NaN))))
                .contains("--iterations 16000000");
    }

    @Test
    void aBudgetBoundsWhatTheSearchPlansAndHolds() {
        // 10^9 candidates under a budget of 5 solves draw 5: today's behaviour, kept.
        SearchRequest capped = request(new RandomSearch(1_000_000_000)).withBudget(5 * 19);
        assertThat(engine.search(capped).trace().getFirst().keys()).hasSize(5);
    }

    @Test
    void timeGridsCountInTheMemoryOfARequest() {
        // 6 * 10^8 Euler steps plan fewer NFEs than the limit, but their grids would be 8.9 GiB of doubles.
        SolverSettings euler = new SolverSettings(SolverKind.EULER, 600_000_000);
        assertThat(refusal(request(new NoSearch()).withSolvers(euler, euler))).startsWith("--steps 600000000")
                .contains("8.9 GiB");
    }

    @Test
    void theTraceOfManyIterationsCountsInTheMemoryOfARequest() {
        // 1.0 x 10^9 scored candidates at 96 bytes and 1.6 x 10^7 entries at 256 bytes; the batches are a few rows.
        SolverSettings euler = new SolverSettings(SolverKind.EULER, 1);
        SearchRequest request = request(new ZeroOrderSearch(64, 16_000_000, 0.9, Double.NaN)).withSolvers(euler, euler);
        assertThatThrownBy(() -> new RequestLimits(8L << 30, Long.MAX_VALUE).check(request, IMAGE, euler, euler, false,
                new StandIn(0))).hasMessageStartingWith("--neighbours (or --candidates) 64 and --iterations 16000000")
                .hasMessageContaining("95.4 GiB");
    }

    @Test
    void nfeThatALongCannotCountAreRefusedNotWrapped() {
        SolverSettings longest = new SolverSettings(SolverKind.HEUN, Integer.MAX_VALUE);
        SearchRequest request = request(new ZeroOrderSearch(Integer.MAX_VALUE, 16_000_000, 0.9, Double.NaN))
                .withSolvers(longest, HEUN_10);
        assertThatThrownBy(() -> UNBOUNDED.check(request, IMAGE, longest, HEUN_10, false, new StandIn(0)))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("--neighbours (or --candidates) 2147483647 and --iterations 16000000 with --search-steps"
                        + " 2147483647: the search plans more NFEs than a long counts");
    }

    @Test
    void flopsThatALongCannotCountAreRefusedNotWrapped() {
        SolverSettings longest = new SolverSettings(SolverKind.HEUN, 1 << 30);
        SearchRequest request = request(new RandomSearch(1 << 30)).withSolvers(longest, HEUN_10);
        ModelInfo heavy = new ModelInfo("heavy", 3, 64, 64, 10, IMAGE.prediction(), IMAGE.schedule(), -1, 1,
                1_000_000_000_000_000L, HEUN_10, 1.0);
        // 2^30 candidates x (2^31 - 1) NFEs fit a long; times 10^15 FLOPs they do not.
        assertThatThrownBy(() -> UNBOUNDED.check(request, heavy, longest, HEUN_10, true, new StandIn(0)))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("--candidates 1073741824 with --search-steps 1073741824")
                .hasMessageContaining("more FLOPs than a long counts");
        assertThatThrownBy(() -> UNBOUNDED.check(request(new RandomSearch(4)), IMAGE, HEUN_10, HEUN_10, false,
                new StandIn(Long.MAX_VALUE / 2))).hasMessageContaining("more FLOPs than a long counts");
    }

    @Test
    void memoryThatALongCannotCountIsRefusedNotWrapped() {
        ModelInfo wide = new ModelInfo("wide", 1 << 10, 1 << 10, 1 << 10, 10, IMAGE.prediction(), IMAGE.schedule(),
                -1, 1, 1, HEUN_10, 1.0);
        SearchRequest request = request(new PathSearch(1 << 15, 1 << 15, 0.4, 0.05, 0.1, 2));
        // 2 x 2^30 expanded candidates of 2^30 floats: 2^63 bytes and more.
        assertThatThrownBy(() -> new RequestLimits(8L << 30, Long.MAX_VALUE).check(request, wide, HEUN_10, HEUN_10,
                false, new StandIn(0))).hasMessageStartingWith("--paths (or --candidates) 32768, --paths-width 32768")
                .hasMessageContaining("more than 8 EiB");
    }

    @Test
    void requestsWithinTheLimitsRunAsBefore() {
        for (SearchAlgorithm algorithm : new SearchAlgorithm[] {new NoSearch(), new RandomSearch(16),
                new ZeroOrderSearch(8, 4, 0.95, Double.NaN), new PathSearch(4, 2, 0.4, 0.05, 0.1, 2)}) {
            assertThat(engine.search(request(algorithm)).sample()).hasSize(IMAGE.dim());
        }
    }

    @Test
    void limitsAreReadFromTheirSystemProperties() {
        assertThat(RequestLimits.current()).isEqualTo(new RequestLimits(8L << 30, 1_000_000_000L));
        assertThat(RequestLimits.SEARCH_MEMORY.property()).isEqualTo("noisesearch.maxSearchMiB");
        assertThat(RequestLimits.REQUEST_NFE.property()).isEqualTo("noisesearch.maxRequestNfe");
    }
}

package io.noisesearch.engine;

import io.noisesearch.backend.Backends;
import io.noisesearch.batching.BatchingOptions;
import io.noisesearch.model.ModelRepository;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.search.RandomSearch;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.SearchResult;
import io.noisesearch.search.TraceEntry;
import io.noisesearch.search.ZeroOrderSearch;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Searches whose denoiser calls were merged across requests return what each returns alone, bit for bit. */
class BatchingEngineTest {

    /** A delay long enough that concurrent searches meet in merged calls; a lone one never waits for it. */
    private static final BatchingOptions MERGING = BatchingOptions.on(200_000, 256);

    private static ModelRepository models() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("tensorrt-plans/models");
            if (Files.isDirectory(candidate)) {
                return new ModelRepository(candidate);
            }
        }
        throw new IllegalStateException("tensorrt-plans/models not found");
    }

    /** Runs the requests at once on a batching engine and one by one on a plain one; asserts equal results. */
    private static void assertMergedEqualsAlone(List<SearchRequest> requests, int threads) throws Exception {
        assertMergedEqualsAlone(requests, threads, MERGING);
    }

    private static void assertMergedEqualsAlone(List<SearchRequest> requests, int threads, BatchingOptions merging)
            throws Exception {
        List<SearchResult> alone = new ArrayList<>();
        try (Engine engine = Engine.open(Backends.open("host"), threads, 1, models())) {
            for (SearchRequest request : requests) {
                alone.add(engine.search(request));
            }
        }
        // Whether searches overlap is up to the scheduler (a loaded machine may run them one after another): every
        // attempt must give the same bits, and at least one of a few must have merged calls.
        AtomicInteger merged = new AtomicInteger();
        AtomicInteger calls = new AtomicInteger();
        for (int attempt = 0; attempt < 5 && merged.get() == 0; attempt++) {
            calls.set(0);
            try (Engine engine = Engine.open(Backends.open("host"), threads, requests.size(), models(), merging)) {
                engine.batchListener((model, rows, count) -> {
                    calls.incrementAndGet();
                    if (count > 1) {
                        merged.incrementAndGet();
                    }
                });
                List<CompletableFuture<SearchResult>> futures = requests.stream().map(engine::submit).toList();
                for (int i = 0; i < requests.size(); i++) {
                    assertSameResult(futures.get(i).get(), alone.get(i), "request " + i);
                }
            }
        }
        assertThat(merged.get()).as("merged calls among %d", calls.get()).isPositive();
    }

    private static void assertSameResult(SearchResult batched, SearchResult alone, String what) {
        assertThat(batched.key()).as(what + " key").isEqualTo(alone.key());
        assertThat(Float.floatToRawIntBits(batched.score())).as(what + " score").isEqualTo(
                Float.floatToRawIntBits(alone.score()));
        assertThat(batched.sample()).as(what + " sample bits").isEqualTo(alone.sample());
        assertThat(batched.compute().totalNfe()).isEqualTo(alone.compute().totalNfe());
        assertThat(batched.compute().forwardPasses()).isEqualTo(alone.compute().forwardPasses());
        assertThat(batched.trace()).hasSameSizeAs(alone.trace());
        for (int e = 0; e < alone.trace().size(); e++) {
            TraceEntry a = alone.trace().get(e);
            TraceEntry b = batched.trace().get(e);
            assertThat(b.keys()).as(what + " trace keys").isEqualTo(a.keys());
            assertThat(b.scores()).as(what + " trace scores").isEqualTo(a.scores());
        }
    }

    @Test
    void exactMixtureSearchesMergedAcrossRequestsEqualThoseRunAlone() throws Exception {
        List<SearchRequest> requests = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            SearchRequest request = i % 3 == 2
                    ? SearchRequest.of("gmm-image", i, new ZeroOrderSearch(4, 2, 0.9, Double.NaN), "oracle", 40 + i)
                    : SearchRequest.of("gmm-image", i, new RandomSearch(7 + i), "oracle", 40 + i);
            requests.add(request.withBatchSize(5).withGuidance(i % 2 == 0 ? 1.0 : 2.5));
        }
        assertMergedEqualsAlone(requests, 1);
        // several merged calls in flight, each taking its share of the waiting rows: the same bits
        assertMergedEqualsAlone(requests, 1, MERGING.withCallsInFlight(3));
    }

    @Test
    void theEngineRunsOneMergedCallPerCoreOnTheCpuUnlessToldOtherwise() {
        var host = Backends.open("host");
        try {
            assertThat(Engine.resolved(MERGING, host, 0).callsInFlight())
                    .isEqualTo(Runtime.getRuntime().availableProcessors());
            assertThat(Engine.resolved(MERGING, host, 3).callsInFlight()).isEqualTo(3);
            assertThat(Engine.resolved(MERGING.withCallsInFlight(5), host, 3).callsInFlight()).isEqualTo(5);
        } finally {
            host.close();
        }
        try (Engine engine = Engine.open(Backends.open("host"), 2, 1, models(), MERGING)) {
            assertThat(engine.batching().callsInFlight()).isEqualTo(2);
        }
    }

    @Test
    void trainedModelSearchesWithGuidanceMergedAcrossRequestsEqualThoseRunAlone() throws Exception {
        List<SearchRequest> requests = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            requests.add(SearchRequest.of("mnist-flow-s", 2 * i + 1, new RandomSearch(6 + i), "classifier", 7 + i)
                    .withSolvers(new SolverSettings(SolverKind.EULER, 3), new SolverSettings(SolverKind.HEUN, 3))
                    .withBatchSize(5).withGuidance(i == 0 ? 1.0 : 1.5 + i));
        }
        assertMergedEqualsAlone(requests, 0);
    }

    @Test
    void closingTheEngineClosesItsBatchersOfVerifierNetworksToo() {
        Engine engine = Engine.open(Backends.open("host"), 1, 1, models(), MERGING);
        engine.search(SearchRequest.of("mnist-flow-s", 1, new RandomSearch(2), "classifier", 3)
                .withSolvers(new SolverSettings(SolverKind.EULER, 2), new SolverSettings(SolverKind.EULER, 2)));
        assertThat(engine.imageBatchers()).hasSize(1);
        var batcher = engine.imageBatchers().getFirst();
        engine.close();
        assertThat(batcher.closed()).isTrue();
    }

    @Test
    void closingTheEngineClosesItsBatchers() {
        Engine engine = Engine.open(Backends.open("host"), 1, 1, models(), MERGING);
        engine.search(SearchRequest.of("gmm-image", 1, new RandomSearch(4), "oracle", 3));
        assertThat(engine.batchers()).hasSize(1);
        var batcher = engine.batchers().getFirst();
        engine.close();
        assertThat(batcher.closed()).isTrue();
        assertThatThrownBy(batcher::join).hasMessageContaining("the engine is closed");
    }
}

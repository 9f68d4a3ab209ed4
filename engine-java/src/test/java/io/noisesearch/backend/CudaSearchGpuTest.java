package io.noisesearch.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.noisesearch.backend.TransferMeter.Direction;
import io.noisesearch.backend.TransferMeter.Payload;
import io.noisesearch.engine.Engine;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.search.BeamSearch;
import io.noisesearch.search.EvolutionSearch;
import io.noisesearch.search.GradientSearch;
import io.noisesearch.search.PathSearch;
import io.noisesearch.search.PruneSearch;
import io.noisesearch.search.RandomSearch;
import io.noisesearch.search.Resampling;
import io.noisesearch.search.SearchAlgorithm;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.SearchResult;
import io.noisesearch.search.SmcSearch;
import io.noisesearch.search.ZeroOrderSearch;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Whole searches on the device: the same winners as the host, no candidate tensor crossing to the host, and device
 * memory back where it started. Needs a GPU: skipped, with the reason, where there is none.
 */
@Tag("gpu")
class CudaSearchGpuTest {

    private static final List<SearchAlgorithm> ALGORITHMS = List.of(
            new RandomSearch(12),
            new ZeroOrderSearch(5, 3, 0.9, Double.NaN),
            new PathSearch(3, 3, 0.4, 0.05, 0.15, 2), new GradientSearch(4, 3, 0.9));

    /**
     * The algorithms from the field (issue 14): smc on Euler-Maruyama (each step's noise drawn by the contract on
     * either side, resampling on the host from the scores), beam breadth and depth first, evolution, prune.
     */
    private static final List<SearchAlgorithm> FIELD = List.of(
            new SmcSearch(8, SmcSearch.Potential.DIFFERENCE, 0.3, Resampling.SYSTEMATIC, 1, 1, 1, 0),
            new BeamSearch(2, 3, List.of(0.7, 0.4), 0.95, "bfs", Double.NaN),
            new BeamSearch(2, 2, List.of(0.7, 0.4), 0.95, "dfs", -5),
            new EvolutionSearch(List.of(6), 3, 2, 0.9, 0.98),
            new PruneSearch(16, List.of(0.7, 0.4), 4));

    @BeforeEach
    void requireDevice() {
        CudaDevice.require();
    }

    @Test
    void gmmImageSearchesPickTheSameWinningKeysOnHostAndDevice() {
        assertSameWinners(ALGORITHMS, UnaryOperator.identity());
    }

    @Test
    void theFieldsAlgorithmsPickTheSameWinnersOnHostAndDevice() {
        SolverSettings maruyama = new SolverSettings(SolverKind.EULER_SDE, 10);
        SolverSettings heun = new SolverSettings(SolverKind.HEUN, 10);
        assertSameWinners(FIELD, request -> request.algorithm() instanceof SmcSearch
                ? request.withSolvers(maruyama, heun) : request);
    }

    private static void assertSameWinners(List<SearchAlgorithm> algorithms, UnaryOperator<SearchRequest> solvers) {
        try (Engine host = Engine.open("host", 0); Engine device = Engine.open(Backends.open("cuda"), 0, 1)) {
            for (SearchAlgorithm algorithm : algorithms) {
                for (int label : new int[] {0, 3, 7}) {
                    SearchRequest request = solvers.apply(
                            SearchRequest.of("gmm-image", label, algorithm, "oracle", 4242 + label));
                    SearchResult onHost = host.search(request);
                    SearchResult onDevice = device.search(request);
                    String what = algorithm.id() + " class " + label;
                    assertThat(onDevice.key()).as(what).isEqualTo(onHost.key());
                    assertThat(onDevice.lineage()).as(what).isEqualTo(onHost.lineage());
                    assertThat((double) onDevice.score()).as(what).isCloseTo(onHost.score(),
                            org.assertj.core.api.Assertions.within(1e-4 * Math.max(1, Math.abs(onHost.score()))));
                }
            }
        }
    }

    @Test
    void concurrentSearchesOnTheDeviceGiveTheSequentialResults() throws Exception {
        // Four request threads, each search on a lane of its own (stream, workspace, graphs), one memory pool.
        try (Engine device = Engine.open(Backends.open("cuda"), 0, 4)) {
            List<SearchRequest> requests = new java.util.ArrayList<>();
            for (int i = 0; i < 24; i++) {
                String verifier = i % 4 == 3 ? "ensemble:oracle,posterior" : "oracle";
                requests.add(SearchRequest.of("gmm-image", i % 10, ALGORITHMS.get(i % ALGORITHMS.size()), verifier,
                        500 + i).withBatchSize(i % 2 == 0 ? 256 : 5));
            }
            List<java.util.concurrent.CompletableFuture<SearchResult>> futures =
                    requests.stream().map(device::submit).toList();
            for (int i = 0; i < requests.size(); i++) {
                SearchResult concurrent = futures.get(i).get();
                SearchResult sequential = device.search(requests.get(i));
                assertThat(concurrent.key()).as("request " + i).isEqualTo(sequential.key());
                assertThat(concurrent.score()).as("request " + i).isEqualTo(sequential.score());
                assertThat(concurrent.sample()).as("request " + i).isEqualTo(sequential.sample());
            }
        }
    }

    @Test
    void noCandidateTensorCrossesBetweenHostAndDeviceDuringASearch() {
        CudaBackend cuda = (CudaBackend) Backends.open("cuda");
        try (Engine engine = Engine.open(cuda, 0, 1)) {
            for (SearchAlgorithm algorithm : ALGORITHMS) {
                SearchRequest request = SearchRequest.of("gmm-image", 5, algorithm, "oracle", 17);
                engine.search(request); // loads the model: its parameters are the only tensor upload
                TransferMeter transfers = cuda.transfers();
                long uploaded = transfers.bytes(Direction.UPLOAD, Payload.TENSOR);
                long downloaded = transfers.bytes(Direction.DOWNLOAD, Payload.TENSOR);

                SearchResult result = engine.search(request);

                assertThat(transfers.bytes(Direction.UPLOAD, Payload.TENSOR)).as(algorithm.id()).isEqualTo(uploaded);
                // The returned winner is the one tensor that comes back.
                assertThat(transfers.bytes(Direction.DOWNLOAD, Payload.TENSOR) - downloaded).as(algorithm.id())
                        .isEqualTo((long) result.sample().length * Batch.FLOAT_BYTES);
                // The request's own counts say the same.
                assertThat(result.transfers().device()).isTrue();
                assertThat(result.transfers().bytes(Direction.UPLOAD, Payload.TENSOR)).as(algorithm.id()).isZero();
                assertThat(result.transfers().bytes(Direction.DOWNLOAD, Payload.TENSOR)).as(algorithm.id())
                        .isEqualTo((long) result.sample().length * Batch.FLOAT_BYTES);
            }
        }
    }

    @Test
    void deviceMemoryReturnsToItsStartingValueAfterAThousandSearches() {
        CudaBackend cuda = (CudaBackend) Backends.open("cuda");
        try (Engine engine = Engine.open(cuda, 0, 1)) {
            // Model parameters, lazily loaded kernels, and the lane's workspace with a graph per class (the label is
            // a kernel argument of the recorded solve): what a search of each class keeps for the next.
            for (int label = 0; label < 10; label++) {
                engine.search(SearchRequest.of("gmm-image", label, new RandomSearch(8), "oracle", 3));
            }
            long allocated = cuda.allocatedBytes();
            long reserved = cuda.reservedBytes();
            long free = cuda.deviceMemory()[0];
            for (int i = 0; i < 1_000; i++) {
                engine.search(SearchRequest.of("gmm-image", i % 10, new RandomSearch(8), "oracle", i));
            }
            assertThat(cuda.allocatedBytes()).isEqualTo(allocated);
            assertThat(cuda.reservedBytes()).as("the pool did not grow: no driver allocation in the loop")
                    .isEqualTo(reserved);
            assertThat(cuda.deviceMemory()[0]).isEqualTo(free);
        }
    }

    @Test
    void kernelTimeIsPositiveAndBelowTheWallTimeOfASearch() {
        CudaBackend cuda = (CudaBackend) Backends.open("cuda");
        try (Engine engine = Engine.open(cuda, 0, 1)) {
            SearchRequest request = SearchRequest.of("gmm-image", 4, new RandomSearch(256), "oracle", 8);
            engine.search(request);
            cuda.timeKernels(true);
            long start = System.nanoTime();
            engine.search(request);
            double wall = (System.nanoTime() - start) / 1e6;
            double device = cuda.kernelMillis();
            assertThat(device).isPositive().isLessThan(wall);
        }
    }
}

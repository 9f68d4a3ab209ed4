package io.noisesearch.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.noisesearch.InvalidRequestException;
import io.noisesearch.backend.Backends;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.CudaBackend;
import io.noisesearch.backend.Kernels;
import io.noisesearch.engine.Engine;
import io.noisesearch.sampling.Sampler;
import io.noisesearch.search.RandomSearch;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.SearchResult;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * The GPU benchmarks of the GPU issue, for scripts/gpu-check (a machine with a GPU and no JMH run time to spare):
 * <ul>
 *   <li>{@code kernels}: device time per call (CUDA events) of the noise and solver-update kernels on 256 MiB
 *   batches, as bandwidth (bytes read + written per second) and as a share of the device-to-device copy
 *   bandwidth measured in the same run; target >= 80%.</li>
 *   <li>{@code search}: a {@code gmm-image} random search with 4,096 candidates: wall time, and device time of its
 *   calls (events around every call); orchestration = 1 - device time / wall time; target < 5% with graphs on.
 *   Graphs follow {@code -Dnoisesearch.graphs} (run once with and once without).</li>
 *   <li>{@code overheads}: the host cost of a launch, of a launch and a wait, of opening a stream and of an arena
 *   of batches, searches per second with 1 and 4 request threads, then 400 searches in a row for a profiler
 *   (Flight Recorder) to sample.</li>
 * </ul>
 * Usage: {@code GpuBenchmarks kernels|search|overheads OUT.json}. Prints a table and writes the numbers with the card's name.
 */
public final class GpuBenchmarks {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int ROWS = 65_536;
    private static final int DIM = 1_024;
    private static final long BATCH_BYTES = (long) ROWS * DIM * Batch.FLOAT_BYTES; // 256 MiB
    private static final int CALLS = 20;
    /** Searches per timed mean (seeds 10, 11, ...). */
    private static final int SEARCHES = 20;

    private GpuBenchmarks() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2 || !List.of("kernels", "search", "overheads").contains(args[0])) {
            System.err.println("usage: GpuBenchmarks kernels|search|overheads OUT.json");
            System.exit(2);
        }
        CudaBackend cuda;
        try {
            cuda = (CudaBackend) Backends.open("cuda");
        } catch (InvalidRequestException e) {
            System.err.println("GpuBenchmarks: " + e.getMessage());
            System.exit(2);
            return;
        }
        try (cuda) {
            ObjectNode root = JSON.createObjectNode();
            root.put("device", cuda.describe());
            root.put("graphs", Sampler.GRAPHS);
            switch (args[0]) {
                case "kernels" -> kernels(cuda, root);
                case "search" -> search(cuda, root);
                default -> overheads(cuda, root);
            }
            JSON.writeValue(Path.of(args[1]).toFile(), root);
        }
    }

    /** Device milliseconds per call of {@code kernel}, over {@link #CALLS} calls after two warm-up calls. */
    private static double millisPerCall(CudaBackend cuda, Consumer<Kernels> kernel) {
        try (Kernels stream = cuda.openStream(0)) {
            kernel.accept(stream);
            kernel.accept(stream);
            stream.synchronize();
            double before = cuda.kernelMillis();
            for (int i = 0; i < CALLS; i++) {
                kernel.accept(stream);
            }
            stream.synchronize();
            return (cuda.kernelMillis() - before) / CALLS;
        }
    }

    private static void kernels(CudaBackend cuda, ObjectNode root) {
        cuda.timeKernels(true);
        try (Arena arena = Arena.ofConfined()) {
            Batch x = cuda.allocate(arena, ROWS, DIM);
            Batch v1 = cuda.allocate(arena, ROWS, DIM);
            Batch v2 = cuda.allocate(arena, ROWS, DIM);
            Batch out = cuda.allocate(arena, ROWS, DIM);
            try (Kernels init = cuda.openStream(0)) {
                init.gaussianNoise(x, 1, 0);
                init.gaussianNoise(v1, 2, 0);
                init.gaussianNoise(v2, 3, 0);
                init.synchronize();
            }
            root.put("batchMiB", BATCH_BYTES >> 20);
            ArrayNode rows = root.putArray("kernels");
            double copy = bandwidth(rows, "copy", 2, millisPerCall(cuda, k -> k.copy(x, out)), 0);
            bandwidth(rows, "gaussianNoise", 1, millisPerCall(cuda, k -> k.gaussianNoise(out, 7, 0)), copy);
            bandwidth(rows, "forwardNoise", 2, millisPerCall(cuda, k -> k.forwardNoise(out, 7, 0, 0.9f, 0.1f)), copy);
            bandwidth(rows, "eulerStep", 3, millisPerCall(cuda, k -> k.eulerStep(x, v1, out, -0.05f)), copy);
            bandwidth(rows, "heunStep", 4, millisPerCall(cuda, k -> k.heunStep(x, v1, v2, out, -0.05f)), copy);
            bandwidth(rows, "cfgCombine", 3, millisPerCall(cuda, k -> k.cfgCombine(v1, v2, out, 2f)), copy);
            root.put("copyGBps", copy);
        }
    }

    /** One table row: {@code batches} batches of traffic per call; returns GB/s. */
    private static double bandwidth(ArrayNode rows, String kernel, int batches, double millis, double copy) {
        double gbps = batches * BATCH_BYTES / (millis * 1e-3) / 1e9;
        ObjectNode row = rows.addObject();
        row.put("kernel", kernel);
        row.put("millisPerCall", millis);
        row.put("bytesPerCall", batches * BATCH_BYTES);
        row.put("GBps", gbps);
        double share = copy == 0 ? 100 : 100 * gbps / copy;
        row.put("percentOfCopy", share);
        System.out.printf(Locale.ROOT, "%-14s %9.3f ms/call %9.1f GB/s %6.1f%% of copy%n", kernel, millis, gbps, share);
        return gbps;
    }

    private static void search(CudaBackend cuda, ObjectNode root) {
        ArrayNode runs = root.putArray("searches");
        try (Engine engine = Engine.open(cuda, 0, 1)) {
            for (int batch : new int[] {256, 4096}) {
                SearchRequest request = SearchRequest.of("gmm-image", 3, new RandomSearch(4096), "oracle", 1)
                        .withBatchSize(batch);
                engine.search(request);
                engine.search(request.withSeed(2));
                // Untimed wall time first (no events), then wall and device time with events around every call.
                double plain = wallMillis(engine, request, SEARCHES);
                cuda.timeKernels(true);
                double before = cuda.kernelMillis();
                double timed = wallMillis(engine, request, SEARCHES);
                double device = (cuda.kernelMillis() - before) / SEARCHES;
                cuda.timeKernels(false);
                // Against the timed wall (events around every call add host work) and the untimed one (the same
                // searches, seeds 10..14, run without events: the device work is the same).
                double orchestration = 100 * (1 - device / timed);
                double orchestrationUntimed = 100 * (1 - device / plain);
                ObjectNode run = runs.addObject();
                run.put("candidates", 4096);
                run.put("batchSize", batch);
                run.put("wallMillis", plain);
                run.put("wallMillisTimed", timed);
                run.put("deviceMillis", device);
                run.put("orchestrationPercent", orchestration);
                run.put("orchestrationPercentOfUntimedWall", orchestrationUntimed);
                System.out.printf(Locale.ROOT, "random N=4096 batch %4d graphs %-5s wall %8.2f ms (timed %8.2f)"
                        + " device %8.2f ms orchestration %5.1f%% (of the untimed wall %5.1f%%)%n", batch,
                        Sampler.GRAPHS, plain, timed, device, orchestration, orchestrationUntimed);
            }
        }
    }

    /**
     * What a search pays outside its kernels, piece by piece: opening and closing a stream that stages one score
     * array (its pinned buffer), an arena of a search's batches from the pool, and a long run of 4,096-candidate
     * searches for a profiler to sample.
     */
    private static void overheads(CudaBackend cuda, ObjectNode root) {
        int count = 200;
        float[] scores = new float[4096];
        long start = System.nanoTime();
        try (Arena arena = Arena.ofConfined()) {
            Batch x = cuda.allocate(arena, 4096, 784);
            for (int i = 0; i < count; i++) {
                try (Kernels stream = cuda.openStream(0)) {
                    stream.rowNorm(x, scores);
                }
            }
        }
        double streamMicros = (System.nanoTime() - start) / 1e3 / count;
        start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            try (Arena arena = Arena.ofConfined()) {
                for (int b = 0; b < 7; b++) {
                    cuda.allocate(arena, 4096, 784);
                }
            }
        }
        double arenaMicros = (System.nanoTime() - start) / 1e3 / count;
        // The host cost of one kernel launch (a one-row copy, queued without waiting) and of a launch + wait.
        double launchMicros;
        double roundTripMicros;
        try (Arena arena = Arena.ofConfined(); Kernels stream = cuda.openStream(0)) {
            Batch a = cuda.allocate(arena, 1, 784);
            Batch b = cuda.allocate(arena, 1, 784);
            for (int i = 0; i < 1000; i++) {
                stream.copy(a, b);
            }
            stream.synchronize();
            start = System.nanoTime();
            for (int i = 0; i < 10_000; i++) {
                stream.copy(a, b);
            }
            launchMicros = (System.nanoTime() - start) / 1e3 / 10_000;
            stream.synchronize();
            start = System.nanoTime();
            for (int i = 0; i < 2_000; i++) {
                stream.copy(a, b);
                stream.synchronize();
            }
            roundTripMicros = (System.nanoTime() - start) / 1e3 / 2_000;
        }
        root.put("launchMicros", launchMicros);
        root.put("launchAndSynchronizeMicros", roundTripMicros);
        System.out.printf(Locale.ROOT, "one launch %6.2f us (host); launch + synchronize %6.2f us%n", launchMicros,
                roundTripMicros);
        root.put("streamOpenStageCloseMicros", streamMicros);
        root.put("arenaOfSevenBatchesMicros", arenaMicros);
        System.out.printf(Locale.ROOT, "stream open + one staged call + close %8.1f us; arena of 7 batches %8.1f us%n",
                streamMicros, arenaMicros);
        ArrayNode served = root.putArray("throughput");
        for (int threads : new int[] {1, 4}) {
            double perSecond = throughput(threads);
            served.addObject().put("requestThreads", threads).put("searchesPerSecond", perSecond);
            System.out.printf(Locale.ROOT, "random N=256 batch 256, %d request thread(s): %8.1f searches/s%n",
                    threads, perSecond);
        }
        try (Engine engine = Engine.open(cuda, 0, 1)) {
            SearchRequest request = SearchRequest.of("gmm-image", 3, new RandomSearch(4096), "oracle", 1)
                    .withBatchSize(4096);
            wallMillis(engine, request, 20);
            double wall = wallMillis(engine, request, 400);
            root.put("searchWallMillis", wall);
            System.out.printf(Locale.ROOT, "random N=4096 batch 4096 graphs %-5s wall %8.2f ms (mean of 400)%n",
                    Sampler.GRAPHS, wall);
        }
    }

    /**
     * Searches per second of an engine serving {@code threads} request threads: 256-candidate random searches
     * (batch 256), 20 per thread after a warm-up round.
     */
    private static double throughput(int threads) {
        // An engine closes its backend: each gets one of its own.
        try (Engine engine = Engine.open(Backends.open("cuda"), 0, threads)) {
            serve(engine, 2 * threads);
            int count = 20 * threads;
            long start = System.nanoTime();
            serve(engine, count);
            return count / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** Submits {@code count} 256-candidate random searches (classes and seeds in turn) and waits for them all. */
    private static void serve(Engine engine, int count) {
        IntStream.range(0, count)
                .mapToObj(i -> engine.submit(SearchRequest.of("gmm-image", i % 10, new RandomSearch(256), "oracle",
                        100 + i)))
                .toList()
                .forEach(CompletableFuture::join);
    }

    /** Mean wall milliseconds of {@code count} searches (seeds 10, 11, ...). */
    private static double wallMillis(Engine engine, SearchRequest request, int count) {
        long total = 0;
        for (int i = 0; i < count; i++) {
            SearchRequest r = request.withSeed(10 + i);
            long start = System.nanoTime();
            SearchResult result = engine.search(r);
            total += System.nanoTime() - start;
            if (!Float.isFinite(result.score())) {
                throw new IllegalStateException("search returned a non-finite score");
            }
        }
        return total / 1e6 / count;
    }
}

package io.noisesearch.bench;

import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import io.noisesearch.engine.Engine;
import io.noisesearch.model.Denoiser;
import io.noisesearch.model.ImageModel;
import io.noisesearch.model.ModelManifest;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.search.PathSearch;
import io.noisesearch.search.RandomSearch;
import io.noisesearch.search.SearchAlgorithm;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.ZeroOrderSearch;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;

/**
 * Where a search's Java heap allocation comes from: bytes allocated on the calling thread (exact, from the JVM's
 * per-thread counter, after warm-up) per search at two pool sizes and the slope per candidate, then per call of
 * the pieces a search repeats (denoiser, verifier model, solver kernel, noise, a batch slice). Complements
 * SearchBenchmark's -prof gc, which counts every thread and needs long warm-ups for seconds-long searches.
 * <p>
 * Usage: {@code AllocationProbe [model] [batch] [repetitions]}, defaults {@code gmm-image 16 200}; the searches are
 * SearchBenchmark's (class 3, Euler x10, pools 16 and 64).
 */
public final class AllocationProbe {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private AllocationProbe() {
    }

    /** Bytes the calling thread allocates per run of {@code work}, after as many runs again to warm up. */
    private static double bytesPerRun(Runnable work, int runs) {
        for (int i = 0; i < runs; i++) {
            work.run();
        }
        long before = THREADS.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < runs; i++) {
            work.run();
        }
        return (double) (THREADS.getCurrentThreadAllocatedBytes() - before) / runs;
    }

    private static SearchAlgorithm algorithm(String name, int pool) {
        return switch (name) {
            case "random" -> new RandomSearch(pool);
            case "zero-order" -> new ZeroOrderSearch(pool / 4, 4, 0.95, Double.NaN);
            default -> new PathSearch(pool / 16, 2, 0.4, 0.05, 0.1, 2);
        };
    }

    public static void main(String[] args) {
        String model = args.length > 0 ? args[0] : "gmm-image";
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 200;
        int[] pools = {16, 64};
        try (Engine engine = Engine.open("cpu", 0)) {
            String verifier = model.startsWith("gmm") ? "oracle" : "classifier";
            for (String name : List.of("random", "zero-order", "paths")) {
                double[] bytes = new double[pools.length];
                long[] candidates = new long[pools.length];
                for (int p = 0; p < pools.length; p++) {
                    SearchAlgorithm search = algorithm(name, pools[p]);
                    SearchRequest request = SearchRequest.of(model, 3, search, verifier, 20261130L)
                            .withSolvers(new SolverSettings(SolverKind.EULER, 10), null).withBatchSize(batch);
                    bytes[p] = bytesPerRun(() -> engine.search(request), runs);
                    candidates[p] = search.plannedCandidates();
                }
                System.out.printf(Locale.ROOT, "%s %s, batch %d: %d candidates %.0f B/search, %d candidates %.0f"
                        + " B/search: %.1f B per candidate%n", model, name, batch, candidates[0], bytes[0],
                        candidates[1], bytes[1], (bytes[1] - bytes[0]) / (candidates[1] - candidates[0]));
            }
            Denoiser denoiser = engine.model(model);
            Backend backend = engine.backend();
            try (Arena arena = Arena.ofShared(); Kernels kernels = backend.openStream(0)) {
                int dim = denoiser.info().dim();
                Batch x = backend.allocate(arena, batch, dim);
                Batch v = backend.allocate(arena, batch, dim);
                Batch out = backend.allocate(arena, batch, dim);
                kernels.gaussianNoise(x, 1, 0);
                int calls = 10 * runs;
                System.out.printf(Locale.ROOT, "per call on %d rows: denoiser %.0f B, eulerStep %.0f B,"
                                + " gaussianNoise %.0f B, Batch.rows %.0f B%n", batch,
                        bytesPerRun(() -> denoiser.predict(kernels, x, 0.5, 3, v), calls),
                        bytesPerRun(() -> kernels.eulerStep(x, v, out, 0.1f), calls),
                        bytesPerRun(() -> kernels.gaussianNoise(out, 5, 0), calls),
                        bytesPerRun(() -> x.rows(0, 1), calls));
                if (!model.startsWith("gmm")) {
                    ImageModel classifier = engine.auxiliary(denoiser, "classifier");
                    List<String> outputs = classifier.manifest().outputs().stream()
                            .map(ModelManifest.TensorSpec::name).toList();
                    System.out.printf(Locale.ROOT, "per call on %d rows: classifier %.0f B%n", batch,
                            bytesPerRun(() -> classifier.outputs(kernels, x, outputs), calls));
                }
            }
        }
    }
}

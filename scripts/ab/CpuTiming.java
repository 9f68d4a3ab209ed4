import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Backends;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import io.noisesearch.engine.Engine;
import io.noisesearch.model.Denoiser;
import io.noisesearch.model.ModelRepository;
import io.noisesearch.model.Precision;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.search.RandomSearch;
import io.noisesearch.search.SearchRequest;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Times the CPU path on a warm engine, in one process (scripts/ab-cpu runs it in fresh processes, interleaved).
 * {@code request THREADS CANDIDATES BATCH REPEATS}: random search on mnist-flow-s, Euler x10 over the candidates,
 * classifier score, Euler x25 for the winner; prints the median request time in ms.
 * {@code model THREADS ROWS REPEATS}: one denoiser call of ROWS rows; prints the median call time in ms.
 * JVM option -Dab.threads=N overrides THREADS (variants of a thread count); -Dab.precision=int8 runs the denoiser's
 * int8 variant (scripts/precision-check). The first line printed is the time from the start of main to the first request's end (cold).
 */
public final class CpuTiming {

    public static void main(String[] args) {
        long start = System.nanoTime();
        int threads = Integer.getInteger("ab.threads", Integer.parseInt(args[1]));
        Path models = Path.of(System.getProperty("noisesearch.models", "tensorrt-plans/models"));
        Precision precision = Precision.parse(System.getProperty("ab.precision", "fp32"), "-Dab.precision");
        try (Engine engine = Engine.open(Backends.open("cpu"), threads, 1, new ModelRepository(models), precision)) {
            double[] times = args[0].equals("request")
                    ? requests(engine, Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]), start)
                    : calls(engine, threads, Integer.parseInt(args[2]), Integer.parseInt(args[3]), start);
            Arrays.sort(times);
            System.out.printf("median_ms %.3f%n", times[times.length / 2]);
        }
    }

    private static double[] requests(Engine engine, int candidates, int batch, int repeats, long start) {
        SearchRequest request = new SearchRequest("mnist-flow-s", 3, new RandomSearch(candidates), "classifier",
                new SolverSettings(SolverKind.EULER, 10), new SolverSettings(SolverKind.EULER, 25), Double.NaN,
                SearchRequest.UNLIMITED, 0, batch);
        engine.search(request);
        System.out.printf("cold_ms %.3f%n", (System.nanoTime() - start) / 1e6);
        for (int i = 0; i < 2; i++) {
            engine.search(request.withSeed(i + 1));
        }
        double[] times = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            engine.search(request.withSeed(100 + i));
            times[i] = (System.nanoTime() - t0) / 1e6;
        }
        return times;
    }

    private static double[] calls(Engine engine, int threads, int rows, int repeats, long start) {
        Denoiser model = engine.model("mnist-flow-s");
        Backend backend = engine.backend();
        int dim = model.info().dim();
        try (Arena arena = Arena.ofConfined(); Kernels kernels = backend.openStream(threads)) {
            Batch x = backend.allocate(arena, rows, dim);
            Batch out = backend.allocate(arena, rows, dim);
            kernels.gaussianNoise(x, 7, 0);
            model.predict(kernels, x, 0.5, 3, out);
            System.out.printf("cold_ms %.3f%n", (System.nanoTime() - start) / 1e6);
            for (int i = 0; i < 20; i++) {
                model.predict(kernels, x, 0.5, 3, out);
            }
            double[] times = new double[repeats];
            for (int i = 0; i < repeats; i++) {
                long t0 = System.nanoTime();
                model.predict(kernels, x, 0.5, 3, out);
                times[i] = (System.nanoTime() - t0) / 1e6;
            }
            return times;
        }
    }
}

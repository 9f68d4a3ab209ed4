package io.noisesearch.bench;

import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import io.noisesearch.engine.Engine;
import io.noisesearch.model.Denoiser;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;

/**
 * What a denoiser call costs per row on this machine, by batch size and by how the cores are used: one caller on
 * an engine of all cores (intra-op threads) or of one thread, as many callers at once as cores on either (merged calls
 * in flight, one per core), and 16 callers of 16 rows on all cores (the load test's 16 searches without batching).
 * It gives the facts cross-request batching on the CPU rests on: whether a larger call costs less per row, and
 * whether concurrent calls beat one wide call.
 * Rounds of each configuration are interleaved and the best round is kept, so that a shared machine's noise
 * hurts every configuration alike.
 *
 * <p>Usage (scripts/batch-scaling): {@code BatchScaling MODEL ROWS_PER_ROUND ROUNDS BATCH[,BATCH...]}: each
 * configuration computes about ROWS_PER_ROUND rows a round (whole calls, at least one per caller).
 */
public final class BatchScaling {

    private BatchScaling() {
    }

    /** One way of running a round: {@code callers} threads at once, each calling batches of {@code batch} rows. */
    record Setup(String name, Engine engine, int callers, int batch) {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: BatchScaling MODEL ROWS_PER_ROUND ROUNDS BATCH[,BATCH...]");
            System.exit(2);
        }
        String model = args[0];
        int rowsPerRound = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        int[] batches = java.util.Arrays.stream(args[3].split(",")).mapToInt(Integer::parseInt).toArray();
        int cores = Runtime.getRuntime().availableProcessors();
        try (Engine wide = Engine.open("cpu", 0); Engine single = Engine.open("cpu", 1)) {
            List<Setup> setups = new ArrayList<>();
            for (int batch : batches) {
                setups.add(new Setup("1 caller, " + cores + " threads", wide, 1, batch));
                setups.add(new Setup("1 caller, 1 thread", single, 1, batch));
                setups.add(new Setup(cores + " callers, 1 thread each", single, cores, batch));
                setups.add(new Setup(cores + " callers, " + cores + " threads", wide, cores, batch));
            }
            // the load test's 16 searches without batching: 16 calls of 16 rows at once on the shared pool
            setups.add(new Setup("16 callers, " + cores + " threads", wide, 16, 16));
            double[] best = new double[setups.size()];
            java.util.Arrays.fill(best, Double.MAX_VALUE);
            for (Setup s : setups) {
                round(s, model, s.batch() * s.callers());
            }
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < setups.size(); i++) {
                    Setup s = setups.get(i);
                    int perCaller = Math.max(s.batch(), rowsPerRound / s.callers() / s.batch() * s.batch());
                    double seconds = round(s, model, perCaller);
                    best[i] = Math.min(best[i], seconds * 1e6 / ((double) perCaller * s.callers()));
                }
            }
            System.out.printf(Locale.ROOT, "%s: microseconds per row (best of %d rounds of about %d rows), %d cores%n",
                    model, rounds, rowsPerRound, cores);
            System.out.printf(Locale.ROOT, "%-28s %8s %12s%n", "how", "batch", "us/row");
            for (int i = 0; i < setups.size(); i++) {
                Setup s = setups.get(i);
                System.out.printf(Locale.ROOT, "%-28s %8d %12.0f%n", s.name(), s.batch(), best[i]);
            }
        }
    }

    /** Seconds for {@code s.callers()} threads to each run {@code rows} rows in calls of {@code s.batch()}. */
    private static double round(Setup s, String model, int rows) throws Exception {
        Denoiser denoiser = s.engine().model(model);
        Backend backend = s.engine().backend();
        CyclicBarrier start = new CyclicBarrier(s.callers() + 1);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < s.callers(); c++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try (Arena arena = Arena.ofConfined(); Kernels kernels = backend.openStream(1)) {
                    Batch x = backend.allocate(arena, s.batch(), denoiser.info().dim());
                    Batch out = backend.allocate(arena, s.batch(), denoiser.info().dim());
                    kernels.gaussianNoise(x, 1, 0);
                    start.await();
                    for (int done = 0; done < rows; done += s.batch()) {
                        denoiser.predict(kernels, x, 0.5, 3, out);
                        kernels.synchronize();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        start.await();
        long t0 = System.nanoTime();
        for (Thread t : threads) {
            t.join();
        }
        return (System.nanoTime() - t0) / 1e9;
    }
}

package io.noisesearch.bench;

import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import io.noisesearch.engine.Engine;
import io.noisesearch.model.Denoiser;
import io.noisesearch.model.ModelInfo;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.search.RandomSearch;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.SearchResult;
import io.noisesearch.verify.Verifier;
import io.noisesearch.verify.VerifierInput;
import io.noisesearch.verify.Verifiers;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Orchestration of a best-of-N search on the CPU: the wall of a warm random search (Euler search solves over
 * the candidates in batches, a verifier score per batch, the winner solved again with the final solver and scored)
 * against the same model calls, verifier calls and solver kernels replayed alone in the same run, interleaved
 * round by round. Orchestration = 1 - replayed time / search wall: what the search spends outside model calls and
 * kernels (Java loops, scheduling, bookkeeping).
 * <p>
 * Usage: {@code CpuOverheads [model] [verifier] [candidates] [batch] [threads] [rounds]}, defaults
 * {@code mnist-flow-s classifier 64 64 0 7} (threads 0: all cores). Search Euler x10, final Euler x25.
 */
public final class CpuOverheads {

    private static final SolverSettings SEARCH = new SolverSettings(SolverKind.EULER, 10);
    private static final SolverSettings FINAL = new SolverSettings(SolverKind.EULER, 25);

    private CpuOverheads() {
    }

    public static void main(String[] args) {
        String model = args.length > 0 ? args[0] : "mnist-flow-s";
        String verifierName = args.length > 1 ? args[1] : "classifier";
        int candidates = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        int threads = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        int rounds = args.length > 5 ? Integer.parseInt(args[5]) : 7;
        try (Engine engine = Engine.open("cpu", threads)) {
            Denoiser denoiser = engine.model(model);
            ModelInfo info = denoiser.info();
            if (info.defaultGuidance() != 1) {
                throw new IllegalArgumentException(model + " guides by default; the replay counts one pass an NFE");
            }
            Verifier verifier = Verifiers.create(verifierName, denoiser, role -> engine.auxiliary(denoiser, role));
            List<Double> walls = new ArrayList<>();
            List<Double> replays = new ArrayList<>();
            for (int round = -2; round < rounds; round++) { // two warm-up rounds
                SearchRequest request = SearchRequest.of(model, round & 7, new RandomSearch(candidates), verifierName,
                                100 + round).withSolvers(SEARCH, FINAL).withBatchSize(batch);
                long start = System.nanoTime();
                SearchResult result = engine.search(request, verifier);
                double wall = (System.nanoTime() - start) / 1e6;
                double replay = replay(engine.backend(), threads, denoiser, verifier, request, candidates, batch);
                if (result.compute().totalNfe() != (long) candidates * SEARCH.fullNfe() + FINAL.fullNfe()) {
                    throw new IllegalStateException("the search spent " + result.compute().totalNfe() + " NFEs");
                }
                if (round >= 0) {
                    walls.add(wall);
                    replays.add(replay);
                }
            }
            double wall = median(walls);
            double replay = median(replays);
            System.out.printf(Locale.ROOT, "%s + %s, %d candidates, batch %d, threads %d: search %.1f ms, model calls"
                            + " and kernels alone %.1f ms, orchestration %.1f%% (medians of %d rounds; per-round"
                            + " shares %s)%n", model, verifierName, candidates, batch, threads, wall, replay,
                    100 * (1 - replay / wall), rounds, shares(walls, replays));
        }
    }

    /** The search's model calls, verifier calls and kernels, alone: the same batch shapes, times and labels. */
    private static double replay(Backend backend, int threads, Denoiser denoiser, Verifier verifier,
                                 SearchRequest request, int candidates, int batch) {
        ModelInfo info = denoiser.info();
        double[] searchGrid = info.schedule().grid(1, 0, SEARCH.steps());
        double[] finalGrid = info.schedule().grid(1, 0, FINAL.steps());
        float[][] scores = new float[verifier.members().size()][Math.max(batch, 1)];
        try (Kernels kernels = backend.openStream(threads); Arena arena = Arena.ofConfined()) {
            Batch x = backend.allocate(arena, batch, info.dim());
            Batch v = backend.allocate(arena, batch, info.dim());
            long start = System.nanoTime();
            for (int first = 0; first < candidates; first += batch) {
                int rows = Math.min(batch, candidates - first);
                solve(kernels, denoiser, x.rows(0, rows), v.rows(0, rows), searchGrid, request);
                verifier.score(kernels, new VerifierInput(x.rows(0, rows), null, request.label()), scores, 0);
            }
            solve(kernels, denoiser, x.rows(0, 1), v.rows(0, 1), finalGrid, request);
            verifier.score(kernels, new VerifierInput(x.rows(0, 1), null, request.label()), scores, 0);
            return (System.nanoTime() - start) / 1e6;
        }
    }

    private static void solve(Kernels kernels, Denoiser denoiser, Batch x, Batch v, double[] grid,
                              SearchRequest request) {
        kernels.gaussianNoise(x, request.seed(), 0);
        for (int i = 0; i + 1 < grid.length; i++) {
            denoiser.predict(kernels, x, grid[i], request.label(), v);
            kernels.eulerStep(x, v, x, (float) (grid[i + 1] - grid[i]));
        }
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String shares(List<Double> walls, List<Double> replays) {
        String[] out = new String[walls.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = String.format(Locale.ROOT, "%.1f%%", 100 * (1 - replays.get(i) / walls.get(i)));
        }
        return Arrays.toString(out);
    }
}

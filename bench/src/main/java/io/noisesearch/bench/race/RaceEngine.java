package io.noisesearch.bench.race;

import io.noisesearch.NoiseSearchException;
import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Backends;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import io.noisesearch.engine.Engine;
import io.noisesearch.format.Json;
import io.noisesearch.model.ModelInfo;
import io.noisesearch.model.ModelRepository;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.search.RandomSearch;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.SearchResult;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The engine's side of the race against PyTorch (scripts/race): the race's request through the Engine API in one
 * warm process, and the host noise yardstick. Each command prints one JSON object on stdout.
 * <ul>
 *   <li>{@code search}: random search over N candidates of mnist-flow-s, Euler x10, the classifier verifier, the
 *   winner re-solved with Euler x25; warm-up rounds, then timed rounds of the whole request; the winner, its scores,
 *   and the time the search's noises take (the noise kernel on the same shapes and threads). {@code --noise-out}
 *   writes the candidates' noises for scripts/reference/torch_search.py.</li>
 *   <li>{@code noise}: the host Gaussian noise kernel on a [size, size] batch, elements per second.</li>
 * </ul>
 * Bad options: one line naming the option, exit 2; internal failures one line, exit 1.
 */
@Command(name = "race-engine", subcommands = {RaceEngine.Search.class, RaceEngine.Noise.class},
        description = "The engine's side of scripts/race.")
public final class RaceEngine implements Runnable {

    static final String DENOISER = "mnist-flow-s";
    static final String VERIFIER = "classifier";

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command with the engine's error conventions; tests run it in-process through this. */
    static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new RaceEngine());
        commandLine.setParameterExceptionHandler((error, args) -> {
            error.getCommandLine().getErr().println("race-engine: " + error.getMessage());
            return 2;
        });
        commandLine.setExecutionExceptionHandler((error, command, parsed) -> {
            boolean user = error instanceof NoiseSearchException e ? e.isUserError()
                    : error instanceof IllegalArgumentException;
            command.getErr().println("race-engine: " + (user ? "" : "internal error: ") + error.getMessage());
            return user ? 2 : 1;
        });
        return commandLine;
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: give search or noise");
    }

    /** Options both commands take. */
    abstract static class Timed {

        @Spec
        CommandSpec spec;

        @Option(names = "--threads", defaultValue = "1", description = "Kernel and ONNX Runtime threads (default 1).")
        int threads;

        @Option(names = "--rounds", defaultValue = "3", description = "Timed rounds (default 3).")
        int rounds;

        @Option(names = "--warmup", defaultValue = "2", description = "Rounds before timing (default 2).")
        int warmup;

        void print(String json) {
            spec.commandLine().getOut().println(json);
            spec.commandLine().getOut().flush();
        }

        void checkTimed() {
            int cores = Runtime.getRuntime().availableProcessors();
            if (threads < 1 || threads > cores) {
                throw new ParameterException(spec.commandLine(), "--threads must lie in 1.." + cores + ", got "
                        + threads);
            }
            if (rounds < 1) {
                throw new ParameterException(spec.commandLine(), "--rounds must be at least 1, got " + rounds);
            }
            if (warmup < 0) {
                throw new ParameterException(spec.commandLine(), "--warmup must be at least 0, got " + warmup);
            }
        }
    }

    @Command(name = "search", description = "The race's request, timed warm through the Engine API.")
    static final class Search extends Timed implements Callable<Integer> {

        @Option(names = "--candidates", required = true, description = "N, the random search's candidates.")
        int candidates;

        @Option(names = "--batch", required = true, description = "Candidate rows per solve.")
        int batch;

        @Option(names = "--seed", defaultValue = "1", description = "The request's seed (default 1).")
        long seed;

        @Option(names = "--class", defaultValue = "3", description = "The class label (default 3).")
        int label;

        @Option(names = "--noise-out", description = "Write the candidates' noises here (.npy, float32 [N, 1, 28, 28]).")
        Path noiseOut;

        @Override
        public Integer call() throws IOException {
            checkTimed();
            if (candidates < 1 || batch < 1) {
                throw new ParameterException(spec.commandLine(), "--candidates and --batch must be at least 1, got "
                        + candidates + " and " + batch);
            }
            SearchRequest request = request(candidates, batch, label, seed);
            try (Engine engine = Engine.open(Backends.open("cpu"), threads, 1, ModelRepository.fromEnvironment())) {
                ModelInfo model = engine.model(DENOISER).info();
                if (noiseOut != null) {
                    CandidateNoise.write(engine.backend(), threads, seed, candidates, model, noiseOut);
                }
                double[] millis = new double[rounds];
                SearchResult result = null;
                for (int round = -warmup; round < rounds; round++) {
                    long start = System.nanoTime();
                    SearchResult current = engine.search(request);
                    double elapsed = (System.nanoTime() - start) / 1e6;
                    if (result != null && current.key() != result.key()) {
                        throw new IllegalStateException("the rounds chose different winners: " + result.key()
                                + " and " + current.key());
                    }
                    result = current;
                    if (round >= 0) {
                        millis[round] = elapsed;
                    }
                }
                double noiseMillis = noiseMillis(engine.backend(), threads, candidates, model.dim(), rounds + warmup);
                print(Json.line(report(request, result, millis, noiseMillis)));
            }
            return 0;
        }

        private Map<String, Object> report(SearchRequest request, SearchResult result, double[] millis,
                                           double noiseMillis) {
            double median = median(millis);
            int index = (int) (result.key() - CandidateNoise.FIRST_KEY);
            Map<String, Object> winner = new LinkedHashMap<>();
            winner.put("index", index);
            winner.put("key", result.key());
            winner.put("keyHex", Long.toHexString(result.key()));
            winner.put("searchScore", result.trace().getFirst().scores()[index]);
            winner.put("score", result.score());
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("threads", threads);
            out.put("candidates", candidates);
            out.put("batch", request.batchSize());
            out.put("label", request.label());
            out.put("seed", request.seed());
            out.put("guidance", result.guidance());
            out.put("roundsMs", millis);
            out.put("medianMs", median);
            out.put("winner", winner);
            out.put("compute", result.compute());
            out.put("noiseMs", noiseMillis);
            out.put("noiseShare", noiseMillis / median);
            return out;
        }
    }

    /** The race's request: random search, Euler x10 to search, Euler x25 for the winner, the model's guidance. */
    static SearchRequest request(int candidates, int batch, int label, long seed) {
        return new SearchRequest(DENOISER, label, new RandomSearch(candidates), VERIFIER,
                new SolverSettings(SolverKind.EULER, 10), new SolverSettings(SolverKind.EULER, 25), Double.NaN,
                SearchRequest.UNLIMITED, seed, batch);
    }

    /**
     * The noise a random search of {@code candidates} draws (its pool, then the winner's row again for the final
     * solve), timed on the same kernel and threads as the search's lane: the median of {@code rounds} rounds.
     */
    static double noiseMillis(Backend backend, int threads, int candidates, int dim, int rounds) {
        try (Arena arena = Arena.ofConfined(); Kernels kernels = backend.openStream(threads)) {
            Batch pool = backend.allocate(arena, candidates, dim);
            Batch winner = backend.allocate(arena, 1, dim);
            double[] millis = new double[Math.max(rounds, 20)];
            for (int round = 0; round < millis.length; round++) {
                long start = System.nanoTime();
                kernels.gaussianNoise(pool, round, CandidateNoise.FIRST_KEY);
                kernels.gaussianNoise(winner, round, CandidateNoise.FIRST_KEY);
                kernels.synchronize();
                millis[round] = (System.nanoTime() - start) / 1e6;
            }
            return median(millis);
        }
    }

    @Command(name = "noise", description = "The host noise kernel on a [size, size] batch, elements per second.")
    static final class Noise extends Timed implements Callable<Integer> {

        @Option(names = "--size", defaultValue = "4096", description = "Rows and columns (default 4096).")
        int size;

        @Override
        public Integer call() {
            checkTimed();
            if (size < 1 || (long) size * size > Integer.MAX_VALUE) {
                throw new ParameterException(spec.commandLine(), "--size must lie in 1..46340, got " + size);
            }
            List<Double> rates = new ArrayList<>();
            try (Backend backend = Backends.open("cpu"); Arena arena = Arena.ofConfined();
                 Kernels kernels = backend.openStream(threads)) {
                Batch batch = backend.allocate(arena, size, size);
                for (int round = -warmup; round < rounds; round++) {
                    long start = System.nanoTime();
                    kernels.gaussianNoise(batch, round, 0);
                    kernels.synchronize();
                    double seconds = (System.nanoTime() - start) / 1e9;
                    if (round >= 0) {
                        rates.add((double) size * size / seconds);
                    }
                }
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("threads", threads);
            out.put("elements", (long) size * size);
            out.put("elementsPerSecond", rates);
            out.put("medianElementsPerSecond", median(rates.stream().mapToDouble(Double::doubleValue).toArray()));
            print(Json.line(out));
            return 0;
        }
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}

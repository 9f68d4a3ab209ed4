package io.noisesearch.profile;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Kernels;
import io.noisesearch.engine.Engine;
import io.noisesearch.metrics.Evaluator;
import io.noisesearch.model.Denoiser;
import io.noisesearch.model.DifferentiableDenoiser;
import io.noisesearch.model.ModelInfo;
import io.noisesearch.model.TrainedModel;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.search.BeamSearch;
import io.noisesearch.search.NoSearch;
import io.noisesearch.search.PathSearch;
import io.noisesearch.search.SearchAlgorithm;
import io.noisesearch.search.SearchPlan;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.SearchResult;
import io.noisesearch.search.SmcSearch;
import io.noisesearch.search.SolveCache;
import io.noisesearch.verify.DifferentiableVerifier;
import io.noisesearch.verify.Verifier;
import io.noisesearch.verify.VerifierInput;
import io.noisesearch.verify.Verifiers;

import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A sweep's configurations on an engine: checked against the models before anything runs, planned (closed-form
 * NFEs, for {@code --dry-run}) and measured: the evaluation set through {@link Engine#search}, its quality by the
 * model's evaluation network (trained models) or the exact oracle (mixtures), its compute from the searches' meters.
 */
public final class Profiler {

    /**
     * What a configuration will cost per sample by the closed forms (docs/architecture.md, compute accounting).
     * {@code budgetNfe}: the search budget in NFEs (null: none), a budget in GFLOPs converted.
     */
    public record Plan(Configuration configuration, SolverSettings search, SolverSettings last, long searchNfe,
                       long cappedSearchNfe, long finalNfe, int passes, double denoiserGflops, int samples,
                       Long budgetNfe) {
    }

    private final Engine engine;
    private final String source;
    private final Overrides overrides;
    /** Units run at once (--workers): above 1 the heap's peak is the process's since the run began, not reset. */
    private final int workers;
    private final SolveCache cache;

    /** @param source the sweep file's name, for messages */
    public Profiler(Engine engine, String source) {
        this(engine, source, Overrides.NONE, null, 1);
    }

    /**
     * @param overrides the {@code --set} options, so that a message names the option that set a bad value
     * @param cache     where keyed candidates' solves and scores are kept across configurations and runs; null: none
     * @param workers   how many units run at once on the engine; each result's {@code measured} says so above 1
     */
    public Profiler(Engine engine, String source, Overrides overrides, SolveCache cache, int workers) {
        this.engine = engine;
        this.source = source;
        this.overrides = overrides;
        this.cache = cache;
        this.workers = workers;
    }

    /**
     * Every model opens, every verifier builds for every model, the classes exist, and trained models have an
     * evaluation network with more than k = 3 samples to measure; else one line naming the sweep's key.
     */
    public void check(Sweep sweep) {
        for (int i = 0; i < sweep.models().size(); i++) {
            String key = sweep.models().size() > 1 ? "models[" + i + "]" : "models";
            String name = sweep.models().get(i);
            Denoiser model = resolve(key, () -> engine.model(name));
            checkEvaluation(sweep.evaluation(), model, key);
            for (int j = 0; j < sweep.verifiers().size(); j++) {
                String verifier = sweep.verifiers().get(j);
                String at = sweep.verifiers().size() > 1 ? "verifiers[" + j + "]" : "verifiers";
                Verifier created = resolve(at, () -> engine.verifier(verifier, model),
                        " (model " + model.info().name() + ")");
                checkGradient(sweep, model, created);
                checkCapture(sweep, model, verifier, created);
            }
        }
        checkSolvers(sweep);
    }

    /** A capturing verifier (ssl@T) must capture where beam search takes its capture, as the engine checks it. */
    private void checkCapture(Sweep sweep, Denoiser model, String verifierName, Verifier verifier) {
        for (Configuration c : sweep.configurations()) {
            if (c.model().equals(model.info().name()) && c.verifier().equals(verifierName)
                    && c.searchAlgorithm() instanceof BeamSearch beam) {
                String problem = beam.captureProblem(model.info(), verifier.captureTime());
                if (problem != null) {
                    throw error(entryKey(sweep, c), problem);
                }
            }
        }
    }

    /**
     * As the engine refuses the request: a stochastic search solver only for the algorithms that take one, and one
     * where the algorithm needs it (beam's step children), before anything runs; the line names the entry.
     */
    private void checkSolvers(Sweep sweep) {
        for (Configuration c : sweep.configurations()) {
            SolverSettings last = c.finalSolver().resolve(engine.model(c.model()).info().defaultSolver());
            SolverSettings search = c.searchSolver().resolve(last);
            SearchAlgorithm algorithm = c.searchAlgorithm();
            String needs = algorithm.requiresStochasticSolver();
            String problem = search.stochastic() && !algorithm.acceptsStochasticSolver()
                    ? c.algorithm() + " needs an ODE search solver (euler, heun, ddim with eta 0), got " + search
                    : !search.stochastic() && needs != null
                    ? needs + " needs a stochastic search solver (euler-sde, ddpm, ddim with eta > 0), got " + search
                    : null;
            if (problem != null) {
                throw error(entryKey(sweep, c), problem);
            }
        }
    }

    /** The key of the algorithm entry a configuration comes from: algorithms[i]. */
    private static String entryKey(Sweep sweep, Configuration c) {
        for (int a = 0; a < sweep.algorithms().size(); a++) {
            AlgorithmAxes entry = sweep.algorithms().get(a);
            if (entry.name().equals(c.algorithm()) && entry.combinations().contains(c.parameters())) {
                return "algorithms[" + a + "]";
            }
        }
        return "algorithms";
    }

    /** First-order search needs a closed-form gradient of the model and the verifier: refused before anything runs. */
    private void checkGradient(Sweep sweep, Denoiser model, Verifier verifier) {
        for (int a = 0; a < sweep.algorithms().size(); a++) {
            if (!sweep.algorithms().get(a).name().equals("gradient")) {
                continue;
            }
            if (!(model instanceof DifferentiableDenoiser)) {
                throw error("algorithms[" + a + "]", "gradient needs a closed-form gradient, which model "
                        + model.info().name() + " has not (the exact mixtures have one)");
            }
            if (!(verifier instanceof DifferentiableVerifier)) {
                throw error("algorithms[" + a + "]", "gradient needs a closed-form gradient, which verifier "
                        + verifier.name() + " has not (oracle and posterior have one)");
            }
        }
    }

    private void checkEvaluation(EvaluationSet set, Denoiser model, String modelKey) {
        ModelInfo info = model.info();
        List<Integer> classes = set.classesOf(info.classes());
        for (int k = 0; k < classes.size(); k++) {
            if (classes.get(k) >= info.classes()) {
                throw error(set.classes().size() > 1 ? "evaluation.classes[" + k + "]" : "evaluation.classes",
                        classes.get(k) + " is outside 0.." + (info.classes() - 1) + " for model " + info.name());
            }
        }
        if (model instanceof TrainedModel) {
            resolve(modelKey, () -> engine.evaluator(model));
            int samples = set.samples(info.classes());
            if (samples <= Evaluator.K) {
                throw error("evaluation.perClass", "the evaluation network of " + info.name() + " needs more than "
                        + Evaluator.K + " samples, the set has " + samples + " (" + classes.size() + " classes x "
                        + set.perClass() + " per class)");
            }
        }
    }

    /** The closed-form cost of one sample of a configuration. */
    public Plan plan(Configuration c) {
        ModelInfo info = engine.model(c.model()).info();
        SolverSettings last = c.finalSolver().resolve(info.defaultSolver());
        SolverSettings search = c.searchSolver().resolve(last);
        SearchAlgorithm algorithm = c.searchAlgorithm();
        long planned = algorithm.plannedSearchNfe(new SearchPlan(info.schedule(), search));
        // A guidance axis's "default" is kept as NaN: the model's scale, as the requests pass it to the engine.
        double scale = c.guidance() == null || c.guidance().isNaN() ? info.defaultGuidance() : c.guidance();
        int passes = scale != 1 ? 2 : 1;
        Long budget = c.budgetGflops() == null ? c.budgetNfe() : Long.valueOf(nfeWithin(c.budgetGflops(), passes, info));
        long capped = budget == null ? planned : Math.min(planned, budget);
        long finalNfe = switch (algorithm) {
            case NoSearch none -> last.fullNfe();
            case PathSearch paths -> 0;
            case SmcSearch smc -> 0;
            default -> search.equals(last) ? 0 : last.fullNfe();
        };
        double gflops = (double) (capped + finalNfe) * passes * info.flopsPerSample() / 1e9;
        return new Plan(c, search, last, planned, capped, finalNfe, passes, gflops,
                c.evaluation().samples(info.classes()), budget);
    }

    /**
     * The most search NFEs whose denoiser GFLOPs (forward passes, two per NFE with guidance, times the model's FLOPs
     * per pass, as results account them) stay within {@code gflops} per sample.
     */
    static long nfeWithin(double gflops, int passes, ModelInfo info) {
        // A budget of exactly k NFEs' GFLOPs, written in decimal, must not lose the k-th NFE to rounding.
        return (long) Math.floor(gflops * 1e9 / ((double) passes * info.flopsPerSample()) * (1 + 1e-12));
    }

    /**
     * The samples of requests [from, to) of a unit's configurations (see {@link #samples(List, int, int)}), with the
     * milliseconds spent on each configuration (its searches or derivations, then its evaluation network's outputs).
     *
     * @param pool the id of the unit's largest configuration when its configurations shared a pool (null: one alone)
     */
    public record UnitSamples(String pool, List<List<ProfileSample>> samples, long[] wallMillis,
                              long[] evaluationMillis) {
    }

    /** Generates the evaluation set with the configuration and measures it. */
    public ProfileResult run(Configuration c, int index) {
        return run(List.of(c), List.of(index)).getFirst();
    }

    /**
     * Best-of-N configurations that differ only in N ({@link PrefixReuse#units}) from one pool: the largest N's
     * searches, every smaller N derived from their first N candidates. Each result is what the configuration gives
     * alone (apart from {@code measured}); its {@code reuse} says what this run spent on it.
     */
    public List<ProfileResult> run(List<Configuration> group, List<Integer> indices) {
        List<MemoryPoolMXBean> heap = heapPools();
        resetPeaks(heap);
        Configuration first = group.getFirst();
        int count = first.evaluation().samples(engine.model(first.model()).info().classes());
        UnitSamples unit = samples(group, 0, count);
        List<ProfileResult> out = new ArrayList<>();
        for (int p = 0; p < group.size(); p++) {
            out.add(result(group.get(p), indices.get(p), unit.samples().get(p), unit.pool(), unit.wallMillis()[p],
                    unit.evaluationMillis()[p], heap.stream().mapToLong(h -> h.getPeakUsage().getUsed()).sum()));
        }
        return List.copyOf(out);
    }

    /**
     * The samples of requests [from, to) of the evaluation set ({@link #requests}: sample i has seed firstSeed + i)
     * for each configuration of a unit: one configuration, or best-of-N points that differ only in N, whose largest
     * configuration's searches make a pool and every other point is derived from their first N candidates.
     */
    public UnitSamples samples(List<Configuration> group, int from, int to) {
        int largest = 0;
        for (int p = 1; p < group.size(); p++) {
            largest = candidates(group.get(p)) > candidates(group.get(largest)) ? p : largest;
        }
        Configuration poolConfiguration = group.get(largest);
        Denoiser model = engine.model(poolConfiguration.model());
        Plan plan = plan(poolConfiguration);
        List<SearchRequest> requests = requests(poolConfiguration, plan, model.info()).subList(from, to);
        List<List<ProfileSample>> samples = new ArrayList<>(Collections.nCopies(group.size(), List.of()));
        long[] wall = new long[group.size()];
        long[] evaluation = new long[group.size()];
        long start = System.nanoTime();
        List<SearchResult> pool = requests.stream().map(this::search).toList();
        long generated = System.nanoTime();
        samples.set(largest, samples(model, pool, pool));
        long end = System.nanoTime();
        wall[largest] = (end - start) / 1_000_000;
        evaluation[largest] = (end - generated) / 1_000_000;
        if (group.size() == 1) {
            return new UnitSamples(null, List.copyOf(samples), wall, evaluation);
        }
        Verifier verifier = engine.verifier(poolConfiguration.verifier(), model);
        // Each sample's winners solved for the final sample so far, by key: points that share a winner share its solve.
        List<Map<Long, SearchResult>> solved = new ArrayList<>();
        pool.forEach(r -> solved.add(new HashMap<>()));
        for (int p = 0; p < group.size(); p++) {
            if (p == largest) {
                continue;
            }
            long begin = System.nanoTime();
            List<SearchResult> results = new ArrayList<>();
            List<SearchResult> spent = new ArrayList<>();
            for (int i = 0; i < pool.size(); i++) {
                PrefixReuse.Derived derived = PrefixReuse.derive(engine, requests.get(i), pool.get(i), verifier,
                        candidates(group.get(p)), solved.get(i), cache);
                results.add(derived.result());
                spent.add(derived.solved());
            }
            long derivedAt = System.nanoTime();
            samples.set(p, samples(model, results, spent));
            long done = System.nanoTime();
            wall[p] = (done - begin) / 1_000_000;
            evaluation[p] = (done - derivedAt) / 1_000_000;
        }
        return new UnitSamples(poolConfiguration.id(), List.copyOf(samples), wall, evaluation);
    }

    /**
     * The samples of {@code results}, with the evaluation network's outputs (trained models) or the oracle's
     * log-density (mixtures); {@code spent.get(i)} is the search this run made for result i (null: none).
     */
    private List<ProfileSample> samples(Denoiser model, List<SearchResult> results, List<SearchResult> spent) {
        Evaluator.Outputs outputs = null;
        double[] density = null;
        if (model instanceof TrainedModel) {
            float[][] images = new float[results.size()][];
            for (int i = 0; i < images.length; i++) {
                images[i] = results.get(i).sample();
            }
            outputs = engine.evaluator(model).run(images);
        } else {
            density = oracleLogDensities(model, results);
        }
        List<ProfileSample> samples = new ArrayList<>();
        for (int i = 0; i < results.size(); i++) {
            SearchResult r = results.get(i);
            SearchResult s = spent.get(i);
            samples.add(new ProfileSample(r.label(), r.seed(), r.key(), r.score(), r.memberScores(),
                    ProfileSample.Counts.of(r), s == null ? null : ProfileSample.Counts.of(s),
                    s == null ? null : ProfileSample.Counts.ran(s), r.compute().searchMillis(),
                    r.compute().finalMillis(), outputs == null ? null : outputs.probabilities()[i],
                    outputs == null ? null : outputs.features()[i], density == null ? null : density[i]));
        }
        return samples;
    }

    /**
     * The result of configuration {@code c} from all its samples in seed order, however they were generated; its
     * quality from the samples' evaluation outputs all together (FID and precision / recall need every sample's).
     *
     * @param pool             the id of the unit's largest configuration where {@code c} took part in prefix reuse
     *                         (null: it ran alone)
     * @param wallMillis       the time its samples took (with their evaluation outputs); the metrics' time is added
     * @param evaluationMillis of that, the evaluation network's; the metrics' time is added
     */
    public ProfileResult result(Configuration c, int index, List<ProfileSample> samples, String pool,
                                long wallMillis, long evaluationMillis, long peakHeapBytes) {
        Denoiser model = engine.model(c.model());
        ModelInfo info = model.info();
        Plan plan = plan(c);
        long start = System.nanoTime();
        ProfileResult.Quality quality = quality(model, samples);
        long metrics = (System.nanoTime() - start) / 1_000_000;
        ProfileResult.Measured measured = new ProfileResult.Measured(wallMillis + metrics,
                samples.stream().mapToLong(ProfileSample::searchMillis).sum(),
                samples.stream().mapToLong(ProfileSample::finalMillis).sum(), evaluationMillis + metrics,
                peakHeapBytes, workers == 1 ? null : workers, work(plan, info, samples, ProfileSample::ran));
        ProfileResult.Reuse reuse = pool == null ? null
                : new ProfileResult.Reuse(pool, !pool.equals(c.id()), work(plan, info, samples, ProfileSample::spent));
        return new ProfileResult(c.id(), index, c, new ProfileResult.Solvers(plan.search().toString(),
                plan.last().toString()), info.precision().id(), samples.size(), quality,
                work(plan, info, samples, ProfileSample::compute), measured, reuse);
    }

    private static int candidates(Configuration c) {
        return ((Number) c.parameters().get("candidates")).intValue();
    }

    private SearchResult search(SearchRequest request) {
        return cache == null ? engine.search(request) : engine.search(request, cache);
    }

    /** Sample i of the set (classes in order, then repeats) has seed firstSeed + i, as generate numbers them. */
    private List<SearchRequest> requests(Configuration c, Plan plan, ModelInfo info) {
        SearchAlgorithm algorithm = c.searchAlgorithm();
        double scale = c.guidance() == null ? Double.NaN : c.guidance();
        long budget = plan.budgetNfe() == null ? SearchRequest.UNLIMITED : plan.budgetNfe();
        List<SearchRequest> requests = new ArrayList<>();
        long seed = c.evaluation().firstSeed();
        for (int label : c.evaluation().classesOf(info.classes())) {
            for (int j = 0; j < c.evaluation().perClass(); j++) {
                requests.add(new SearchRequest(c.model(), label, algorithm, c.verifier(), plan.search(), plan.last(),
                        scale, budget, seed++, SearchRequest.DEFAULT_BATCH_SIZE));
            }
        }
        return requests;
    }

    /** The summed counts of the samples, each's as {@code counts} reads it (null: nothing). */
    private static ProfileResult.Work work(Plan plan, ModelInfo info, List<ProfileSample> samples,
                                           Function<ProfileSample, ProfileSample.Counts> counts) {
        long searchNfe = 0;
        long finalNfe = 0;
        long passes = 0;
        long calls = 0;
        long flops = 0;
        int exhausted = 0;
        for (ProfileSample sample : samples) {
            ProfileSample.Counts c = counts.apply(sample);
            if (c == null) {
                continue;
            }
            searchNfe += c.searchNfe();
            finalNfe += c.finalNfe();
            passes += c.forwardPasses();
            calls += c.verifierCalls();
            flops += c.flops();
            exhausted += c.exhausted() ? 1 : 0;
        }
        long denoiserFlops = passes * info.flopsPerSample();
        return new ProfileResult.Work(plan.searchNfe(), searchNfe, finalNfe, passes, calls, denoiserFlops / 1e9,
                (flops - denoiserFlops) / 1e9, flops / 1e9, exhausted);
    }

    private ProfileResult.Quality quality(Denoiser model, List<ProfileSample> samples) {
        Double verifierScore = mean(samples.stream().mapToDouble(ProfileSample::score).toArray());
        if (!(model instanceof TrainedModel)) {
            return new ProfileResult.Quality(null, null, null, null, null, null, verifierScore,
                    mean(samples.stream().mapToDouble(ProfileSample::oracleLogDensity).toArray()));
        }
        float[][] probabilities = new float[samples.size()][];
        float[][] features = new float[samples.size()][];
        long[] labels = new long[samples.size()];
        for (int i = 0; i < labels.length; i++) {
            probabilities[i] = samples.get(i).probabilities();
            features[i] = samples.get(i).features();
            labels[i] = samples.get(i).label();
        }
        Evaluator.Evaluation e = engine.evaluator(model).evaluate(new Evaluator.Outputs(probabilities, features),
                labels);
        List<Double> perClass = Arrays.stream(e.perClassAccuracy()).mapToObj(Profiler::finite).toList();
        return new ProfileResult.Quality(finite(e.accuracy()), finite(e.inceptionScore()), finite(e.fid()),
                finite(e.precision()), finite(e.recall()), perClass, verifierScore, null);
    }

    /** The exact mixture's log p(x | class) of each returned sample, whatever verifier the search used. */
    private double[] oracleLogDensities(Denoiser model, List<SearchResult> results) {
        Verifier oracle = Verifiers.create("oracle", model);
        Backend backend = engine.backend();
        int dim = model.info().dim();
        double[] scores = new double[results.size()];
        try (Kernels kernels = backend.openStream(1); Arena arena = Arena.ofConfined()) {
            for (int i = 0; i < scores.length; i++) {
                SearchResult r = results.get(i);
                float[][] out = new float[1][1];
                oracle.score(kernels, new VerifierInput(backend.upload(arena, r.sample(), 1, dim), null, r.label()),
                        out, 0);
                scores[i] = out[0][0];
            }
        }
        return scores;
    }

    private static Double mean(double[] values) {
        return finite(Arrays.stream(values).average().orElse(Double.NaN));
    }

    /** JSON has no NaN: a metric that is not a number is null. */
    private static Double finite(double value) {
        return Double.isFinite(value) ? value : null;
    }

    /** Alone, a configuration's peak is its own; with workers a reset would cut the peaks of the others running. */
    private void resetPeaks(List<MemoryPoolMXBean> heap) {
        if (workers == 1) {
            heap.forEach(MemoryPoolMXBean::resetPeakUsage);
        }
    }

    static List<MemoryPoolMXBean> heapPools() {
        return ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP && p.isValid()).toList();
    }

    private <T> T resolve(String key, Supplier<T> step) {
        return resolve(key, step, "");
    }

    /** Runs a step that opens something the sweep names; its bad-input failure names the sweep's key. */
    private <T> T resolve(String key, Supplier<T> step, String context) {
        try {
            return step.get();
        } catch (InvalidRequestException e) {
            throw error(key, withoutOption(e.getMessage()) + context);
        }
    }

    /** The engine words its messages for the command line ("--model: unknown model ..."); the sweep names the key. */
    private static String withoutOption(String message) {
        return message.replaceFirst("^--[a-z-]+:? ", "");
    }

    private InvalidRequestException error(String key, String message) {
        return new InvalidRequestException(overrides.where(source, key) + ": " + message);
    }
}

package io.noisesearch.service;

import io.noisesearch.model.BuiltinModels;
import io.noisesearch.model.ModelInfo;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.search.Algorithms;
import io.noisesearch.search.Resampling;
import io.noisesearch.search.SmcSearch;
import io.noisesearch.search.SearchAlgorithm;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.StopRules;

import io.noisesearch.verify.RemoteVerifier;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Turns a search body into the engine's request with the command line's defaults and checks ({@code noisesearch
 * search}: the same defaults, the same messages with field names for option names). Model names are taken only
 * from the registry the service lists, never as paths.
 */
final class SearchRequests {

    /** Beyond this guidance scale the combined prediction is extrapolated out of any useful range (as the CLI's). */
    static final double MAX_GUIDANCE = 1000;
    /** More cuts than this are no pruning schedule. */
    static final int MAX_PRUNE_CUTS = 64;
    /** More generations' sizes than this are no population schedule. */
    static final int MAX_POPULATION_SCHEDULE = 1024;

    static final String DEFAULT_MODEL = "gmm-image";
    static final String DEFAULT_VERIFIER = "oracle";
    static final String DEFAULT_ALGORITHM = "random";

    enum Priority { NORMAL, HIGH }

    enum SampleFormat { NONE, PNG, FLOATS }

    /** A checked request with the service's own fields. */
    record Checked(SearchRequest request, ModelInfo info, Priority priority, SampleFormat sample) {
    }

    private SearchRequests() {
    }

    /**
     * The engine request of {@code body}.
     *
     * @param models the names a client may ask for
     * @param info   the model's description by name (may load it)
     */
    static Checked check(SearchBody body, List<String> models, Function<String, ModelInfo> info) {
        String model = or(body.model(), DEFAULT_MODEL);
        if (!models.contains(model)) {
            throw new ServiceError(400, "unknown_model", "model", "model: unknown model '" + printable(model)
                    + "' (served: " + models + ")");
        }
        Priority priority = named("priority", or(body.priority(), "normal"), Priority.class);
        SampleFormat sample = named("sample", or(body.sample(), "none"), SampleFormat.class);
        SearchAlgorithm algorithm = algorithm(body);
        ModelInfo modelInfo = info.apply(model);
        if (sample == SampleFormat.PNG && !modelInfo.isImage()) {
            throw ServiceError.invalid("sample", "sample png: model " + model + " has no images; ask for floats");
        }
        checkNoiseFields(body, modelInfo);
        SolverSettings last = solver("solver", body.solver(), "steps", body.steps(), modelInfo.defaultSolver(), body);
        SolverSettings search = solver("searchSolver", body.searchSolver(), "searchSteps", body.searchSteps(),
                last == null ? modelInfo.defaultSolver() : last, body);
        double guidance = guidance(body.cfg());
        long budget = body.budgetNfe() == null ? SearchRequest.UNLIMITED : body.budgetNfe();
        String verifier = or(body.verifier(), DEFAULT_VERIFIER);
        if (verifier.contains(RemoteVerifier.PREFIX)) {
            // a client must not make the service call URLs of its choosing
            throw ServiceError.invalid("verifier", "verifier: remote verifiers are not served (the service makes no"
                    + " outbound calls for its clients)");
        }
        SearchRequest request = new SearchRequest(model, or(body.label(), 0), algorithm, verifier, search, last,
                guidance, budget, or(body.seed(), 0L), or(body.batchSize(), SearchRequest.DEFAULT_BATCH_SIZE),
                deadline(body.deadlineMs()), null, stopRules(body));
        if (body.prompt() != null) {
            if (body.label() != null) {
                throw ServiceError.invalid("prompt", "class and prompt: give a class to a class-conditional model or a"
                        + " prompt to a text-conditioned one, not both");
            }
            request = request.withPrompt(body.prompt());
        }
        return new Checked(request, modelInfo, priority, sample);
    }

    /** As the CLI's algorithm options: --lambda replaces the default cosine, and naming both is ambiguous. */
    private static SearchAlgorithm algorithm(SearchBody body) {
        String name = or(body.algorithm(), DEFAULT_ALGORITHM);
        if (!Algorithms.NAMES.contains(name)) {
            throw ServiceError.invalid("algorithm", "algorithm: '" + printable(name) + "' is not one of "
                    + Algorithms.NAMES);
        }
        if (name.equals("zero-order") && body.lambda() != null && body.cosine() != null) {
            throw ServiceError.invalid("lambda", "cosine and lambda exclude each other: give one");
        }
        List<Double> pruneAt = or(body.pruneAt(), List.of(0.7, 0.4));
        if (pruneAt.size() > MAX_PRUNE_CUTS) {
            throw ServiceError.invalid("pruneAt", "pruneAt has " + pruneAt.size() + " cuts, at most "
                    + MAX_PRUNE_CUTS + " are allowed");
        }
        if (pruneAt.stream().anyMatch(java.util.Objects::isNull)) {
            throw ServiceError.invalid("pruneAt", "pruneAt must be a list of numbers, got a null");
        }
        int candidates = or(body.candidates(), 16);
        Double lambda = body.lambda();
        return Algorithms.create(name, new Algorithms.Settings(candidates, or(body.neighbours(), candidates),
                or(body.iterations(), 4), lambda == null ? or(body.cosine(), 0.95) : Double.NaN,
                lambda == null ? Double.NaN : lambda, or(body.paths(), candidates), or(body.pathsWidth(), 2),
                or(body.searchStart(), 0.4), or(body.forwardStep(), 0.05), or(body.backwardStep(), 0.1),
                or(body.pathLength(), 2), pruneAt, or(body.keep(), 4), smc(body), beamEvo(body),
                new Algorithms.Gradient(or(body.gradientCosine(), Algorithms.Gradient.DEFAULT.stepCosine()))));
    }

    /** Smc's fields, the command line's defaults where absent; names checked here so that a client's text is bounded. */
    private static Algorithms.Smc smc(SearchBody body) {
        Algorithms.Smc d = Algorithms.Smc.DEFAULT;
        String potential = or(body.potential(), d.potential());
        try {
            SmcSearch.Potential.parse(potential);
        } catch (IllegalArgumentException e) {
            throw ServiceError.invalid("potential", "potential: '" + printable(potential) + "' is not one of [max,"
                    + " difference, sum]");
        }
        String resampling = or(body.resampling(), d.resampling());
        try {
            Resampling.parse(resampling);
        } catch (IllegalArgumentException e) {
            throw ServiceError.invalid("resampling", "resampling: '" + printable(resampling) + "' is not one of"
                    + " [multinomial, systematic, residual]");
        }
        double from = or(body.steerFrom(), d.windowFrom());
        double to = or(body.steerTo(), d.windowTo());
        if (!(from >= 0 && from <= 1)) {
            throw ServiceError.invalid("steerFrom", "steerFrom must lie in [0, 1], got " + from);
        }
        if (!(to >= 0 && to <= from)) {
            throw ServiceError.invalid("steerTo", "steerTo must lie in [0, steerFrom = " + from + "], got " + to);
        }
        return new Algorithms.Smc(or(body.particles(), d.particles()), potential, or(body.smcLambda(), d.lambda()),
                resampling, or(body.resampleEvery(), d.every()), or(body.essThreshold(), d.essThreshold()), from, to);
    }

    /** As the CLI: noiseScale and eta only where a solver of the request takes them (euler-sde, ddim). */
    private static void checkNoiseFields(SearchBody body, ModelInfo info) {
        SolverKind last = body.solver() != null ? kind("solver", body.solver()) : info.defaultSolver().kind();
        SolverKind search = body.searchSolver() != null ? kind("searchSolver", body.searchSolver()) : last;
        for (SolverKind kind : List.of(SolverKind.EULER_SDE, SolverKind.DDIM)) {
            String field = kind == SolverKind.EULER_SDE ? "noiseScale" : "eta";
            Double given = kind == SolverKind.EULER_SDE ? body.noiseScale() : body.eta();
            if (given != null && search != kind && last != kind) {
                throw ServiceError.invalid(field, field + " applies only to the " + kind.id() + " solver; the solvers"
                        + " are " + search.id() + " (searchSolver) and " + last.id() + " (solver)");
            }
        }
    }

    private static SolverKind kind(String field, String name) {
        try {
            return SolverKind.parse(name);
        } catch (IllegalArgumentException e) {
            throw ServiceError.invalid(field, field + ": " + e.getMessage());
        }
    }

    /** Beam search's and evolution's fields, the command line's defaults where absent; lists bounded like pruneAt. */
    private static Algorithms.BeamEvo beamEvo(SearchBody body) {
        Algorithms.BeamEvo defaults = Algorithms.BeamEvo.DEFAULT;
        List<Double> beamAt = or(body.beamAt(), defaults.beamAt());
        if (beamAt.size() > MAX_PRUNE_CUTS || beamAt.stream().anyMatch(java.util.Objects::isNull)) {
            throw ServiceError.invalid("beamAt", "beamAt must be a list of at most " + MAX_PRUNE_CUTS + " numbers");
        }
        List<Integer> population = or(body.population(), defaults.population());
        if (population.size() > MAX_POPULATION_SCHEDULE || population.stream().anyMatch(java.util.Objects::isNull)) {
            throw ServiceError.invalid("population", "population must be a list of at most " + MAX_POPULATION_SCHEDULE
                    + " sizes");
        }
        return new Algorithms.BeamEvo(or(body.beamWidth(), defaults.beamWidth()),
                or(body.beamChildren(), defaults.beamChildren()), beamAt, or(body.beamCosine(), defaults.beamCosine()),
                or(body.beamMode(), defaults.beamMode()), or(body.beamThreshold(), Double.NaN), population,
                or(body.generations(), defaults.generations()), or(body.elites(), defaults.elites()),
                or(body.evoCosineStart(), defaults.evoCosineStart()), or(body.evoCosineEnd(), defaults.evoCosineEnd()),
                or(body.beamExpand(), defaults.beamExpand()), evoAt(body));
    }

    /** Evolution's mutation levels, bounded like population. */
    private static List<Double> evoAt(SearchBody body) {
        List<Double> levels = or(body.evoAt(), Algorithms.BeamEvo.DEFAULT.evoAt());
        if (levels.size() > MAX_POPULATION_SCHEDULE || levels.stream().anyMatch(java.util.Objects::isNull)) {
            throw ServiceError.invalid("evoAt", "evoAt must be a list of at most " + MAX_POPULATION_SCHEDULE
                    + " levels");
        }
        return levels;
    }

    /** As the CLI's stopping rules: a finite target, a patience of at least 1, a margin only with a patience. */
    private static StopRules stopRules(SearchBody body) {
        if (body.stopAtScore() != null && !Double.isFinite(body.stopAtScore())) {
            throw ServiceError.invalid("stopAtScore", "stopAtScore must be a finite score, got " + body.stopAtScore());
        }
        if (body.stopPatience() != null && body.stopPatience() < 1) {
            throw ServiceError.invalid("stopPatience", "stopPatience must be at least 1, got " + body.stopPatience());
        }
        if (body.stopMargin() != null && body.stopPatience() == null) {
            throw ServiceError.invalid("stopMargin", "stopMargin needs stopPatience");
        }
        if (body.stopMargin() != null && !(body.stopMargin() >= 0 && Double.isFinite(body.stopMargin()))) {
            throw ServiceError.invalid("stopMargin", "stopMargin must be a finite number at least 0, got "
                    + body.stopMargin());
        }
        return new StopRules(or(body.stopAtScore(), Double.NaN), or(body.stopPatience(), 0),
                or(body.stopMargin(), 0.0));
    }

    /** The deadline asked for, or null for none. */
    private static Duration deadline(Long deadlineMs) {
        if (deadlineMs == null) {
            return null;
        }
        if (deadlineMs < 1 || deadlineMs > SearchRequest.MAX_DEADLINE_MS) {
            throw ServiceError.invalid("deadlineMs", "deadlineMs must lie in 1.." + SearchRequest.MAX_DEADLINE_MS
                    + " milliseconds, got " + deadlineMs);
        }
        return Duration.ofMillis(deadlineMs);
    }

    /** The guidance scale asked for, or NaN for the model's. */
    private static double guidance(Double cfg) {
        if (cfg == null) {
            return Double.NaN;
        }
        if (!Double.isFinite(cfg) || Math.abs(cfg) > MAX_GUIDANCE) {
            throw ServiceError.invalid("cfg", "cfg must be a finite scale within +-" + MAX_GUIDANCE + ", got " + cfg);
        }
        return cfg;
    }

    /**
     * Settings from a solver and a steps field, each defaulting to {@code fallback}'s, with the noiseScale or eta
     * that its kind takes (as the CLI's); null when none of them applies, so the engine applies its own default.
     */
    private static SolverSettings solver(String kindField, String kindName, String stepsField, Integer steps,
                                         SolverSettings fallback, SearchBody body) {
        if (kindName == null && steps == null && (body.noiseScale() == null || fallback.kind() != SolverKind.EULER_SDE)
                && (body.eta() == null || fallback.kind() != SolverKind.DDIM)) {
            return null;
        }
        if (steps != null && steps < 1) {
            throw ServiceError.invalid(stepsField, stepsField + " must be at least 1, got " + steps);
        }
        SolverKind kind = kindName != null ? kind(kindField, kindName) : fallback.kind();
        int count = steps != null ? steps : fallback.steps();
        Double given = kind == SolverKind.EULER_SDE ? body.noiseScale() : kind == SolverKind.DDIM ? body.eta() : null;
        if (given != null) {
            return new SolverSettings(kind, count, given);
        }
        return kind == fallback.kind() ? fallback.withSteps(count) : new SolverSettings(kind, count);
    }

    private static <E extends Enum<E>> E named(String field, String value, Class<E> type) {
        for (E constant : type.getEnumConstants()) {
            if (constant.name().toLowerCase(Locale.ROOT).equals(value)) {
                return constant;
            }
        }
        List<String> names = java.util.Arrays.stream(type.getEnumConstants())
                .map(c -> c.name().toLowerCase(Locale.ROOT)).toList();
        throw ServiceError.invalid(field, field + ": '" + printable(value) + "' is not one of " + names);
    }

    /** A client's text as it is echoed in an error: bounded and without control characters. */
    static String printable(String text) {
        String clean = text.replaceAll("\\p{Cntrl}", "?");
        return clean.length() <= 64 ? clean : clean.substring(0, 64) + "...";
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }

    /** The models a service lists: the built-in mixtures and the trained denoisers of the repository. */
    static List<String> servedModels(List<String> trainedDenoisers) {
        return java.util.stream.Stream.concat(BuiltinModels.NAMES.stream(), trainedDenoisers.stream()).toList();
    }
}

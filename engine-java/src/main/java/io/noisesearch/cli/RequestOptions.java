package io.noisesearch.cli;

import io.noisesearch.model.ModelInfo;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.search.SearchAlgorithm;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.StopRules;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.time.Duration;

/**
 * What every request is made of besides its algorithm and class: model, verifier, solvers, guidance, budget, seed,
 * batch size. Shared by {@code search}, {@code generate} and {@code demo}; a command changes defaults with its
 * {@code defaultValueProvider}.
 */
final class RequestOptions {

    /** Beyond this guidance scale the combined prediction is extrapolated out of any useful range. */
    static final double MAX_GUIDANCE = 1000;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--model", defaultValue = "gmm-image", completionCandidates = Converters.ModelNames.class,
            description = "Model: ${COMPLETION-CANDIDATES} or a trained model's folder name (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--verifier", defaultValue = "oracle", completionCandidates = Converters.VerifierNames.class,
            description = "Verifier: ${COMPLETION-CANDIDATES} (the first two for mixture models, classifier, ssl and"
                    + " oracle-is for trained class models, ssl@T captures at t = T; clip, aesthetic, reward and grader"
                    + " for text models, grader@aspect=w,... weighs its aspects; oracle-fid in generate only), or"
                    + " ensemble:a,b,... (default: ${DEFAULT-VALUE}).")
    String verifier;

    @Option(names = "--solver", converter = Converters.Solver.class, completionCandidates = Converters.SolverNames.class,
            description = "Final solver: ${COMPLETION-CANDIDATES} (default: the model's, heun for gmm-image).")
    SolverKind solver;

    @Option(names = "--steps", description = "Final solver steps (default: the model's, 10 for gmm-image).")
    Integer steps;

    @Option(names = "--search-solver", converter = Converters.Solver.class,
            completionCandidates = Converters.SolverNames.class,
            description = "Solver of the search: ${COMPLETION-CANDIDATES} (default: the final solver).")
    SolverKind searchSolver;

    @Option(names = "--search-steps",
            description = "Solver steps of the search; the demo's are 10 (default: the final steps).")
    Integer searchSteps;

    @Option(names = "--noise-scale",
            description = "Noise scale S of the euler-sde solver (search and final): g(t)^2 = 2 S^2 sigma(t), the same"
                    + " marginals as the ODE; 0 is Euler (default: " + SolverSettings.DEFAULT_NOISE_SCALE + ").")
    Double noiseScale;

    @Option(names = "--eta",
            description = "Eta in [0, 1] of the ddim solver (search and final): the share of fresh noise, 1 is DDPM's"
                    + " posterior (default: 0, deterministic DDIM).")
    Double eta;

    @Option(names = "--cfg", description = "Classifier-free guidance scale (default: the model's, 1.0 for gmm-image).")
    Double cfg;

    @Option(names = "--budget-nfe",
            description = "Most search NFEs to spend; the search stops there with the best so far; the demo's are 100"
                    + " (gmm-image: 352) (default: unlimited).")
    Long budgetNfe;

    @Option(names = "--deadline-ms",
            description = "Time for the request, from its start, in milliseconds (1.." + SearchRequest.MAX_DEADLINE_MS
                    + "): the search stops proposing then and returns its best so far (default: none).")
    Long deadlineMs;

    @Option(names = "--stop-at-score",
            description = "Stopping rule: stop once a candidate scores at least this (a single verifier's score)"
                    + " (default: none).")
    Double stopAtScore;

    @Option(names = "--stop-patience",
            description = "Stopping rule: stop once this many scored candidates in a row have not improved on the best"
                    + " by more than --stop-margin (default: none).")
    Integer stopPatience;

    @Option(names = "--stop-margin",
            description = "The improvement --stop-patience asks for, at least 0 (default: 0).")
    Double stopMargin;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of every noise (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batch-size", defaultValue = "256",
            description = "Candidate rows per solver call; results do not depend on it (default: ${DEFAULT-VALUE}).")
    int batchSize;

    /** The request for one class and seed. */
    SearchRequest request(SearchAlgorithm algorithm, ModelInfo info, int label, long requestSeed) {
        SolverSettings last = finalSolver(info);
        SolverSettings search = searchSolver(info);
        double guidance = guidance();
        long budget = budgetNfe == null ? SearchRequest.UNLIMITED : budgetNfe;
        return new SearchRequest(model, label, algorithm, verifier, search, last, guidance, budget, requestSeed,
                batchSize, deadline(), null, stopRules());
    }

    /** The stopping rules asked for ({@link StopRules#NONE} for none). */
    StopRules stopRules() {
        if (stopAtScore != null && !Double.isFinite(stopAtScore)) {
            throw new ParameterException(spec.commandLine(), "--stop-at-score must be a finite score, got "
                    + stopAtScore);
        }
        if (stopPatience != null && stopPatience < 1) {
            throw new ParameterException(spec.commandLine(), "--stop-patience must be at least 1, got " + stopPatience);
        }
        if (stopMargin != null && stopPatience == null) {
            throw new ParameterException(spec.commandLine(), "--stop-margin needs --stop-patience");
        }
        if (stopMargin != null && !(stopMargin >= 0 && Double.isFinite(stopMargin))) {
            throw new ParameterException(spec.commandLine(), "--stop-margin must be a finite number at least 0, got "
                    + stopMargin);
        }
        return new StopRules(stopAtScore == null ? Double.NaN : stopAtScore, stopPatience == null ? 0 : stopPatience,
                stopMargin == null ? 0 : stopMargin);
    }

    /** The deadline asked for, or null for none. */
    Duration deadline() {
        if (deadlineMs == null) {
            return null;
        }
        OptionRange.check(spec, "--deadline-ms", deadlineMs, 1, SearchRequest.MAX_DEADLINE_MS);
        return Duration.ofMillis(deadlineMs);
    }

    /** The guidance scale asked for, or NaN for the model's (NaN stands for "not given", so it cannot be given). */
    double guidance() {
        if (cfg == null) {
            return Double.NaN;
        }
        if (!Double.isFinite(cfg) || Math.abs(cfg) > MAX_GUIDANCE) {
            throw new ParameterException(spec.commandLine(), "--cfg must be a finite scale within +-" + MAX_GUIDANCE
                    + ", got " + cfg);
        }
        return cfg;
    }

    /** The final solver the options name, or null for the model's. */
    SolverSettings finalSolver(ModelInfo info) {
        checkNoiseOptions(info);
        return solverSettings(solver, steps, "--steps", info.defaultSolver());
    }

    /** --noise-scale and --eta only with a solver that takes them (euler-sde, ddim), as search or final solver. */
    private void checkNoiseOptions(ModelInfo info) {
        SolverKind last = solver != null ? solver : info.defaultSolver().kind();
        SolverKind search = searchSolver != null ? searchSolver : last;
        checkNoiseOption(noiseScale != null, SolverKind.EULER_SDE, search, last);
        checkNoiseOption(eta != null, SolverKind.DDIM, search, last);
    }

    private void checkNoiseOption(boolean given, SolverKind kind, SolverKind search, SolverKind last) {
        if (given && search != kind && last != kind) {
            throw new ParameterException(spec.commandLine(), kind.noiseOption() + " applies only to the " + kind.id()
                    + " solver; the solvers are " + search.id() + " (search) and " + last.id() + " (final)");
        }
    }

    /** The search solver the options name, each part defaulting to the final solver's; null when neither is given. */
    SolverSettings searchSolver(ModelInfo info) {
        SolverSettings last = finalSolver(info);
        return solverSettings(searchSolver, searchSteps, "--search-steps", last == null ? info.defaultSolver() : last);
    }

    /**
     * Settings from a solver and a steps option, each defaulting to {@code fallback}'s; null when neither is given,
     * so the engine applies its own default (the model's solver; the final solver for the search).
     */
    private SolverSettings solverSettings(SolverKind kind, Integer count, String stepsOption, SolverSettings fallback) {
        if (kind == null && count == null && (noiseScale == null || fallback.kind() != SolverKind.EULER_SDE)
                && (eta == null || fallback.kind() != SolverKind.DDIM)) {
            return null;
        }
        if (count != null && count < 1) {
            throw new ParameterException(spec.commandLine(), stepsOption + " must be at least 1, got " + count);
        }
        SolverKind chosen = kind != null ? kind : fallback.kind();
        int chosenSteps = count != null ? count : fallback.steps();
        Double given = chosen == SolverKind.EULER_SDE ? noiseScale : chosen == SolverKind.DDIM ? eta : null;
        if (given != null) {
            return new SolverSettings(chosen, chosenSteps, given);
        }
        return chosen == fallback.kind() ? fallback.withSteps(chosenSteps) : new SolverSettings(chosen, chosenSteps);
    }
}

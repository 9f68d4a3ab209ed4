package io.noisesearch.cli;

import io.noisesearch.model.ModelInfo;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.search.NoSearch;
import io.noisesearch.search.PathSearch;
import io.noisesearch.search.RandomSearch;
import io.noisesearch.search.SearchAlgorithm;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.ZeroOrderSearch;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** What a search request is made of, shared by {@code search} and {@code generate}: model, algorithm, verifier, solvers. */
final class RequestOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--model", defaultValue = "gmm-image", completionCandidates = Converters.ModelNames.class,
            description = "Model: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--algorithm", defaultValue = "random", converter = Algorithm.Converter.class,
            completionCandidates = Algorithm.Names.class,
            description = "Search algorithm: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Algorithm algorithm;

    @Option(names = "--candidates", defaultValue = "16",
            description = "N: candidates (random), neighbours per iteration (zero-order) or paths kept (paths)"
                    + " (default: ${DEFAULT-VALUE}).")
    int candidates;

    @Option(names = "--iterations", defaultValue = "4", description = "K: zero-order iterations (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--cosine", defaultValue = "0.95",
            description = "Zero-order: cosine between pivot and neighbours (default: ${DEFAULT-VALUE}).")
    double cosine;

    @Option(names = "--lambda",
            description = "Zero-order: L2 step to the neighbours instead of --cosine (default: unset, --cosine is used).")
    Double lambda;

    @Option(names = "--paths-width", defaultValue = "2",
            description = "M: paths: fresh noises per path and round (default: ${DEFAULT-VALUE}).")
    int pathsWidth;

    @Option(names = "--search-start", defaultValue = "0.4",
            description = "Paths: level sigma where the search starts (default: ${DEFAULT-VALUE}).")
    double searchStart;

    @Option(names = "--forward-step", defaultValue = "0.05",
            description = "Paths: forward noising per round (default: ${DEFAULT-VALUE}).")
    double forwardStep;

    @Option(names = "--backward-step", defaultValue = "0.1",
            description = "Paths: backward solve per round, must exceed --forward-step (default: ${DEFAULT-VALUE}).")
    double backwardStep;

    @Option(names = "--path-length", defaultValue = "2",
            description = "L: paths: solver steps per backward step (default: ${DEFAULT-VALUE}).")
    int pathLength;

    @Option(names = "--verifier", defaultValue = "oracle",
            description = "Verifier: oracle or posterior (mixture models); classifier, ssl (ssl@T: capture at t = T)"
                    + " or oracle-is (trained models); ensemble:a,b,... (default: ${DEFAULT-VALUE}).")
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

    @Option(names = "--search-steps", description = "Solver steps of the search (default: the final steps).")
    Integer searchSteps;

    @Option(names = "--cfg", description = "Classifier-free guidance scale (default: the model's, 1.0 for gmm-image).")
    Double cfg;

    @Option(names = "--budget-nfe",
            description = "Most search NFEs to spend; the search stops there with the best so far (default: unlimited).")
    Long budgetNfe;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of every noise (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", defaultValue = "0",
            description = "Kernel threads; 0 uses every core (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--batch-size", defaultValue = "256",
            description = "Candidate rows per solver call; results do not depend on it (default: ${DEFAULT-VALUE}).")
    int batchSize;

    SearchAlgorithm algorithm() {
        return switch (algorithm) {
            case NONE -> new NoSearch();
            case RANDOM -> new RandomSearch(candidates);
            case ZERO_ORDER -> zeroOrder();
            case PATHS -> new PathSearch(candidates, pathsWidth, searchStart, forwardStep, backwardStep, pathLength);
        };
    }

    /** --lambda replaces the default cosine; naming both is ambiguous. */
    private ZeroOrderSearch zeroOrder() {
        if (lambda == null) {
            return new ZeroOrderSearch(candidates, iterations, cosine, Double.NaN);
        }
        if (spec.commandLine().getParseResult().hasMatchedOption("--cosine")) {
            throw new ParameterException(spec.commandLine(), "--cosine and --lambda exclude each other: give one");
        }
        return new ZeroOrderSearch(candidates, iterations, Double.NaN, lambda);
    }

    /** The request for one class and seed. */
    SearchRequest request(SearchAlgorithm searchAlgorithm, ModelInfo info, int label, long seed) {
        SolverSettings last = solverSettings(solver, steps, "--steps", info.defaultSolver());
        SolverSettings search = solverSettings(searchSolver, searchSteps, "--search-steps",
                last == null ? info.defaultSolver() : last);
        double guidance = cfg == null ? Double.NaN : cfg;
        long budget = budgetNfe == null ? SearchRequest.UNLIMITED : budgetNfe;
        return new SearchRequest(model, label, searchAlgorithm, verifier, search, last, guidance, budget, seed,
                batchSize);
    }

    /**
     * Settings from a solver and a steps option, each defaulting to {@code fallback}'s; null when neither is given,
     * so the engine applies its own default (the model's solver; the final solver for the search).
     */
    private SolverSettings solverSettings(SolverKind kind, Integer count, String stepsOption, SolverSettings fallback) {
        if (kind == null && count == null) {
            return null;
        }
        if (count != null && count < 1) {
            throw new ParameterException(spec.commandLine(), stepsOption + " must be at least 1, got " + count);
        }
        return new SolverSettings(kind != null ? kind : fallback.kind(), count != null ? count : fallback.steps());
    }
}

package io.noisesearch.search;

/** A search algorithm of PAPER.md; its record components are its hyperparameters. */
public sealed interface SearchAlgorithm permits NoSearch, RandomSearch, ZeroOrderSearch, PathSearch,
        PruneSearch, SmcSearch, BeamSearch, EvolutionSearch, GradientSearch {

    /** The command-line name: none, random, zero-order, paths, prune, smc, beam, evolution, gradient. */
    String id();

    /**
     * Search NFEs this configuration spends with the given search solver when the budget does not stop it.
     *
     * @throws ArithmeticException when they do not fit in a long
     */
    long plannedSearchNfe(SearchPlan plan);

    /**
     * Rows of samples it holds at once in the request's arena (the engine multiplies in the model's dimension before
     * anything is allocated): as many candidates as a budget of {@code budgetNfe} search NFEs lets it draw, and the
     * captured x-predictions where the verifier has a capture time ({@code captures}); a best-of-N pool is held
     * {@code poolChunkRows} rows at a time ({@link SearchContext#poolChunkRows(int, io.noisesearch.verify.Verifier,
     * int)}).
     */
    long peakRows(SearchPlan plan, long budgetNfe, boolean captures, int poolChunkRows);

    /** Candidates it scores when the budget does not stop it; each one is a key and a score in the trace. */
    long plannedCandidates();

    /** Entries of its trace when the budget does not stop it: one per pool, iteration or round. */
    long plannedTraceEntries();

    /** The options that size it, with their values, for the message that refuses a request: "--candidates 16". */
    String sizeOptions();

    /**
     * Whether its search solver may be stochastic (euler-sde, ddpm, ddim with eta > 0): the algorithms that solve keyed
     * noises from level 1 (random, smc, beam with step children; none solves only with the final solver).
     */
    default boolean acceptsStochasticSolver() {
        return false;
    }

    /** Whether stopping rules may end it: wherever a rule stops it, it has a searched result to return. */
    default boolean acceptsStoppingRules() {
        return true;
    }

    /**
     * The option that makes it need a stochastic search solver (beam's "--beam-expand step": its children differ only
     * by their step noise), or null when an ODE solver serves.
     */
    default String requiresStochasticSolver() {
        return null;
    }

    Outcome run(SearchContext context);
}

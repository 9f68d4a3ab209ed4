package io.noisesearch.search;

/**
 * The baseline without search: one noise (random-search candidate 0, so "no search" and "random, N = 1" start
 * from the same noise) solved once with the final solver. All its NFEs are final NFEs.
 */
public record NoSearch() implements SearchAlgorithm {

    @Override
    public String id() {
        return "none";
    }

    @Override
    public long plannedSearchNfe(SearchPlan plan) {
        return 0;
    }

    /** The noise solved in place and, where the verifier captures, its capture. */
    @Override
    public long peakRows(SearchPlan plan, long budgetNfe, boolean captures, int poolChunkRows) {
        return captures ? 2 : 1;
    }

    @Override
    public boolean acceptsStochasticSolver() {
        return true;
    }

    @Override
    public long plannedCandidates() {
        return 0;
    }

    @Override
    public long plannedTraceEntries() {
        return 0;
    }

    @Override
    public String sizeOptions() {
        return "--algorithm none";
    }

    @Override
    public Outcome run(SearchContext context) {
        return context.solveCandidate(SearchContext.key(Stage.RANDOM, 0, 0));
    }
}

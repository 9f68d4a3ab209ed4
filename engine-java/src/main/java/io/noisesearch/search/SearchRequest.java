package io.noisesearch.search;

import io.noisesearch.schedule.SolverSettings;

/**
 * One search: which model and class, which algorithm and verifier, the solvers of the search and of the final
 * sample (null: the model's default solver; the search solver defaults to the final one), classifier-free
 * guidance (NaN: the model's default), a budget of search NFEs ({@link #UNLIMITED} for none), the seed, and
 * how many candidate rows go through the solver at once.
 */
public record SearchRequest(String model, int label, SearchAlgorithm algorithm, String verifier,
                            SolverSettings searchSolver, SolverSettings finalSolver, double guidance,
                            long budgetNfe, long seed, int batchSize) {

    public static final long UNLIMITED = Long.MAX_VALUE;
    public static final int DEFAULT_BATCH_SIZE = 256;

    public SearchRequest {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("--model is required");
        }
        if (algorithm == null) {
            throw new IllegalArgumentException("--algorithm is required");
        }
        if (budgetNfe < 0) {
            throw new IllegalArgumentException("--budget-nfe must be non-negative, got " + budgetNfe);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
        }
    }

    /** A request with the model's default solver and guidance, no budget and the default batch size. */
    public static SearchRequest of(String model, int label, SearchAlgorithm algorithm, String verifier, long seed) {
        return new SearchRequest(model, label, algorithm, verifier, null, null, Double.NaN, UNLIMITED, seed,
                DEFAULT_BATCH_SIZE);
    }

    public SearchRequest withSolvers(SolverSettings search, SolverSettings last) {
        return new SearchRequest(model, label, algorithm, verifier, search, last, guidance, budgetNfe, seed, batchSize);
    }

    public SearchRequest withBudget(long nfe) {
        return new SearchRequest(model, label, algorithm, verifier, searchSolver, finalSolver, guidance, nfe, seed,
                batchSize);
    }

    public SearchRequest withBatchSize(int rows) {
        return new SearchRequest(model, label, algorithm, verifier, searchSolver, finalSolver, guidance, budgetNfe, seed,
                rows);
    }

    public SearchRequest withSeed(long newSeed) {
        return new SearchRequest(model, label, algorithm, verifier, searchSolver, finalSolver, guidance, budgetNfe,
                newSeed, batchSize);
    }

    public SearchRequest withGuidance(double scale) {
        return new SearchRequest(model, label, algorithm, verifier, searchSolver, finalSolver, scale, budgetNfe, seed,
                batchSize);
    }
}

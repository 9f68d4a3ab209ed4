package io.noisesearch.search;

import io.noisesearch.schedule.SolverSettings;

/**
 * One search: which model and class, which algorithm and verifier, the solvers of the search and of the final
 * sample (null: the model's default solver; the search solver defaults to the final one), classifier-free
 * guidance (NaN: the model's default), a budget of search NFEs ({@link #UNLIMITED} for none), the seed, and
 * how many candidate rows go through the solver at once. A text-conditioned model takes a {@code prompt} (its
 * caption) instead of a class; for class-conditional models the prompt is null.
 */
public record SearchRequest(String model, int label, SearchAlgorithm algorithm, String verifier,
                            SolverSettings searchSolver, SolverSettings finalSolver, double guidance,
                            long budgetNfe, long seed, int batchSize, String prompt) {

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

    /** A class request (no prompt). */
    public SearchRequest(String model, int label, SearchAlgorithm algorithm, String verifier,
                         SolverSettings searchSolver, SolverSettings finalSolver, double guidance, long budgetNfe,
                         long seed, int batchSize) {
        this(model, label, algorithm, verifier, searchSolver, finalSolver, guidance, budgetNfe, seed, batchSize, null);
    }

    /** The same request for a text model's caption. */
    public SearchRequest withPrompt(String caption) {
        return new SearchRequest(model, label, algorithm, verifier, searchSolver, finalSolver, guidance, budgetNfe, seed,
                batchSize, caption);
    }

    /** A request with the model's default solver and guidance, no budget and the default batch size. */
    public static SearchRequest of(String model, int label, SearchAlgorithm algorithm, String verifier, long seed) {
        return new SearchRequest(model, label, algorithm, verifier, null, null, Double.NaN, UNLIMITED, seed,
                DEFAULT_BATCH_SIZE, null);
    }

    public SearchRequest withSolvers(SolverSettings search, SolverSettings last) {
        return new SearchRequest(model, label, algorithm, verifier, search, last, guidance, budgetNfe, seed, batchSize,
                prompt);
    }

    public SearchRequest withBudget(long nfe) {
        return new SearchRequest(model, label, algorithm, verifier, searchSolver, finalSolver, guidance, nfe, seed,
                batchSize, prompt);
    }

    public SearchRequest withBatchSize(int rows) {
        return new SearchRequest(model, label, algorithm, verifier, searchSolver, finalSolver, guidance, budgetNfe, seed,
                rows, prompt);
    }

    public SearchRequest withSeed(long newSeed) {
        return new SearchRequest(model, label, algorithm, verifier, searchSolver, finalSolver, guidance, budgetNfe,
                newSeed, batchSize, prompt);
    }

    public SearchRequest withGuidance(double scale) {
        return new SearchRequest(model, label, algorithm, verifier, searchSolver, finalSolver, scale, budgetNfe, seed,
                batchSize, prompt);
    }
}

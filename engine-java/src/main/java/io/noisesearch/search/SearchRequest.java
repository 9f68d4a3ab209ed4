package io.noisesearch.search;

import io.noisesearch.schedule.SolverSettings;

import java.time.Duration;

/**
 * One search: which model and class, which algorithm and verifier, the solvers of the search and of the final
 * sample (null: the model's default solver; the search solver defaults to the final one), classifier-free
 * guidance (NaN: the model's default), a budget of search NFEs ({@link #UNLIMITED} for none), the seed, how
 * many candidate rows go through the solver at once, and a deadline (null for none): the time from submission after
 * which the search stops proposing and returns its best so far. A text-conditioned model takes a {@code prompt} (its
 * caption) instead of a class; for class-conditional models the prompt is null. {@code stop} holds the stopping rules
 * (a target score, a plateau; {@link StopRules#NONE} for none).
 */
public record SearchRequest(String model, int label, SearchAlgorithm algorithm, String verifier,
                            SolverSettings searchSolver, SolverSettings finalSolver, double guidance,
                            long budgetNfe, long seed, int batchSize, Duration deadline, String prompt,
                            StopRules stop) {

    public static final long UNLIMITED = Long.MAX_VALUE;
    public static final int DEFAULT_BATCH_SIZE = 256;
    /** The longest deadline a request may carry (one hour), in milliseconds. */
    public static final long MAX_DEADLINE_MS = 3_600_000;

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
        if (deadline != null && (deadline.isNegative() || deadline.isZero()
                || deadline.compareTo(Duration.ofMillis(MAX_DEADLINE_MS)) > 0)) {
            throw new IllegalArgumentException("--deadline-ms must lie in 1.." + MAX_DEADLINE_MS + ", got "
                    + deadline.toMillis());
        }
        if (stop == null) {
            stop = StopRules.NONE;
        }
    }

    /** A request without stopping rules. */
    public SearchRequest(String model, int label, SearchAlgorithm algorithm, String verifier,
                         SolverSettings searchSolver, SolverSettings finalSolver, double guidance, long budgetNfe,
                         long seed, int batchSize, Duration deadline, String prompt) {
        this(model, label, algorithm, verifier, searchSolver, finalSolver, guidance, budgetNfe, seed, batchSize,
                deadline, prompt, StopRules.NONE);
    }

    /** A request without a deadline. */
    public SearchRequest(String model, int label, SearchAlgorithm algorithm, String verifier,
                         SolverSettings searchSolver, SolverSettings finalSolver, double guidance, long budgetNfe,
                         long seed, int batchSize) {
        this(model, label, algorithm, verifier, searchSolver, finalSolver, guidance, budgetNfe, seed, batchSize, null);
    }

    /** A class request (no prompt). */
    public SearchRequest(String model, int label, SearchAlgorithm algorithm, String verifier,
                         SolverSettings searchSolver, SolverSettings finalSolver, double guidance, long budgetNfe,
                         long seed, int batchSize, Duration deadline) {
        this(model, label, algorithm, verifier, searchSolver, finalSolver, guidance, budgetNfe, seed, batchSize,
                deadline, null);
    }

    /** The same request for a text model's caption. */
    public SearchRequest withPrompt(String caption) {
        return new SearchRequest(model, label, algorithm, verifier, searchSolver, finalSolver, guidance, budgetNfe, seed,
                batchSize, deadline, caption, stop);
    }

    /** A request with the model's default solver and guidance, no budget and the default batch size. */
    public static SearchRequest of(String model, int label, SearchAlgorithm algorithm, String verifier, long seed) {
        return new SearchRequest(model, label, algorithm, verifier, null, null, Double.NaN, UNLIMITED, seed,
                DEFAULT_BATCH_SIZE);
    }

    public SearchRequest withSolvers(SolverSettings search, SolverSettings last) {
        return new SearchRequest(model, label, algorithm, verifier, search, last, guidance, budgetNfe, seed, batchSize,
                deadline, prompt, stop);
    }

    public SearchRequest withBudget(long nfe) {
        return new SearchRequest(model, label, algorithm, verifier, searchSolver, finalSolver, guidance, nfe, seed,
                batchSize, deadline, prompt, stop);
    }

    public SearchRequest withBatchSize(int rows) {
        return new SearchRequest(model, label, algorithm, verifier, searchSolver, finalSolver, guidance, budgetNfe, seed,
                rows, deadline, prompt, stop);
    }

    public SearchRequest withSeed(long newSeed) {
        return new SearchRequest(model, label, algorithm, verifier, searchSolver, finalSolver, guidance, budgetNfe,
                newSeed, batchSize, deadline, prompt, stop);
    }

    public SearchRequest withGuidance(double scale) {
        return new SearchRequest(model, label, algorithm, verifier, searchSolver, finalSolver, scale, budgetNfe, seed,
                batchSize, deadline, prompt, stop);
    }

    public SearchRequest withDeadline(Duration after) {
        return new SearchRequest(model, label, algorithm, verifier, searchSolver, finalSolver, guidance, budgetNfe, seed,
                batchSize, after, prompt, stop);
    }

    /** The same request under the given stopping rules. */
    public SearchRequest withStop(StopRules rules) {
        return new SearchRequest(model, label, algorithm, verifier, searchSolver, finalSolver, guidance, budgetNfe, seed,
                batchSize, deadline, prompt, rules);
    }
}

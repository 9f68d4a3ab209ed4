package io.noisesearch.search;

import io.noisesearch.schedule.SolverSettings;

/**
 * Solved samples and verifier scores of keyed candidates, kept across searches (and, on disk, across runs). A
 * candidate drawn from (seed, key) and solved over a full grid is a function of the model, the class, the seed,
 * the key, the solver and the guidance alone; its x-prediction captured at time t also of t; its scores also of the
 * verifier. Candidates that are not a function of their key (zero-order neighbours, path states) are never asked.
 * Implementations are thread-safe.
 */
public interface SolveCache {

    /**
     * One solved candidate.
     *
     * @param model    the denoiser's identity (its files' hash, and the backend it runs on)
     * @param at       NaN for the solved sample, t for the clean x-prediction captured at time t
     */
    record Row(String model, int label, long seed, long key, SolverSettings solver, double guidance, double at) {
    }

    /** The row's floats, or null when the cache does not hold them. */
    float[] row(Row row);

    /** Keeps a row's floats (a row already held keeps its first floats). */
    void putRow(Row row, float[] values);

    /** The member scores of a solved sample ({@code row.at()} NaN) under a verifier identity, or null. */
    float[] scores(Row sample, String verifier);

    void putScores(Row sample, String verifier, float[] memberScores);
}

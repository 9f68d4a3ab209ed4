package io.noisesearch.verify;

import io.noisesearch.NonFiniteOutputException;
import io.noisesearch.backend.Kernels;

import java.util.List;

/**
 * Scores clean candidates; higher is better. A verifier has one or more members (an ensemble has several);
 * {@link #score} writes each member's raw scores, and {@link #combine} turns the member scores of a whole pool
 * of candidates into one score per candidate. Combining sees the whole pool at once because ranks depend on
 * it, which keeps the result independent of how candidates were batched.
 */
public interface Verifier {

    String name();

    /** The names of the members whose raw scores {@link #score} writes; a single verifier is its own member. */
    default List<String> members() {
        return List.of(name());
    }

    /**
     * What its scores are a function of, beyond the sample, its capture and the class: the name and the hash of its
     * own model's files, so that a cache can keep scores across runs; null when its scores depend on anything else.
     */
    default String identity() {
        return null;
    }

    /** FLOPs to score one sample with every member. */
    long flopsPerSample();

    /** Decoder passes per scored sample (a latent model's candidates and captures decoded first), in its FLOPs. */
    default int decodesPerSample() {
        return 0;
    }

    /** The time at which the solver must capture the clean x-prediction, or NaN when none is needed. */
    default double captureTime() {
        return Double.NaN;
    }

    /**
     * Rows one {@link #score} call may take when searches solve in batches of {@code batchSize}: the batch for
     * verifiers whose memory grows with the rows (networks); more where a call needs no per-row scratch, so that a
     * pool is scored with fewer calls, and on a GPU fewer waits for its scores. Scores must not depend on it.
     */
    default int rowsPerCall(int batchSize) {
        return batchSize;
    }

    /** Writes member m's score of candidate r into {@code out[m][offset + r]}. */
    void score(Kernels kernels, VerifierInput input, float[][] out, int offset);

    /** One score per candidate of a pool from its member scores; a single verifier's score is its own. */
    default float[] combine(Scores memberScores) {
        return memberScores.member(0);
    }

    /** Rejects NaN and infinite scores: they are reported, never ranked. */
    static void requireFinite(String verifier, float[] scores, int from, int count) {
        for (int i = from; i < from + count; i++) {
            if (!Float.isFinite(scores[i])) {
                throw new NonFiniteOutputException("verifier " + verifier + " returned " + scores[i]
                        + " for candidate " + i + ": the sample or the verifier produced a non-finite value");
            }
        }
    }
}

package io.noisesearch.noise;

/**
 * The 64-bit name of a candidate (DESIGN.md, Determinism): stage (8 bits) | iteration (24 bits) | index (32 bits),
 * so any candidate in a trace can be regenerated from (seed, key). Consecutive indices are consecutive keys,
 * which is how a batch of candidates is named by its first key.
 */
public final class CandidateKeys {

    public static final int MAX_STAGE = (1 << 8) - 1;
    public static final int MAX_ITERATION = (1 << 24) - 1;
    public static final long MAX_INDEX = (1L << 32) - 1;

    /** A key taken apart, for traces. */
    public record Parts(int stage, int iteration, long index) {
        @Override
        public String toString() {
            return "stage " + stage + ", iteration " + iteration + ", index " + index;
        }
    }

    private CandidateKeys() {
    }

    public static long encode(int stage, int iteration, long index) {
        if (stage < 0 || stage > MAX_STAGE) {
            throw new IllegalArgumentException("candidate stage " + stage + " is outside [0, " + MAX_STAGE + "]");
        }
        if (iteration < 0 || iteration > MAX_ITERATION) {
            throw new IllegalArgumentException(
                    "candidate iteration " + iteration + " is outside [0, " + MAX_ITERATION + "]");
        }
        if (index < 0 || index > MAX_INDEX) {
            throw new IllegalArgumentException("candidate index " + index + " is outside [0, " + MAX_INDEX + "]");
        }
        return (long) stage << 56 | (long) iteration << 32 | index;
    }

    public static Parts decode(long key) {
        return new Parts((int) (key >>> 56), (int) (key >>> 32) & MAX_ITERATION, key & MAX_INDEX);
    }

    /**
     * The key of the last of {@code count} consecutive candidates from {@code first}; throws if the run would
     * carry out of the index field into the iteration.
     */
    public static long last(long first, int count) {
        if (count < 1 || (first & MAX_INDEX) + count - 1 > MAX_INDEX) {
            throw new IllegalArgumentException(count + " candidates from " + decode(first) + " overflow the index field");
        }
        return first + count - 1;
    }
}

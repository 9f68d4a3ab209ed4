package io.noisesearch.noise;

/**
 * The noise of stochastic solver steps under the noise contract: step j of candidate key k under seed s draws the
 * contract's noise of key k under the step seed {@code of(s, j)}, so a particle's path is a function of (seed, key,
 * step). The step seed is words 0-1 of the contract's block {@code j} of key {@link #STEP_KEY} under s: stage 0,
 * which no candidate uses, so no step seed is read from a candidate's own noise.
 */
public final class StepSeeds {

    /** The reserved key whose blocks are the step seeds: stage 0, iteration 0, index "STEP" in ASCII. */
    public static final long STEP_KEY = 0x53544550L;

    private StepSeeds() {
    }

    /** The seed of step {@code step} (0 = the first step of a full solve) of the request seed {@code seed}. */
    public static long of(long seed, int step) {
        if (step < 0) {
            throw new IllegalArgumentException("solver step " + step + " is negative");
        }
        int[] words = Philox.noiseWords(seed, STEP_KEY, step);
        return (words[0] & 0xFFFFFFFFL) | (long) words[1] << 32;
    }

    /**
     * Uniform draw {@code index} in (0, 1) of key {@code key} under {@code seed}: the contract's Philox word
     * {@code index} (element order), its top 24 bits centred in their interval, so no draw is 0 or 1.
     */
    public static double uniform(long seed, long key, long index) {
        int word = Philox.noiseWords(seed, key, index >>> 2)[(int) (index & 3)];
        return ((word >>> 8) + 0.5) * 0x1p-24;
    }
}

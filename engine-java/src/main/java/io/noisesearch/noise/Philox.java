package io.noisesearch.noise;

/**
 * Philox4x32-10, the counter-based generator of Random123 (Salmon et al., SC11): the reference that
 * kernels/include/ns_philox.cuh must match word for word. Ten rounds of two 32x32->64-bit multiplies in a
 * Feistel network; the key is bumped by the Weyl constants between rounds.
 */
public final class Philox {

    private static final long M0 = 0xD2511F53L;
    private static final long M1 = 0xCD9E8D57L;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;
    private static final long WORD = 0xFFFFFFFFL;

    private Philox() {
    }

    /** philox(counter[4], key[2]) as 4 words. */
    public static int[] block(int c0, int c1, int c2, int c3, int k0, int k1) {
        int[] c = {c0, c1, c2, c3};
        for (int round = 0; round < 10; round++) {
            long p0 = M0 * (c[0] & WORD);
            long p1 = M1 * (c[2] & WORD);
            int n0 = (int) (p1 >>> 32) ^ c[1] ^ k0;
            int n2 = (int) (p0 >>> 32) ^ c[3] ^ k1;
            c[0] = n0;
            c[1] = (int) p1;
            c[2] = n2;
            c[3] = (int) p0;
            k0 += W0;
            k1 += W1;
        }
        return c;
    }

    /**
     * The noise contract (DESIGN.md, Determinism): block {@code g} of candidate {@code key} under {@code seed},
     * key = (seed low, seed high), counter = (g low, g high, key low, key high). Word j is element 4g + j.
     */
    public static int[] noiseWords(long seed, long key, long g) {
        return block((int) g, (int) (g >>> 32), (int) key, (int) (key >>> 32), (int) seed, (int) (seed >>> 32));
    }
}

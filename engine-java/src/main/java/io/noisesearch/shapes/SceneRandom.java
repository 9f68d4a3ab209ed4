package io.noisesearch.shapes;

import io.noisesearch.noise.Philox;

/**
 * The random words of one scene: Philox4x32-10 (the engine's noise generator) with key (seed low, seed high) and
 * counter (block, stream, index low, index high), so that scene {@code index} of a stream is a pure function of
 * (seed, stream, index), whatever order or thread draws it.
 */
final class SceneRandom {

    private final int k0;
    private final int k1;
    private final int stream;
    private final int i0;
    private final int i1;
    private int block;
    private int[] words;
    private int used = 4;

    SceneRandom(long seed, int stream, long index) {
        this.k0 = (int) seed;
        this.k1 = (int) (seed >>> 32);
        this.stream = stream;
        this.i0 = (int) index;
        this.i1 = (int) (index >>> 32);
    }

    int word() {
        if (used == 4) {
            words = Philox.block(block++, stream, i0, i1, k0, k1);
            used = 0;
        }
        return words[used++];
    }

    /** An integer in [0, n): the word's high bits scaled, {@code (word * n) >>> 32} (bias below n / 2^32). */
    int below(int n) {
        return (int) (((word() & 0xFFFFFFFFL) * n) >>> 32);
    }
}

package io.noisesearch.noise;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The Philox4x32-10 known-answer vectors published with Random123: the three "philox4x32 10" lines of
 * tests/kat_vectors in github.com/DEShawResearch/random123 (columns: counter[4], key[2], expected[4]).
 */
class PhiloxTest {

    static final int[][] KNOWN_ANSWERS = {
            {0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000, 0x00000000,
                    0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
            {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
                    0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
            {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0,
                    0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
    };

    @Test
    void referenceReproducesTheRandom123KnownAnswers() {
        for (int[] v : KNOWN_ANSWERS) {
            assertThat(Philox.block(v[0], v[1], v[2], v[3], v[4], v[5]))
                    .containsExactly(v[6], v[7], v[8], v[9]);
        }
    }

    @Test
    void noiseWordsPutBlockIndexThenKeyInTheCounterAndTheSeedInTheKey() {
        long seed = 0x299f31d0a4093822L;
        long key = 0x0370734413198a2eL;
        long g = 0x85a308d3243f6a88L;
        int[] v = KNOWN_ANSWERS[2];
        assertThat(Philox.noiseWords(seed, key, g)).containsExactly(v[6], v[7], v[8], v[9]);
    }
}

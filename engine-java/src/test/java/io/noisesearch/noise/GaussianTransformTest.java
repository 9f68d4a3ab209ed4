package io.noisesearch.noise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import org.junit.jupiter.api.Test;

class GaussianTransformTest {

    /** p of a word, as the transform defines it: (2k + 1) 2^-25 with k the 23 bits below the sign. */
    private static double p(int w) {
        return (2.0 * ((w >>> 8) & 0x7FFFFF) + 1) * 0x1p-25;
    }

    @Test
    void staysWithinItsDocumentedErrorOfTheExactQuantile() {
        double worst = 0;
        for (int k = 0; k < (1 << 23); k += k < 4096 || k > (1 << 23) - 4096 ? 1 : 97) {
            int w = k << 8;
            double exact = -StandardNormal.lowerQuantile(p(w));
            worst = Math.max(worst, Math.abs(GaussianTransform.fromBits(w) - exact) / (1 + exact));
        }
        assertThat(worst).isLessThan(4e-7);
    }

    @Test
    void signBitNegatesAndLowByteIsIgnored() {
        for (int k = 0; k < (1 << 23); k += 4099) {
            int w = k << 8;
            float z = GaussianTransform.fromBits(w);
            assertThat(z).isPositive();
            assertThat(GaussianTransform.fromBits(w | 0x80000000)).isEqualTo(-z);
            assertThat(GaussianTransform.fromBits(w | 0xFF)).isEqualTo(z);
        }
    }

    @Test
    void extremesAreTheQuantilesOfTheSmallestAndLargestP() {
        assertThat((double) GaussianTransform.fromBits(0))
                .isCloseTo(-StandardNormal.lowerQuantile(0x1p-25), offset(1e-5)).isGreaterThan(5.4);
        assertThat(GaussianTransform.fromBits(0x7FFFFF00)).isPositive().isLessThan(1e-6f);
    }

    @Test
    void ownLogAgreesWithTheLibraryLog() {
        for (int m = 1; m < (1 << 24); m += 2 * 1009) {
            float p = (float) m * 0x1p-25f;
            assertThat((double) GaussianTransform.logPositive(p))
                    .isCloseTo(Math.log(p), offset(3e-7 * Math.abs(Math.log(p)) + 1e-7));
        }
    }
}

package io.noisesearch.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.noisesearch.noise.StandardNormal;
import java.lang.foreign.Arena;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The noise contract on the host library: bit-identical to the Java reference, pure in (seed, key, element), normal. */
class HostNoiseTest {

    private final Backend host = new HostBackend();
    private final Backend java = new JavaBackend();
    private Arena arena;

    @BeforeEach
    void open() {
        arena = Arena.ofConfined();
    }

    @AfterEach
    void close() {
        arena.close();
    }

    private float[] hostNoise(int threads, int rows, int dim, long seed, long firstKey) {
        Batch out = host.allocate(arena, rows, dim);
        try (Kernels kernels = host.openStream(threads)) {
            kernels.gaussianNoise(out, seed, firstKey);
        }
        return host.download(out);
    }

    private float[] referenceNoise(int rows, int dim, long seed, long firstKey) {
        Batch out = java.allocate(arena, rows, dim);
        try (Kernels kernels = java.openStream(1)) {
            kernels.gaussianNoise(out, seed, firstKey);
        }
        return java.download(out);
    }

    @Test
    void hostNoiseIsBitIdenticalToTheReferenceOnAMillionDraws() {
        long[][] seedsAndKeys = {{0, 0}, {42, 7}, {-1L, Long.MIN_VALUE + 3}, {0x9E3779B97F4A7C15L, 1L << 40}};
        int[][] shapes = {{1000, 501}, {300, 1023}, {20, 16385}, {2000, 1}};
        long draws = 0;
        for (int c = 0; c < seedsAndKeys.length; c++) {
            int rows = shapes[c][0];
            int dim = shapes[c][1];
            float[] expected = referenceNoise(rows, dim, seedsAndKeys[c][0], seedsAndKeys[c][1]);
            assertThat(hostNoise(0, rows, dim, seedsAndKeys[c][0], seedsAndKeys[c][1])).isEqualTo(expected);
            draws += expected.length;
        }
        assertThat(draws).isGreaterThanOrEqualTo(1_000_000);
    }

    // isEqualTo compares whole arrays in linear time; containsExactly's diff is quadratic on a million floats.
    @Test
    void noiseOfACandidateDependsOnlyOnSeedKeyAndElement() {
        // Above the kernels' parallel threshold (2^20 elements), so two threads really split the call.
        int rows = 30;
        int dim = 40_003;
        float[] together = hostNoise(2, rows, dim, 99, 1000);
        assertThat(hostNoise(1, rows, dim, 99, 1000)).isEqualTo(together);
        for (int r = 0; r < rows; r++) {
            float[] alone = hostNoise(r % 2 + 1, 1, dim, 99, 1000 + r);
            assertThat(alone).isEqualTo(Arrays.copyOfRange(together, r * dim, (r + 1) * dim));
        }
        assertThat(hostNoise(2, 1, dim, 98, 1000)).isNotEqualTo(Arrays.copyOfRange(together, 0, dim));
    }

    @Test
    void momentsAreThoseOfAStandardNormalWithinSamplingError() {
        float[] z = hostNoise(0, 1000, 2000, 123, 0);
        int n = z.length;
        double mean = 0;
        for (float v : z) {
            mean += v;
        }
        mean /= n;
        double m2 = 0, m3 = 0, m4 = 0;
        for (float v : z) {
            double d = v - mean;
            m2 += d * d;
            m3 += d * d * d;
            m4 += d * d * d * d;
        }
        m2 /= n;
        m3 /= n;
        m4 /= n;
        // Five standard errors: 1/sqrt(n), sqrt(2/n), sqrt(6/n), sqrt(24/n).
        assertThat(mean).isCloseTo(0, within(5 / Math.sqrt(n)));
        assertThat(m2).isCloseTo(1, within(5 * Math.sqrt(2.0 / n)));
        assertThat(m3 / Math.pow(m2, 1.5)).isCloseTo(0, within(5 * Math.sqrt(6.0 / n)));
        assertThat(m4 / (m2 * m2) - 3).isCloseTo(0, within(5 * Math.sqrt(24.0 / n)));
    }

    @Test
    void kolmogorovSmirnovAcceptsTheStandardNormal() {
        float[] z = hostNoise(0, 500, 2000, 2024, 77);
        Arrays.sort(z);
        int n = z.length;
        double d = 0;
        for (int i = 0; i < n; i++) {
            double phi = StandardNormal.cdf(z[i]);
            d = Math.max(d, Math.max((i + 1.0) / n - phi, phi - (double) i / n));
        }
        // 1.95 / sqrt(n): the asymptotic critical value at significance 0.001.
        assertThat(d).isLessThan(1.95 / Math.sqrt(n));
    }

    @Test
    void forwardNoiseOfRectifiedFlowLandsOnTheLaterMarginal() {
        float t = 0.3f;
        float later = 0.6f;
        float a = (1 - later) / (1 - t);
        float s = (float) Math.sqrt(later * later - a * a * t * t);
        assertForwardMarginal(1 - t, t, a, s, 1 - later, later);
    }

    @Test
    void forwardNoiseOfAVariancePreservingScheduleLandsOnTheLaterMarginal() {
        double alphaBar = 0.8;
        double laterAlphaBar = 0.35;
        float a = (float) Math.sqrt(laterAlphaBar / alphaBar);
        float s = (float) Math.sqrt(1 - a * a);
        assertForwardMarginal((float) Math.sqrt(alphaBar), (float) Math.sqrt(1 - alphaBar), a, s,
                Math.sqrt(laterAlphaBar), Math.sqrt(1 - laterAlphaBar));
    }

    /**
     * x0 = 1.5 everywhere, x_t = alpha x0 + sigma eps, then x <- a x + s z: the result must have mean alpha' x0
     * and standard deviation sigma' of the later time (the transition kernel composes to the marginal).
     */
    private void assertForwardMarginal(float alpha, float sigma, float a, float s, double laterAlpha,
            double laterSigma) {
        int rows = 400;
        int dim = 2500;
        Batch x = host.allocate(arena, rows, dim);
        try (Kernels kernels = host.openStream(0)) {
            kernels.gaussianNoise(x, 5, 0);
            float[] values = host.download(x);
            for (int i = 0; i < values.length; i++) {
                values[i] = alpha * 1.5f + sigma * values[i];
            }
            x = host.upload(arena, values, rows, dim);
            kernels.forwardNoise(x, 5, 1L << 32, a, s);
        }
        float[] out = host.download(x);
        int n = out.length;
        double mean = 0, squares = 0;
        for (float v : out) {
            mean += v;
        }
        mean /= n;
        for (float v : out) {
            squares += (v - mean) * (v - mean);
        }
        double sd = Math.sqrt(squares / n);
        assertThat(mean).isCloseTo(laterAlpha * 1.5, within(5 * laterSigma / Math.sqrt(n)));
        assertThat(sd).isCloseTo(laterSigma, within(5 * laterSigma * Math.sqrt(0.5 / n)));
    }
}

package io.noisesearch.metrics;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class MetricsTest {

    @Test
    void frechetDistanceOfDiagonalGaussiansHasItsClosedForm() {
        double[] m1 = {0, 1, 2};
        double[] m2 = {1, 1, 0};
        double[] v1 = {1, 4, 9};
        double[] v2 = {4, 1, 1};
        FeatureStatistics a = new FeatureStatistics(m1, diagonal(v1), 100);
        FeatureStatistics b = new FeatureStatistics(m2, diagonal(v2), 100);
        // |m1 - m2|^2 + sum (sqrt v1 - sqrt v2)^2 = (1 + 0 + 4) + (1 + 1 + 4) = 11.
        assertThat(FrechetDistance.between(a, b)).isCloseTo(11, within(1e-9));
        assertThat(FrechetDistance.between(a, a)).isCloseTo(0, within(1e-9));
    }

    @Test
    void frechetDistanceOfARotatedCovarianceUsesTheMatrixRoot() {
        // C1 = I, C2 = R diag(4, 1) R^T: tr((C1 C2)^1/2) = tr(C2^1/2) = 2 + 1, so FD = 2 + 5 - 6 = 1.
        double c = Math.cos(0.7);
        double s = Math.sin(0.7);
        double[][] c2 = {{4 * c * c + s * s, 3 * c * s}, {3 * c * s, 4 * s * s + c * c}};
        FeatureStatistics a = new FeatureStatistics(new double[2], diagonal(new double[] {1, 1}), 10);
        FeatureStatistics b = new FeatureStatistics(new double[2], c2, 10);
        assertThat(FrechetDistance.between(a, b)).isCloseTo(1, within(1e-9));
    }

    @Test
    void sampleStatisticsMatchTheirDefinition() {
        float[][] x = {{1, 2}, {3, 6}, {5, 10}};
        FeatureStatistics s = FeatureStatistics.of(x);
        assertThat(s.mean()).containsExactly(3, 6);
        assertThat(s.covariance()[0]).containsExactly(4, 8);
        assertThat(s.covariance()[1]).containsExactly(8, 16);
    }

    @Test
    void inceptionScoreRangesFromOneToTheNumberOfClasses() {
        float[][] confidentBalanced = new float[40][4];
        float[][] uniform = new float[40][4];
        for (int i = 0; i < 40; i++) {
            confidentBalanced[i][i % 4] = 1;
            java.util.Arrays.fill(uniform[i], 0.25f);
        }
        assertThat(InceptionScore.of(confidentBalanced)).isCloseTo(4, within(1e-9));
        assertThat(InceptionScore.of(uniform)).isCloseTo(1, within(1e-9));
        assertThat(InceptionScore.softmax(new float[] {0, (float) Math.log(3)})).containsExactly(0.25f, 0.75f);
    }

    @Test
    void precisionAndRecallSeparateFidelityFromDiversity() {
        SplittableRandom random = new SplittableRandom(1);
        float[][] real = gaussianCloud(random, 400, 0, 1);
        float[][] same = gaussianCloud(random, 400, 0, 1);
        float[][] collapsed = gaussianCloud(random, 400, 0, 0.05);
        float[][] far = gaussianCloud(random, 400, 50, 1);
        PrecisionRecall.Result good = PrecisionRecall.of(real, same, 3);
        assertThat(good.precision()).isGreaterThan(0.9);
        assertThat(good.recall()).isGreaterThan(0.9);
        PrecisionRecall.Result modeCollapse = PrecisionRecall.of(real, collapsed, 3);
        assertThat(modeCollapse.precision()).isGreaterThan(0.95);
        assertThat(modeCollapse.recall()).isLessThan(0.2);
        PrecisionRecall.Result wrong = PrecisionRecall.of(real, far, 3);
        assertThat(wrong.precision()).isZero();
        assertThat(wrong.recall()).isZero();
    }

    private static float[][] gaussianCloud(SplittableRandom random, int n, double centre, double std) {
        float[][] points = new float[n][2];
        for (float[] p : points) {
            for (int i = 0; i < 2; i++) {
                double u1 = random.nextDouble();
                double u2 = random.nextDouble();
                p[i] = (float) (centre + std * Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2));
            }
        }
        return points;
    }

    private static double[][] diagonal(double[] v) {
        double[][] m = new double[v.length][v.length];
        for (int i = 0; i < v.length; i++) {
            m[i][i] = v[i];
        }
        return m;
    }
}

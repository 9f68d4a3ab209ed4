package io.noisesearch.sampling;

import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;

import io.noisesearch.model.GaussianMixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The exact mixture velocity carries N(0, I) onto the mixture, so a converged solver must reproduce the
 * mixture's closed-form mean and covariance, and the discretisation error must fall at the solver's order.
 */
class SolverConvergenceTest {

    private static MixtureSolveFixture fixture;

    @BeforeAll
    static void open() {
        fixture = new MixtureSolveFixture("gmm-2d");
    }

    @AfterAll
    static void close() {
        fixture.close();
    }

    @Test
    void heunSamplesHaveTheMixtureMeanAndCovariance() {
        checkMoments(new SolverSettings(SolverKind.HEUN, 64));
    }

    @Test
    void eulerSamplesHaveTheMixtureMeanAndCovariance() {
        checkMoments(new SolverSettings(SolverKind.EULER, 400));
    }

    private static void checkMoments(SolverSettings settings) {
        int n = 20_000;
        int label = 1;
        float[] x = fixture.solve(label, n, 7, settings, 1.0);
        GaussianMixture mixture = fixture.model.mixture();
        double[] mean = mixture.mean(label);
        double[][] cov = mixture.covariance(label);
        double[] sampleMean = new double[2];
        for (int i = 0; i < n; i++) {
            sampleMean[0] += x[2 * i] / (double) n;
            sampleMean[1] += x[2 * i + 1] / (double) n;
        }
        double[][] sampleCov = new double[2][2];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < 2; a++) {
                for (int b = 0; b < 2; b++) {
                    sampleCov[a][b] += (x[2 * i + a] - sampleMean[a]) * (x[2 * i + b] - sampleMean[b]) / (n - 1);
                }
            }
        }
        for (int a = 0; a < 2; a++) {
            double meanError = Math.sqrt(cov[a][a] / n);
            assertThat(Math.abs(sampleMean[a] - mean[a])).as("mean[%d] with %s", a, settings)
                    .isLessThan(5 * meanError);
            for (int b = 0; b < 2; b++) {
                // Standard error of a sample covariance; a mixture's 4th moments exceed the Gaussian's, hence 6.
                double covError = Math.sqrt((cov[a][a] * cov[b][b] + cov[a][b] * cov[a][b]) / n);
                assertThat(Math.abs(sampleCov[a][b] - cov[a][b])).as("cov[%d][%d] with %s", a, b, settings)
                        .isLessThan(6 * covError);
            }
        }
    }

    @Test
    void heunErrorFallsFourfoldWhenStepsDouble() {
        double[] ratios = errorRatios(SolverKind.HEUN, 16);
        for (double ratio : ratios) {
            assertThat(ratio).as("Heun error ratios %s", java.util.Arrays.toString(ratios)).isBetween(3.2, 5.0);
        }
    }

    @Test
    void eulerErrorFallsTwofoldWhenStepsDouble() {
        double[] ratios = errorRatios(SolverKind.EULER, 32);
        for (double ratio : ratios) {
            assertThat(ratio).as("Euler error ratios %s", java.util.Arrays.toString(ratios)).isBetween(1.7, 2.4);
        }
    }

    /** err(S) / err(2S) for S = first, 2 first, 4 first, against a 4096-step Heun reference of the same noises. */
    private static double[] errorRatios(SolverKind kind, int first) {
        int n = 512;
        int label = 2;
        float[] reference = fixture.solve(label, n, 3, new SolverSettings(SolverKind.HEUN, 4096), 1.0);
        double[] errors = new double[4];
        for (int i = 0; i < errors.length; i++) {
            float[] x = fixture.solve(label, n, 3, new SolverSettings(kind, first << i), 1.0);
            errors[i] = rms(x, reference);
        }
        double[] ratios = new double[errors.length - 1];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = errors[i] / errors[i + 1];
        }
        return ratios;
    }

    private static double rms(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            sum += d * d;
        }
        return Math.sqrt(sum / a.length);
    }
}

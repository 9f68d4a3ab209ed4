package io.noisesearch.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.noisesearch.model.BuiltinModels;
import io.noisesearch.model.ExactMixture;
import io.noisesearch.model.MixtureDenoiser;
import io.noisesearch.schedule.Coefficients;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The mixture's gradient kernels against mathematics: J^T c of the posterior means against central differences of
 * c . f(x) in double precision, the score against differences of the log density; the host library against the
 * plain-Java reference.
 */
class MixtureGradientKernelsTest extends HostAndJavaTest {

    private final SplittableRandom random = new SplittableRandom(20261130);

    /** Rows near the noisy data at (alpha, sigma): alpha times a component mean plus sigma times noise. */
    private float[] nearData(MixtureDenoiser model, int rows, double alpha, double sigma) {
        int dim = model.info().dim();
        float[] x = new float[rows * dim];
        for (int r = 0; r < rows; r++) {
            float[] mean = model.mixture().means()[random.nextInt(model.mixture().components())];
            for (int i = 0; i < dim; i++) {
                x[r * dim + i] = (float) (alpha * mean[i] + Math.max(sigma, 0.2) * random.nextGaussian());
            }
        }
        return x;
    }

    private float[] gaussian(int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    private static double[] row(float[] values, int r, int dim) {
        double[] out = new double[dim];
        for (int i = 0; i < dim; i++) {
            out[i] = values[r * dim + i];
        }
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    @Test
    void vectorJacobianProductMatchesFiniteDifferencesOfThePosteriorMeans() {
        for (String name : new String[] {"gmm-2d", "gmm-image"}) {
            MixtureDenoiser model = BuiltinModels.open(name, host, arena);
            ExactMixture exact = new ExactMixture(model.mixture(), model.info().schedule());
            int dim = model.info().dim();
            int rows = 3;
            for (double t : new double[] {0.9, 0.5, 0.15}) {
                Coefficients at = model.info().schedule().at(t);
                // velocity, x0, eps and a DDIM step's combination
                float[][] coefficients = {{at.dalpha(), at.dsigma()}, {1, 0}, {0, 1}, {0.8f, 0.3f}};
                for (int label : new int[] {0, model.info().nullClass()}) {
                    float[] xs = nearData(model, rows, at.alpha(), at.sigma());
                    float[] cs = gaussian(rows * dim);
                    Batch x = host.upload(arena, xs, rows, dim);
                    Batch c = host.upload(arena, cs, rows, dim);
                    for (float[] k : coefficients) {
                        Batch nativeOut = host.allocate(arena, rows, dim);
                        Batch javaOut = host.allocate(arena, rows, dim);
                        hostKernels.gmmVjp(x, c, nativeOut, model.tensors(), label, at, k[0], k[1]);
                        reference.gmmVjp(x, c, javaOut, model.tensors(), label, at, k[0], k[1]);
                        assertClose(host.download(nativeOut), host.download(javaOut));
                        float[] vjp = host.download(javaOut);
                        for (int r = 0; r < rows; r++) {
                            double[] cr = row(cs, r, dim);
                            final int lab = label;
                            double[] expected = ExactMixture.centralDifferences(
                                    p -> dot(cr, exact.prediction(p, t, lab, 1, k[0], k[1])), row(xs, r, dim), 1e-4);
                            float[] actual = Arrays.copyOfRange(vjp, r * dim, (r + 1) * dim);
                            assertThat(ExactMixture.relativeError(actual, expected))
                                    .as("%s t=%s label %d coefficients (%s, %s) row %d", name, t, label, k[0], k[1], r)
                                    .isLessThan(1e-4);
                        }
                    }
                }
            }
        }
    }

    @Test
    void scoreAtTheCleanEndIsTheGradientOfTheLogDensity() {
        MixtureDenoiser model = BuiltinModels.open("gmm-image", host, arena);
        ExactMixture exact = new ExactMixture(model.mixture(), model.info().schedule());
        int dim = model.info().dim();
        int rows = 4;
        Coefficients clean = new Coefficients(1f, 0f, -1f, 1f);
        for (int label : new int[] {2, model.info().nullClass()}) {
            float[] xs = nearData(model, rows, 1, 0.3);
            Batch x = host.upload(arena, xs, rows, dim);
            Batch nativeOut = host.allocate(arena, rows, dim);
            Batch javaOut = host.allocate(arena, rows, dim);
            hostKernels.gmmScore(x, nativeOut, model.tensors(), label, clean);
            reference.gmmScore(x, javaOut, model.tensors(), label, clean);
            assertClose(host.download(nativeOut), host.download(javaOut));
            float[] score = host.download(nativeOut);
            for (int r = 0; r < rows; r++) {
                final int lab = label;
                double[] expected = ExactMixture.centralDifferences(p -> exact.logDensity(p, lab), row(xs, r, dim), 1e-4);
                float[] actual = Arrays.copyOfRange(score, r * dim, (r + 1) * dim);
                assertThat(ExactMixture.relativeError(actual, expected)).as("label %d row %d", label, r)
                        .isLessThan(1e-4);
            }
        }
    }

    @Test
    void anOutputThatOverlapsAnInputIsRefused() {
        MixtureDenoiser model = BuiltinModels.open("gmm-2d", host, arena);
        Batch x = host.upload(arena, new float[] {1, 2, 3, 4}, 2, 2);
        Batch c = host.upload(arena, new float[] {1, 0, 0, 1}, 2, 2);
        Coefficients at = model.info().schedule().at(0.5);
        for (Kernels kernels : new Kernels[] {hostKernels, reference}) {
            assertThatThrownBy(
                    () -> kernels.gmmVjp(x, c, c, model.tensors(), 0, at, -1, 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gmmVjp");
            assertThatThrownBy(
                    () -> kernels.gmmScore(x, x, model.tensors(), 0, at))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gmmScore");
        }
    }

    private static void assertClose(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).isCloseTo(expected[i], within(1e-5f * Math.max(1f, Math.abs(expected[i]))));
        }
    }
}

package io.noisesearch.verify;

import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Backends;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import io.noisesearch.model.BuiltinModels;
import io.noisesearch.model.ExactMixture;
import io.noisesearch.model.MixtureDenoiser;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** The exact verifiers' gradients against central differences of their scores in double precision. */
class MixtureVerifierGradientTest {

    @Test
    void oracleAndPosteriorGradientsMatchFiniteDifferences() {
        try (Backend backend = Backends.open("host"); Arena arena = Arena.ofConfined();
             Kernels kernels = backend.openStream(0)) {
            MixtureDenoiser model = BuiltinModels.open("gmm-2d", backend, arena);
            ExactMixture exact = new ExactMixture(model.mixture(), model.info().schedule());
            float[][] means = model.mixture().means();
            // between the modes of classes 0 and 1 the posterior is far from saturated
            float[] points = new float[6];
            for (int r = 0; r < 3; r++) {
                double w = 0.45 + 0.05 * r;
                points[2 * r] = (float) (w * means[0][0] + (1 - w) * means[2][0]);
                points[2 * r + 1] = (float) (w * means[0][1] + (1 - w) * means[2][1]);
            }
            Batch x = backend.upload(arena, points, 3, 2);
            int label = 0;
            int nullClass = model.info().nullClass();
            for (MixtureLogDensityVerifier.Kind kind : MixtureLogDensityVerifier.Kind.values()) {
                MixtureLogDensityVerifier verifier = new MixtureLogDensityVerifier(kind, model);
                Batch out = backend.allocate(arena, 3, 2);
                verifier.gradient(kernels, new VerifierInput(x, null, label), out, backend.allocate(arena, 3, 2));
                float[] gradient = backend.download(out);
                for (int r = 0; r < 3; r++) {
                    double[] at = {points[2 * r], points[2 * r + 1]};
                    double[] expected = ExactMixture.centralDifferences(p -> kind == MixtureLogDensityVerifier.Kind.ORACLE
                            ? exact.logDensity(p, label)
                            : exact.logDensity(p, label) - exact.logDensity(p, nullClass), at, 1e-5);
                    assertThat(Math.hypot(expected[0], expected[1])).as("%s row %d", kind, r).isGreaterThan(1e-2);
                    assertThat(ExactMixture.relativeError(Arrays.copyOfRange(gradient, 2 * r, 2 * r + 2), expected))
                            .as("%s row %d", kind, r).isLessThan(1e-4);
                }
            }
        }
    }
}

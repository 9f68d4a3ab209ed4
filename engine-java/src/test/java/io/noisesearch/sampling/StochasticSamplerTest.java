package io.noisesearch.sampling;

import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Backends;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import io.noisesearch.compute.ComputeMeter;
import io.noisesearch.model.BuiltinModels;
import io.noisesearch.model.GaussianMixture;
import io.noisesearch.model.MixtureDenoiser;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The stochastic samplers: at noise 0 they are the ODE solvers bit for bit; their steps' noise is a function of
 * (seed, key, step), so a solve in segments draws what one solve draws; and the reverse SDE keeps the ODE's marginals,
 * checked on the exact mixtures against their closed-form moments.
 */
class StochasticSamplerTest {

    private static MixtureSolveFixture points;
    private static MixtureSolveFixture images;
    private static MixtureSolveFixture vp;

    @BeforeAll
    static void open() {
        points = new MixtureSolveFixture("gmm-2d");
        images = new MixtureSolveFixture("gmm-image");
        vp = new MixtureSolveFixture("gmm-image-vp");
    }

    @AfterAll
    static void close() {
        points.close();
        images.close();
        vp.close();
    }

    @Test
    void eulerSdeAtNoiseScaleZeroIsEulerBitForBit() {
        float[] ode = images.solve(3, 6, 11, new SolverSettings(SolverKind.EULER, 10), 1.0);
        float[] sde = images.solve(3, 6, 11, new SolverSettings(SolverKind.EULER_SDE, 10, 0), 1.0);
        assertThat(sde).containsExactly(ode);
    }

    @Test
    void ddimAtEtaZeroIsDeterministicDdimBitForBit() {
        float[] ode = vp.solve(3, 6, 11, new SolverSettings(SolverKind.DDIM, 20), 1.0);
        float[] zero = vp.solve(3, 6, 11, new SolverSettings(SolverKind.DDIM, 20, 0), 1.0);
        assertThat(zero).containsExactly(ode);
    }

    @Test
    void aPositiveNoiseMovesTheSamplesAndTheSameSeedRepeatsThem() {
        for (MixtureSolveFixture fixture : new MixtureSolveFixture[] {images, vp}) {
            for (SolverSettings settings : new SolverSettings[] {new SolverSettings(SolverKind.EULER_SDE, 10, 0.5),
                    new SolverSettings(SolverKind.DDPM, 10), new SolverSettings(SolverKind.DDIM, 10, 0.5)}) {
                float[] once = fixture.solve(1, 4, 5, settings, 1.0);
                assertThat(fixture.solve(1, 4, 5, settings, 1.0)).as("%s", settings).containsExactly(once);
                assertThat(fixture.solve(1, 4, 6, settings, 1.0)).as("%s, another seed", settings)
                        .isNotEqualTo(once);
                SolverSettings ode = settings.kind() == SolverKind.EULER_SDE
                        ? new SolverSettings(SolverKind.EULER, 10) : new SolverSettings(SolverKind.DDIM, 10);
                assertThat(fixture.solve(1, 4, 5, ode, 1.0)).as("%s against the ODE", settings).isNotEqualTo(once);
            }
        }
    }

    /** Step j of row r draws (seed, key r, step j): solving step by step with firstStep = j repeats one solve. */
    @Test
    void aSolveInSegmentsDrawsWhatOneSolveDraws() {
        for (SolverSettings settings : new SolverSettings[] {new SolverSettings(SolverKind.EULER_SDE, 8, 0.7),
                new SolverSettings(SolverKind.DDPM, 8)}) {
            MixtureSolveFixture fixture = settings.kind() == SolverKind.DDPM ? vp : images;
            float[] whole = fixture.solve(2, 5, 9, settings, 1.0);
            Backend backend = fixture.backend;
            MixtureDenoiser model = fixture.model;
            GuidedDenoiser guided = new GuidedDenoiser(model, 2, 1.0, new ComputeMeter());
            try (Arena scratch = Arena.ofConfined()) {
                Sampler sampler = new Sampler(guided, backend, fixture.kernels, scratch, 5);
                Batch x = backend.allocate(scratch, 5, model.info().dim());
                fixture.kernels.gaussianNoise(x, 9, 0);
                double[] grid = model.info().schedule().grid(1, 0, 8);
                for (int j = 0; j < 8; j++) {
                    sampler.solve(x, Arrays.copyOfRange(grid, j, j + 2), settings,
                            new Sampler.StepNoise(9, 0, j), null);
                }
                assertThat(backend.download(x)).as("%s", settings).containsExactly(whole);
            }
        }
    }

    @Test
    void aStochasticSolveWithoutItsNoiseKeysIsRefused() {
        GuidedDenoiser guided = new GuidedDenoiser(images.model, 0, 1.0, new ComputeMeter());
        try (Arena scratch = Arena.ofConfined()) {
            Sampler sampler = new Sampler(guided, images.backend, images.kernels, scratch, 1);
            Batch x = images.backend.allocate(scratch, 1, images.model.info().dim());
            double[] grid = images.model.info().schedule().grid(1, 0, 2);
            assertThatThrownBy(() -> sampler.solve(x, grid, new SolverSettings(SolverKind.EULER_SDE, 2), null, null))
                    .hasMessageContaining("keys");
            assertThatThrownBy(() -> sampler.solve(x, grid, SolverKind.DDPM)).hasMessageContaining("ddpm");
        }
    }

    /** The Java reference kernels and the host library draw the same step noise: the same samples bit for bit. */
    @Test
    void javaReferenceAndHostLibraryAgreeBitForBit() {
        try (Backend java = Backends.open("java"); Arena arena = Arena.ofConfined();
             Kernels kernels = java.openStream(0)) {
            MixtureDenoiser model = BuiltinModels.open("gmm-image", java, arena);
            SolverSettings settings = new SolverSettings(SolverKind.EULER_SDE, 6, 0.8);
            GuidedDenoiser guided = new GuidedDenoiser(model, 4, 1.0, new ComputeMeter());
            Sampler sampler = new Sampler(guided, java, kernels, arena, 3);
            Batch x = java.allocate(arena, 3, model.info().dim());
            kernels.gaussianNoise(x, 21, 0);
            sampler.solve(x, model.info().schedule().grid(1, 0, 6), settings, new Sampler.StepNoise(21, 0, 0), null);
            assertThat(java.download(x)).containsExactly(images.solve(4, 3, 21, settings, 1.0));
        }
    }

    /**
     * Euler-Maruyama of the reverse SDE carries N(0, I) onto the mixture for any noise scale (its weak error grows with
     * S^2 dt: a larger scale takes more steps).
     */
    @Test
    void eulerMaruyamaSamplesHaveTheMixtureMeanAndCovariance() {
        checkMoments(points, new SolverSettings(SolverKind.EULER_SDE, 400, 0.5), 1, 20_000);
        checkMoments(points, new SolverSettings(SolverKind.EULER_SDE, 1600, 1.5), 1, 20_000);
    }

    /**
     * DDPM ancestral sampling over the schedule's 1000 steps (the DDPM chain itself) and DDIM with eta 0.5 on the VP
     * mixture: the class's mean and total variance.
     */
    @Test
    void ddpmAndDdimWithEtaSampleTheVpMixture() {
        checkMoments(vp, new SolverSettings(SolverKind.DDPM, 1000), 6, 1000);
        checkMoments(vp, new SolverSettings(SolverKind.DDIM, 500, 0.5), 6, 1000);
    }

    /**
     * Sample mean and covariance of n samples against the class's closed form. Tolerances from the sample size: the
     * squared distance of the mean, scaled by the covariance's trace / n, has expectation 1 (chi-square over the
     * dimensions); each covariance entry within 6 standard errors, the total variance within 6 of its own.
     */
    private static void checkMoments(MixtureSolveFixture fixture, SolverSettings settings, int label, int n) {
        GaussianMixture mixture = fixture.model.mixture();
        int dim = fixture.model.info().dim();
        float[] x = fixture.solve(label, n, 7, settings, 1.0);
        double[] mean = mixture.mean(label);
        double[][] cov = mixture.covariance(label);
        double[] sampleMean = new double[dim];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < dim; a++) {
                sampleMean[a] += x[i * dim + a] / (double) n;
            }
        }
        double trace = 0;
        double meanDistance = 0;
        double sampleTrace = 0;
        for (int a = 0; a < dim; a++) {
            trace += cov[a][a];
            meanDistance += (sampleMean[a] - mean[a]) * (sampleMean[a] - mean[a]);
            for (int i = 0; i < n; i++) {
                double d = x[i * dim + a] - sampleMean[a];
                sampleTrace += d * d / (n - 1);
            }
        }
        // E|mean error|^2 = trace / n; 4 times that is far in the tail of the (scaled) chi-square.
        assertThat(meanDistance).as("squared mean error with %s", settings).isLessThan(4 * trace / n);
        double squares = 0;
        for (int a = 0; a < dim; a++) {
            for (int b = 0; b < dim; b++) {
                squares += cov[a][b] * cov[a][b];
            }
        }
        // Var(sample trace) = 2 tr(cov^2) / n for Gaussian data; a mixture's 4th moments exceed it, hence 6 sd.
        assertThat(Math.abs(sampleTrace - trace)).as("total variance with %s", settings)
                .isLessThan(6 * Math.sqrt(2 * squares / n));
        if (dim == 2) {
            for (int a = 0; a < 2; a++) {
                for (int b = 0; b < 2; b++) {
                    double sampleCov = 0;
                    for (int i = 0; i < n; i++) {
                        sampleCov += (x[2 * i + a] - sampleMean[a]) * (x[2 * i + b] - sampleMean[b]) / (n - 1);
                    }
                    double error = Math.sqrt((cov[a][a] * cov[b][b] + cov[a][b] * cov[a][b]) / n);
                    assertThat(Math.abs(sampleCov - cov[a][b])).as("cov[%d][%d] with %s", a, b, settings)
                            .isLessThan(6 * error);
                }
            }
        }
    }
}

package io.noisesearch.sampling;

import io.noisesearch.schedule.SolverSettings;

import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Backends;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import io.noisesearch.compute.ComputeMeter;
import io.noisesearch.model.BuiltinModels;
import io.noisesearch.model.MixtureDenoiser;

import java.lang.foreign.Arena;

/** Solves noises of a built-in mixture model with a given solver, on the host backend. */
final class MixtureSolveFixture implements AutoCloseable {

    final Backend backend = Backends.open("host");
    final Arena arena = Arena.ofConfined();
    final Kernels kernels = backend.openStream(0);
    final MixtureDenoiser model;

    MixtureSolveFixture(String modelName) {
        model = BuiltinModels.open(modelName, backend, arena);
    }

    /**
     * Samples of noises (seed, keys 0..rows-1) solved from t = 1 to 0; a stochastic solver draws row r's step noise
     * from key r.
     */
    float[] solve(int label, int rows, long seed, SolverSettings settings, double guidance) {
        GuidedDenoiser guided = new GuidedDenoiser(model, label, guidance, new ComputeMeter());
        try (Arena scratch = Arena.ofConfined()) {
            Sampler sampler = new Sampler(guided, backend, kernels, scratch, rows);
            Batch x = backend.allocate(scratch, rows, model.info().dim());
            kernels.gaussianNoise(x, seed, 0);
            sampler.solve(x, model.info().schedule().grid(1, 0, settings.steps()), settings,
                    new Sampler.StepNoise(seed, 0, 0), null);
            return backend.download(x);
        }
    }

    @Override
    public void close() {
        kernels.close();
        arena.close();
        backend.close();
    }
}

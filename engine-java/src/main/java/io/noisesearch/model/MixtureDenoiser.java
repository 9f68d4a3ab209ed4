package io.noisesearch.model;

import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import io.noisesearch.backend.MixtureTensors;

import java.lang.foreign.Arena;

/**
 * The exact denoiser of a Gaussian mixture: its closed-form prediction and the prediction's vector-Jacobian product,
 * computed by the mixture kernels.
 */
public final class MixtureDenoiser implements DifferentiableDenoiser {

    private final ModelInfo info;
    private final GaussianMixture mixture;
    private final MixtureTensors tensors;

    public MixtureDenoiser(ModelInfo info, GaussianMixture mixture, Backend backend, Arena arena) {
        if (info.dim() != mixture.dim() || info.classes() != mixture.classes()) {
            throw new IllegalArgumentException("model " + info.name() + " disagrees with its mixture's shape");
        }
        this.info = info;
        this.mixture = mixture;
        int k = mixture.components();
        this.tensors = new MixtureTensors(
                backend.upload(arena, mixture.flatMeans(), k, mixture.dim()),
                backend.upload(arena, mixture.variances().clone(), 1, k),
                backend.upload(arena, mixture.logWeightTable(), mixture.classes() + 1, k),
                k, mixture.classes());
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    public GaussianMixture mixture() {
        return mixture;
    }

    public MixtureTensors tensors() {
        return tensors;
    }

    /** One mixture kernel on the stream: recordable. */
    @Override
    public boolean capturable() {
        return true;
    }

    @Override
    public void predict(Kernels kernels, Batch x, double t, int label, Batch out) {
        kernels.gmmPredict(x, out, tensors, label, info.schedule().at(t), info.prediction());
    }

    @Override
    public void vjp(Kernels kernels, Batch x, double t, int label, Batch cotangent, float cX0, float cEps, Batch out) {
        kernels.gmmVjp(x, cotangent, out, tensors, label, info.schedule().at(t), cX0, cEps);
    }
}

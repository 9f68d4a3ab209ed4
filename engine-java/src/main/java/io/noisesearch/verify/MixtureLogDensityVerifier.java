package io.noisesearch.verify;

import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import io.noisesearch.model.MixtureDenoiser;
import io.noisesearch.schedule.Coefficients;

/**
 * Exact verifiers of a Gaussian-mixture model. {@code oracle}: log p(x | class), the exact density the
 * samples should follow (the ceiling a learned verifier approximates). {@code posterior}: log p(class | x)
 * = log p(x | class) + log prior(class) - log p(x), the Bayes classifier (the analogue of a supervised
 * classifier verifier). Both have closed-form gradients: grad log p(x | class), less grad log p(x) for the posterior.
 */
public final class MixtureLogDensityVerifier implements DifferentiableVerifier {

    /** The clean end of the interpolant: the kernels' score there is the gradient of the density at t = 0. */
    private static final Coefficients CLEAN = new Coefficients(1f, 0f, -1f, 1f);

    public enum Kind {
        ORACLE("oracle"), POSTERIOR("posterior");

        final String id;

        Kind(String id) {
            this.id = id;
        }
    }

    private final Kind kind;
    private final MixtureDenoiser model;

    public MixtureLogDensityVerifier(Kind kind, MixtureDenoiser model) {
        this.kind = kind;
        this.model = model;
    }

    @Override
    public String name() {
        return kind.id;
    }

    /** The mixture it scores with is the denoiser's, which a cache keys apart. */
    @Override
    public String identity() {
        return name();
    }

    @Override
    public long flopsPerSample() {
        long density = model.mixture().densityFlops();
        return kind == Kind.ORACLE ? density : 2 * density;
    }

    /** A density kernel writes one value per row and needs no scratch: a whole pool in one call. */
    @Override
    public int rowsPerCall(int batchSize) {
        return Integer.MAX_VALUE;
    }

    @Override
    public void score(Kernels kernels, VerifierInput input, float[][] out, int offset) {
        int rows = input.samples().rows();
        float[] conditional = new float[rows];
        kernels.gmmLogDensity(input.samples(), conditional, model.tensors(), input.label());
        if (kind == Kind.POSTERIOR) {
            float[] marginal = new float[rows];
            kernels.gmmLogDensity(input.samples(), marginal, model.tensors(), model.info().nullClass());
            float logPrior = (float) Math.log(model.mixture().classPrior(input.label()));
            for (int r = 0; r < rows; r++) {
                conditional[r] = conditional[r] + logPrior - marginal[r];
            }
        }
        System.arraycopy(conditional, 0, out[0], offset, rows);
        Verifier.requireFinite(name(), out[0], offset, rows);
    }

    @Override
    public void gradient(Kernels kernels, VerifierInput input, Batch out, Batch scratch) {
        kernels.gmmScore(input.samples(), out, model.tensors(), input.label(), CLEAN);
        if (kind == Kind.POSTERIOR) {
            kernels.gmmScore(input.samples(), scratch, model.tensors(), model.info().nullClass(), CLEAN);
            kernels.eulerStep(out, scratch, out, -1f);
        }
    }

    /** A score kernel reads every component once more than the density: about twice its FLOPs per density. */
    @Override
    public long gradientFlopsPerSample() {
        return 2 * flopsPerSample();
    }
}

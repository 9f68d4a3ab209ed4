package io.noisesearch.sampling;

import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import io.noisesearch.compute.ComputeMeter;
import io.noisesearch.model.Denoiser;
import io.noisesearch.model.DifferentiableDenoiser;
import io.noisesearch.model.EncodedPrompt;
import io.noisesearch.model.ModelInfo;
import io.noisesearch.model.TextDenoiser;

/**
 * A denoiser bound to one request: its class label (or, for a text model, its encoded prompt), its classifier-free
 * guidance scale and its meter. With a scale other than 1 every evaluation runs the conditional and the null-class
 * (null-caption) pass and combines them (out = uncond + scale (cond - uncond)); that is one NFE and two forward passes.
 */
public final class GuidedDenoiser {

    private final Denoiser denoiser;
    /** Where the evaluations go: the denoiser itself, or a batcher's session of it. */
    private final Denoiser calls;
    private final int label;
    private final float scale;
    private final ComputeMeter meter;
    /** The request's encoded caption for a text model; null for class labels. */
    private final EncodedPrompt prompt;

    /** A text model's request: every pass takes the prompt's rows, the unconditional pass the null caption's. */
    public GuidedDenoiser(TextDenoiser denoiser, EncodedPrompt prompt, double scale, ComputeMeter meter) {
        if (!Double.isFinite(scale)) {
            throw new IllegalArgumentException("guidance scale must be finite, got " + scale);
        }
        this.denoiser = denoiser;
        this.calls = denoiser;
        this.label = 0;
        this.scale = (float) scale;
        this.meter = meter;
        this.prompt = java.util.Objects.requireNonNull(prompt, "prompt");
    }

    public GuidedDenoiser(Denoiser denoiser, int label, double scale, ComputeMeter meter) {
        this(denoiser, denoiser, label, scale, meter);
    }

    /**
     * {@code denoiser}'s evaluations made through {@code calls} (a cross-request batcher's session of it); the
     * denoiser stays the model's identity for caches and graphs.
     */
    public GuidedDenoiser(Denoiser denoiser, Denoiser calls, int label, double scale, ComputeMeter meter) {
        ModelInfo info = denoiser.info();
        if (label < 0 || label > info.classes()) {
            throw new IllegalArgumentException("class " + label + " is outside 0.." + (info.classes() - 1)
                    + " of model " + info.name());
        }
        if (!Double.isFinite(scale)) {
            throw new IllegalArgumentException("guidance scale must be finite, got " + scale);
        }
        this.denoiser = denoiser;
        this.calls = calls;
        this.label = label;
        this.scale = (float) scale;
        this.meter = meter;
        this.prompt = null;
    }

    public ModelInfo info() {
        return denoiser.info();
    }

    public Denoiser denoiser() {
        return denoiser;
    }

    public int label() {
        return label;
    }

    /** The guidance scale the kernels are given. */
    public float scale() {
        return scale;
    }

    /** The encoded caption of a text model's request; null for class labels. */
    public EncodedPrompt prompt() {
        return prompt;
    }

    public boolean guided() {
        return scale != 1f && (prompt != null || label != denoiser.info().nullClass());
    }

    /** Whether the denoiser's evaluations can be recorded as a graph ({@link Denoiser#capturable()}). */
    public boolean capturable() {
        return prompt == null && calls.capturable();
    }

    /**
     * Charges {@code evaluations} evaluations of {@code rows} rows to the meter without running them: the work of
     * a replayed graph, whose calls were charged once when it was recorded.
     */
    public void charge(long rows, long evaluations) {
        meter.denoiserEvaluation(rows * evaluations, guided() ? 2 : 1, denoiser.info().flopsPerSample());
    }

    /** Writes the (guided) prediction for x at time t into out; {@code scratch} holds the null-class pass. */
    public void predict(Kernels kernels, Batch x, double t, Batch out, Batch scratch) {
        evaluate(kernels, x, t, out, scratch);
        charge(x.rows(), 1);
    }

    /**
     * NFEs one vector-Jacobian product of a denoiser evaluation is charged as: a backward pass costs about two forward
     * passes, so a forward solve with its reverse pass costs three solves (PAPER.md counts about 3).
     */
    public static final int BACKWARD_NFE = 2;

    /** Whether its evaluations have a closed-form Jacobian ({@link DifferentiableDenoiser}; no text model). */
    public boolean differentiable() {
        return prompt == null && denoiser instanceof DifferentiableDenoiser;
    }

    /**
     * Row r of {@code out} gets J^T c_r for the guided prediction's {@code cX0} x0 + {@code cEps} eps part at x and t
     * (the null-class pass into {@code scratch}, combined as the forward pass combines: both are linear in the two
     * passes); charged as {@link #BACKWARD_NFE} NFEs a row.
     */
    public void vjp(Kernels kernels, Batch x, double t, Batch cotangent, float cX0, float cEps, Batch out,
                    Batch scratch) {
        DifferentiableDenoiser model = (DifferentiableDenoiser) denoiser;
        model.vjp(kernels, x, t, label, cotangent, cX0, cEps, out);
        if (guided()) {
            model.vjp(kernels, x, t, denoiser.info().nullClass(), cotangent, cX0, cEps, scratch);
            kernels.cfgCombine(out, scratch, out, scale);
        }
        meter.denoiserEvaluation((long) x.rows() * BACKWARD_NFE, guided() ? 2 : 1, denoiser.info().flopsPerSample());
    }

    /** {@link #predict} without charging the meter (calls being recorded; the caller charges what runs). */
    public void evaluate(Kernels kernels, Batch x, double t, Batch out, Batch scratch) {
        if (prompt != null) {
            TextDenoiser text = (TextDenoiser) denoiser;
            text.predict(kernels, x, t, prompt, false, out);
            if (guided()) {
                text.predict(kernels, x, t, prompt, true, scratch);
                kernels.cfgCombine(out, scratch, out, scale);
            }
            return;
        }
        calls.predict(kernels, x, t, label, out);
        if (guided()) {
            calls.predict(kernels, x, t, denoiser.info().nullClass(), scratch);
            kernels.cfgCombine(out, scratch, out, scale);
        }
    }
}

package io.noisesearch.verify;

import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import io.noisesearch.model.ImageModel;
import io.noisesearch.model.ModelIdentity;

/**
 * The self-supervised verifier of PAPER.md ({@code ssl}): cosine similarity between the features of the clean
 * x-prediction captured at t = 0.4 and the features of the final sample, from an encoder trained without
 * labels. It needs no class label: a sample whose early prediction already shows what the final sample shows
 * is a coherent one. {@code ssl@T} captures at t = T instead (for studying the capture time).
 */
public final class FeatureSimilarityVerifier implements Verifier {

    public static final double CAPTURE_TIME = 0.4;

    private final ImageModel encoder;
    private final int width;
    private final double captureTime;

    public FeatureSimilarityVerifier(ImageModel encoder) {
        this(encoder, CAPTURE_TIME);
    }

    /** The verifier with the x-prediction captured at {@code captureTime} (named {@code ssl@T} unless 0.4). */
    public FeatureSimilarityVerifier(ImageModel encoder, double captureTime) {
        if (!(captureTime > 0 && captureTime < 1)) {
            throw new IllegalArgumentException("capture time must lie in (0, 1), got " + captureTime);
        }
        this.encoder = encoder;
        this.width = encoder.outputWidth("features");
        this.captureTime = captureTime;
    }

    @Override
    public String name() {
        return captureTime == CAPTURE_TIME ? "ssl" : "ssl@" + captureTime;
    }

    @Override
    public String identity() {
        return name() + "@" + ModelIdentity.of(encoder);
    }

    /** Two encoder passes per sample: the early x-prediction and the final sample. */
    @Override
    public long flopsPerSample() {
        return 2 * encoder.manifest().flopsPerSample();
    }

    @Override
    public double captureTime() {
        return captureTime;
    }

    @Override
    public void score(Kernels kernels, VerifierInput input, float[][] out, int offset) {
        Batch captured = input.captured();
        if (captured == null) {
            throw new IllegalStateException("the " + name() + " verifier was given no x-prediction captured at t = "
                    + captureTime);
        }
        float[] early = encoder.output(kernels, captured, "features");
        float[] last = encoder.output(kernels, input.samples(), "features");
        for (int r = 0; r < input.samples().rows(); r++) {
            out[0][offset + r] = (float) cosine(early, last, r * width, width);
        }
        Verifier.requireFinite(name(), out[0], offset, input.samples().rows());
    }

    static double cosine(float[] a, float[] b, int from, int count) {
        double dot = 0;
        double aa = 0;
        double bb = 0;
        for (int i = from; i < from + count; i++) {
            dot += a[i] * (double) b[i];
            aa += a[i] * (double) a[i];
            bb += b[i] * (double) b[i];
        }
        return dot / Math.sqrt(aa * bb);
    }
}

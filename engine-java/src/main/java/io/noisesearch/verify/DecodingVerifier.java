package io.noisesearch.verify;

import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import io.noisesearch.model.ImageModel;
import io.noisesearch.model.ModelManifest;

import java.lang.foreign.Arena;

/**
 * A verifier of a latent model: candidates (and their captures) are decoded to images by the model's decoder before
 * the verifier it wraps sees them. The decodes' FLOPs are part of {@link #flopsPerSample()} and their passes are
 * {@link #decodesPerSample()}, so every scored candidate is charged its decodes; the scores are the inner verifier's.
 */
public final class DecodingVerifier extends ForwardingVerifier {

    private final ImageModel decoder;
    private final Backend backend;
    private final String image;
    private final int imageDim;

    public DecodingVerifier(Verifier inner, ImageModel decoder, Backend backend) {
        super(inner);
        this.decoder = decoder;
        this.backend = backend;
        this.image = decoder.manifest().outputs().getFirst().name();
        ModelManifest.SampleSpec s = decoder.manifest().sample();
        this.imageDim = s.channels() * s.height() * s.width();
    }

    @Override
    public String identity() {
        String of = inner.identity();
        return of == null ? null : of + "@" + decoder.manifest().name();
    }

    /** The sample and, where the verifier captures, its capture. */
    @Override
    public int decodesPerSample() {
        return Double.isNaN(inner.captureTime()) ? 1 : 2;
    }

    @Override
    public long flopsPerSample() {
        return inner.flopsPerSample() + decodesPerSample() * decoder.manifest().flopsPerSample();
    }

    @Override
    public int rowsPerCall(int batchSize) {
        return Math.min(batchSize, inner.rowsPerCall(batchSize));
    }

    @Override
    public void score(Kernels kernels, VerifierInput input, float[][] out, int offset) {
        try (Arena arena = Arena.ofConfined()) {
            Batch images = decode(kernels, arena, input.samples());
            Batch captured = input.captured() == null ? null : decode(kernels, arena, input.captured());
            inner.score(kernels, new VerifierInput(images, captured, input.label(), input.prompt()), out, offset);
            kernels.synchronize();
        }
    }

    private Batch decode(Kernels kernels, Arena arena, Batch latents) {
        float[] decoded = decoder.output(kernels, latents, image);
        return backend.upload(arena, decoded, latents.rows(), imageDim);
    }
}

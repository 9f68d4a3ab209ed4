package io.noisesearch.model;

import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;

/**
 * A denoiser conditioned on a caption instead of a class label: the caption is tokenised with the manifest's
 * vocabulary and encoded once per request ({@link #encode}: the prompt and the null caption), then every prediction
 * takes those rows. Its class-label {@link #predict(Kernels, Batch, double, int, Batch)} is refused.
 */
public interface TextDenoiser extends Denoiser {

    Tokenizer tokenizer();

    /** FLOPs of one text-encoder row (one caption). */
    long textEncoderFlops();

    /** Tokenises {@code prompt} (an unknown word is an InvalidRequestException naming it) and encodes it and the null caption. */
    EncodedPrompt encode(String prompt);

    /** Writes the prediction for x at time t under the prompt's rows, or the null caption's when {@code unconditional}. */
    void predict(Kernels kernels, Batch x, double t, EncodedPrompt prompt, boolean unconditional, Batch out);

    @Override
    default void predict(Kernels kernels, Batch x, double t, int label, Batch out) {
        throw new IllegalStateException("model " + info().name() + " is text-conditioned: predict with a prompt");
    }
}

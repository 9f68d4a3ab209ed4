package io.noisesearch.verify;

import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;

/** A single verifier whose score has a closed-form gradient in the sample (the exact mixtures' oracle and posterior). */
public interface DifferentiableVerifier extends Verifier {

    /**
     * Row r of {@code out} gets the gradient of the score of row r of {@code input.samples()} in that sample;
     * {@code scratch} is a work batch of the samples' shape.
     */
    void gradient(Kernels kernels, VerifierInput input, Batch out, Batch scratch);

    /** FLOPs of one row's gradient. */
    long gradientFlopsPerSample();
}

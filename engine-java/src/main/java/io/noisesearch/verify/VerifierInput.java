package io.noisesearch.verify;

import io.noisesearch.backend.Batch;

/**
 * What a verifier sees of a set of candidates: their clean samples, the clean x-prediction captured on the way
 * at {@link Verifier#captureTime()} (null when the verifier asks for none), the requested class, and for a text
 * model's request its caption (null for class requests).
 */
public record VerifierInput(Batch samples, Batch captured, int label, String prompt) {

    /** A class request's input (no caption). */
    public VerifierInput(Batch samples, Batch captured, int label) {
        this(samples, captured, label, null);
    }
}

package io.noisesearch.verify;

import io.noisesearch.backend.Batch;

/**
 * What a verifier sees of a set of candidates: their clean samples, the clean x-prediction captured on the way
 * at {@link Verifier#captureTime()} (null when the verifier asks for none), and the requested class.
 */
public record VerifierInput(Batch samples, Batch captured, int label) {
}

package io.noisesearch;

/** A model or verifier produced NaN or infinity; such outputs are reported, never scored. */
public class NonFiniteOutputException extends NoiseSearchException {

    public NonFiniteOutputException(String message) {
        super(message, false);
    }
}

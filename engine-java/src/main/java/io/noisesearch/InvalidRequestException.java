package io.noisesearch;

/** Bad input from the caller: an option, a request field, a model file or a manifest. */
public class InvalidRequestException extends NoiseSearchException {

    public InvalidRequestException(String message) {
        super(message, true);
    }

    public InvalidRequestException(String message, Throwable cause) {
        super(message, true, cause);
    }
}

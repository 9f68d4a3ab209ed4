package io.noisesearch;

/**
 * The base of every error the engine reports. The message names what is at fault (model file, tensor, shape,
 * option) and what was expected. {@link #isUserError()} separates bad input (exit code 2 on the command line)
 * from internal failures (exit code 1).
 */
public class NoiseSearchException extends RuntimeException {

    private final boolean userError;

    public NoiseSearchException(String message, boolean userError) {
        super(message);
        this.userError = userError;
    }

    public NoiseSearchException(String message, boolean userError, Throwable cause) {
        super(message, cause);
        this.userError = userError;
    }

    public boolean isUserError() {
        return userError;
    }
}

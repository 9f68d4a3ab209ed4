package io.noisesearch.search;

import io.noisesearch.NoiseSearchException;

/**
 * A search whose deadline had passed before it began (it waited for a slot, or its model was opened, for that long):
 * it is not run, since any answer, even no search's final solve, would come a whole solve past the deadline. The
 * caller's choice of deadline, not an internal failure (the service answers 503 {@code deadline_exceeded}).
 */
public final class DeadlineExceededException extends NoiseSearchException {

    public DeadlineExceededException(String message) {
        super(message, true);
    }
}

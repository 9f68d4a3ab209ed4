package io.noisesearch.search;

import io.noisesearch.NoiseSearchException;

/**
 * A search whose time left to its deadline is below the estimated cost of its minimal answer (no search's final solve
 * and decode, {@link CallTimes}): it is not run, since even that answer would come late. The caller's choice of
 * deadline under the present load, not an internal failure (the service answers 503 {@code deadline_unmeetable}).
 */
public final class DeadlineUnmeetableException extends NoiseSearchException {

    private final long leftNanos;
    private final long minimalNanos;

    public DeadlineUnmeetableException(String message, long leftNanos, long minimalNanos) {
        super(message, true);
        this.leftNanos = leftNanos;
        this.minimalNanos = minimalNanos;
    }

    /** The time that was left to the search (ns, negative once past). */
    public long leftNanos() {
        return leftNanos;
    }

    /** The estimated cost of the minimal answer (ns). */
    public long minimalNanos() {
        return minimalNanos;
    }
}

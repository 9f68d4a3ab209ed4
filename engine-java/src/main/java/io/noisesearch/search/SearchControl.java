package io.noisesearch.search;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.function.LongSupplier;

/**
 * The caller's hold on one running search: its deadline on a clock of nanoseconds (the JVM's {@link System#nanoTime}
 * unless a test injects one) and a cancellation flag any thread may raise. The search reads both at its batch
 * boundaries ({@link SearchContext}): past the deadline it stops proposing and returns its best so far; cancelled, it
 * ends with a {@link CancellationException}.
 */
public final class SearchControl {

    private final LongSupplier clock;
    private final long deadlineNanos;
    private final boolean hasDeadline;
    private volatile String cancelReason;

    private SearchControl(LongSupplier clock, long deadlineNanos, boolean hasDeadline) {
        this.clock = clock;
        this.deadlineNanos = deadlineNanos;
        this.hasDeadline = hasDeadline;
    }

    /** No deadline; cancellable. */
    public static SearchControl none() {
        return new SearchControl(System::nanoTime, 0, false);
    }

    /** A deadline {@code deadline} from now (null: none) on the JVM's clock. */
    public static SearchControl startingNow(Duration deadline) {
        return startingNow(deadline, System::nanoTime);
    }

    /** A deadline {@code deadline} from the clock's present reading (null: none). */
    public static SearchControl startingNow(Duration deadline, LongSupplier clock) {
        if (deadline == null) {
            return new SearchControl(clock, 0, false);
        }
        return new SearchControl(clock, clock.getAsLong() + deadline.toNanos(), true);
    }

    public boolean hasDeadline() {
        return hasDeadline;
    }

    /** The clock's present reading. */
    public long now() {
        return clock.getAsLong();
    }

    /** Nanoseconds left until the deadline (negative once past); {@link Long#MAX_VALUE} without one. */
    public long remainingNanos() {
        return remainingNanos(clock.getAsLong());
    }

    /** Nanoseconds from the clock reading {@code now} to the deadline; {@link Long#MAX_VALUE} without one. */
    public long remainingNanos(long now) {
        return hasDeadline ? deadlineNanos - now : Long.MAX_VALUE;
    }

    /** Asks the search to end at its next batch boundary; the first reason given is kept. */
    public synchronized void cancel(String reason) {
        if (cancelReason == null) {
            cancelReason = reason == null ? "cancelled" : reason;
        }
    }

    public boolean cancelled() {
        return cancelReason != null;
    }

    /** Why it was cancelled ("client_disconnected", "shutdown", ...), or null. */
    public String cancelReason() {
        return cancelReason;
    }

    /**
     * Throws {@link DeadlineExceededException} where the deadline has already passed: called once before a search
     * begins, so that a request that spent its time waiting is not run at all.
     */
    public void throwIfExpired() {
        if (!hasDeadline) {
            return;
        }
        long left = remainingNanos();
        if (left <= 0) {
            throw new DeadlineExceededException("--deadline-ms: the deadline passed " + Math.round(-left / 1e6)
                    + " ms before the search could begin (waiting for a slot or opening the model); nothing was run");
        }
    }

    /** Throws the search's end where it was cancelled. */
    public void throwIfCancelled() {
        String reason = cancelReason;
        if (reason != null) {
            throw new CancellationException("search cancelled: " + reason);
        }
    }
}

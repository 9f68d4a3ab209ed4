package io.noisesearch.search;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.function.LongSupplier;

/**
 * The caller's hold on one running search: its deadline on a clock of nanoseconds (the JVM's {@link System#nanoTime}
 * unless a test injects one) and a cancellation flag any thread may raise. The search reads both at its batch
 * boundaries ({@link SearchContext}): past the deadline it stops proposing and returns its best so far; cancelled, it
 * ends with a {@link CancellationException}. A caller that has work to do after the search (a service encoding and
 * sending the answer) keeps its estimate of that work free before the deadline: the search's own time ends there.
 */
public final class SearchControl {

    private final LongSupplier clock;
    /** The clock reading at which the search's own time ends: the deadline less the time kept for the answer. */
    private final long searchEndNanos;
    private final long answerNanos;
    private final boolean hasDeadline;
    /** Where the search's model-call times go and its minimal answer is costed from (on this clock); null: none. */
    private final CallTimes estimates;
    private volatile String cancelReason;

    private SearchControl(LongSupplier clock, long deadlineNanos, long answerNanos, boolean hasDeadline) {
        this(clock, deadlineNanos - answerNanos, answerNanos, hasDeadline, null);
    }

    private SearchControl(LongSupplier clock, long searchEndNanos, long answerNanos, boolean hasDeadline,
                          CallTimes estimates) {
        this.clock = clock;
        this.searchEndNanos = searchEndNanos;
        this.answerNanos = answerNanos;
        this.hasDeadline = hasDeadline;
        this.estimates = estimates;
    }

    /**
     * The same control, its search timing its model calls into {@code times} and costing its minimal answer from them
     * (they must be on this control's clock: an engine's {@link CallTimes} are on the JVM's). Made before the search.
     */
    public SearchControl withEstimates(CallTimes times) {
        SearchControl control = new SearchControl(clock, searchEndNanos, answerNanos, hasDeadline, times);
        control.cancelReason = cancelReason;
        return control;
    }

    /** The call times the search records into and reads (null: none, only its own calls and the cold cost). */
    public CallTimes estimates() {
        return estimates;
    }

    /** No deadline; cancellable. */
    public static SearchControl none() {
        return new SearchControl(System::nanoTime, 0, 0, false);
    }

    /** A deadline {@code deadline} from now (null: none) on the JVM's clock. */
    public static SearchControl startingNow(Duration deadline) {
        return startingNow(deadline, System::nanoTime);
    }

    /** A deadline {@code deadline} from the clock's present reading (null: none). */
    public static SearchControl startingNow(Duration deadline, LongSupplier clock) {
        return startingAt(clock.getAsLong(), deadline, 0, clock);
    }

    /**
     * A deadline {@code deadline} from the clock reading {@code start} (a request's arrival, which may lie before
     * now), of which the last {@code answerNanos} are kept for what the caller does after the search (null deadline:
     * none, and nothing is kept).
     */
    public static SearchControl startingAt(long start, Duration deadline, long answerNanos, LongSupplier clock) {
        if (answerNanos < 0) {
            throw new IllegalArgumentException("answer time " + answerNanos + " ns is negative");
        }
        if (deadline == null) {
            return new SearchControl(clock, 0, 0, false);
        }
        return new SearchControl(clock, start + deadline.toNanos(), answerNanos, true);
    }

    public boolean hasDeadline() {
        return hasDeadline;
    }

    /** The clock's present reading. */
    public long now() {
        return clock.getAsLong();
    }

    /**
     * Nanoseconds left to the search: until the deadline less the time kept for the answer (negative once past);
     * {@link Long#MAX_VALUE} without a deadline.
     */
    public long remainingNanos() {
        return remainingNanos(clock.getAsLong());
    }

    /** Nanoseconds from the clock reading {@code now} to the search's end; {@link Long#MAX_VALUE} without one. */
    public long remainingNanos(long now) {
        return hasDeadline ? searchEndNanos - now : Long.MAX_VALUE;
    }

    /** The time kept before the deadline for the work after the search (0 without a deadline). */
    public long answerNanos() {
        return hasDeadline ? answerNanos : 0;
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
     * Throws {@link DeadlineExceededException} where the search's time has already passed: called once before a
     * search begins, so that a request that spent its time waiting is not run at all.
     */
    public void throwIfExpired() {
        if (!hasDeadline) {
            return;
        }
        long left = remainingNanos();
        if (left <= 0) {
            String kept = answerNanos == 0 ? "" : String.format(java.util.Locale.ROOT,
                    " (less the %.1f ms kept for the answer)", answerNanos / 1e6);
            throw new DeadlineExceededException("--deadline-ms: the deadline" + kept + " passed "
                    + Math.round(-left / 1e6) + " ms before the search could begin (waiting for a slot or opening the"
                    + " model); nothing was run");
        }
    }

    /**
     * Throws {@link DeadlineUnmeetableException} where a deadline's time left is below {@code minimalNanos}, the
     * estimated cost of the request's minimal answer ({@code what} says of what): even no search would answer late,
     * so nothing is run. Called before a search begins and by a service when it admits or takes up a request.
     */
    public void throwIfUnmeetable(long minimalNanos, String what) {
        if (!hasDeadline) {
            return;
        }
        long left = remainingNanos();
        if (left < minimalNanos) {
            String kept = answerNanos == 0 ? "" : String.format(java.util.Locale.ROOT,
                    ", less the %.1f ms kept for the answer", answerNanos / 1e6);
            throw new DeadlineUnmeetableException(String.format(java.util.Locale.ROOT, "--deadline-ms: %.1f ms are"
                    + " left to the deadline%s, below the %.1f ms estimated for the smallest answer (%s): nothing"
                    + " was run", Math.max(0, left) / 1e6, kept, minimalNanos / 1e6, what), left, minimalNanos);
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

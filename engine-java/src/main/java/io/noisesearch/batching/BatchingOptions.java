package io.noisesearch.batching;

/**
 * Cross-request dynamic batching of model calls: whether it is on, how long the first request of a merged call may
 * wait for others (microseconds), the most rows one merged call takes (a model's own batch limit, where its
 * manifest gives one, is kept too), and how many merged calls of one model may run at once ({@link #AUTO_CALLS}: the
 * engine's choice, one per core on the CPU and one on a device).
 */
public record BatchingOptions(boolean enabled, long maxDelayMicros, int maxRows, int callsInFlight) {

    /**
     * The wait when none is given: about 1% of one 16-row mnist-flow-s call on a 2-core CPU (20-40 ms,
     * docs/results.md), so that a search busy elsewhere costs the others little; not yet tuned by a sweep.
     */
    public static final long DEFAULT_DELAY_MICROS = 200;
    public static final int DEFAULT_MAX_ROWS = 256;
    /** Beyond a second a wait is no longer a batching delay. */
    public static final long MAX_DELAY_MICROS = 1_000_000;
    public static final int MAX_ROWS = 65_536;
    /** Calls in flight chosen by the engine for its backend. */
    public static final int AUTO_CALLS = 0;
    public static final int MAX_CALLS_IN_FLIGHT = 256;

    /** Every search calls its models alone: the command line's one-request runs. */
    public static final BatchingOptions OFF = new BatchingOptions(false, DEFAULT_DELAY_MICROS, DEFAULT_MAX_ROWS);

    /** Calls in flight chosen by the engine ({@link #AUTO_CALLS}). */
    public BatchingOptions(boolean enabled, long maxDelayMicros, int maxRows) {
        this(enabled, maxDelayMicros, maxRows, AUTO_CALLS);
    }

    public BatchingOptions {
        if (maxDelayMicros < 0 || maxDelayMicros > MAX_DELAY_MICROS) {
            throw new IllegalArgumentException("batch delay must lie in 0.." + MAX_DELAY_MICROS
                    + " microseconds, got " + maxDelayMicros);
        }
        if (maxRows < 1 || maxRows > MAX_ROWS) {
            throw new IllegalArgumentException("batch rows must lie in 1.." + MAX_ROWS + ", got " + maxRows);
        }
        if (callsInFlight < AUTO_CALLS || callsInFlight > MAX_CALLS_IN_FLIGHT) {
            throw new IllegalArgumentException("batch calls in flight must lie in " + AUTO_CALLS + ".."
                    + MAX_CALLS_IN_FLIGHT + " (" + AUTO_CALLS + ": one per core on the CPU), got " + callsInFlight);
        }
    }

    /** These options with {@code calls} merged calls of a model at once ({@link #AUTO_CALLS}: the engine's choice). */
    public BatchingOptions withCallsInFlight(int calls) {
        return new BatchingOptions(enabled, maxDelayMicros, maxRows, calls);
    }

    public static BatchingOptions on(long maxDelayMicros, int maxRows) {
        return new BatchingOptions(true, maxDelayMicros, maxRows);
    }
}

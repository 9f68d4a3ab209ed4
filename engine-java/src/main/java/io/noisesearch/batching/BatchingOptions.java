package io.noisesearch.batching;

/**
 * Cross-request dynamic batching of model calls: whether it is on, how long the first request of a merged call may
 * wait for others (microseconds), and the most rows one merged call takes (a model's own batch limit, where its
 * manifest gives one, is kept too).
 */
public record BatchingOptions(boolean enabled, long maxDelayMicros, int maxRows) {

    /**
     * The wait when none is given: about 1% of one 16-row mnist-flow-s call on a 2-core CPU (20-40 ms,
     * docs/results.md), so that a search busy elsewhere costs the others little; not yet tuned by a sweep.
     */
    public static final long DEFAULT_DELAY_MICROS = 200;
    public static final int DEFAULT_MAX_ROWS = 256;
    /** Beyond a second a wait is no longer a batching delay. */
    public static final long MAX_DELAY_MICROS = 1_000_000;
    public static final int MAX_ROWS = 65_536;

    /** Every search calls its models alone: the command line's one-request runs. */
    public static final BatchingOptions OFF = new BatchingOptions(false, DEFAULT_DELAY_MICROS, DEFAULT_MAX_ROWS);

    public BatchingOptions {
        if (maxDelayMicros < 0 || maxDelayMicros > MAX_DELAY_MICROS) {
            throw new IllegalArgumentException("batch delay must lie in 0.." + MAX_DELAY_MICROS
                    + " microseconds, got " + maxDelayMicros);
        }
        if (maxRows < 1 || maxRows > MAX_ROWS) {
            throw new IllegalArgumentException("batch rows must lie in 1.." + MAX_ROWS + ", got " + maxRows);
        }
    }

    public static BatchingOptions on(long maxDelayMicros, int maxRows) {
        return new BatchingOptions(true, maxDelayMicros, maxRows);
    }
}

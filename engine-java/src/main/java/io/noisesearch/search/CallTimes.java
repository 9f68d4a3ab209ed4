package io.noisesearch.search;

import io.noisesearch.model.ModelInfo;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Recent model-call times shared by the searches of one engine, on one clock (the controls' that record into it):
 * per model and rows per call, and per model's decode. A deadline search reads it for what its minimal answer costs
 * (its fallback's final solve and decode) before its own calls say anything, and the engine refuses a search whose
 * time left is below that cost ({@link DeadlineUnmeetableException}). An estimate is a high quantile of the kind's
 * recent times ({@link #QUANTILE}, {@link #FINISH_QUANTILE} for whole final solves, of the last {@link #WINDOW} within
 * {@link #MAX_AGE_NANOS}, nearest rank), so that it follows the present load and one slow call does not stop searches;
 * none with fewer than {@link #MIN_CALLS} such times. Times expire so that a burst of load does not keep refusing
 * requests once it is over (a refused request runs no call that would correct the estimate). A call of a shape not
 * timed is costed from the nearest timed shape, scaled by rows; with none, from the model's FLOPs at
 * {@link #COLD_FLOPS_PER_SECOND}. Thread-safe.
 */
public final class CallTimes {

    public static final int WINDOW = 64;
    public static final double QUANTILE = 0.9;
    /**
     * The quantile of whole final solves: a deadline answer must still fit its fallback solve when the search stops, so
     * that solve is costed near the deadline target's own p99 (the search's calls keep {@link #QUANTILE}).
     */
    public static final double FINISH_QUANTILE = 0.99;
    public static final int MIN_CALLS = 4;
    /** Times older than this (on the recording clock) no longer count: 10 s. */
    public static final long MAX_AGE_NANOS = 10_000_000_000L;
    /**
     * The rate a call is costed at before any call of its model was timed: about a fifth of what ONNX Runtime gets on
     * one core of the 2-core development machine (mnist-flow-s: about 120 GFLOP/s counted), so a cold estimate errs long.
     */
    public static final double COLD_FLOPS_PER_SECOND = 25e9;

    /** Per model: rows per call to its window, ordered by rows. */
    private final Map<String, ConcurrentSkipListMap<Long, Window>> calls = new ConcurrentHashMap<>();
    private final Map<String, Window> decodes = new ConcurrentHashMap<>();
    /** Per model and calls: whole final solves with their scoring (their calls slow down together under load). */
    private final Map<String, Map<Long, Window>> finishes = new ConcurrentHashMap<>();

    /** One denoiser call of {@code model} over {@code rows} rows took {@code nanos}, ending at clock reading {@code at}. */
    public void recordCall(String model, long rows, long nanos, long at) {
        calls.computeIfAbsent(model, m -> new ConcurrentSkipListMap<>())
                .computeIfAbsent(Math.max(1, rows), r -> new Window()).add(Math.max(0, nanos), at);
    }

    /** One decode of a final latent of {@code model} took {@code nanos}, ending at clock reading {@code at}. */
    public void recordDecode(String model, long nanos, long at) {
        decodes.computeIfAbsent(model, m -> new Window()).add(Math.max(0, nanos), at);
    }

    /**
     * One final solve of {@code calls} one-row calls of {@code model}, with the scoring of its sample, took {@code
     * nanos}, ending at clock reading {@code at}.
     */
    public void recordFinish(String model, long calls, long nanos, long at) {
        finishes.computeIfAbsent(model, m -> new ConcurrentHashMap<>())
                .computeIfAbsent(Math.max(1, calls), c -> new Window()).add(Math.max(0, nanos), at);
    }

    /**
     * The estimated time at {@code now} of a whole final solve of {@code calls} calls of {@code model} (scoring
     * included), else -1. Kept beside the sum of its calls' estimates: calls that slow down together (another search
     * on the other core) make a solve exceed {@code calls} times a call's quantile.
     */
    public long finish(String model, long calls, long now) {
        Map<Long, Window> byCalls = finishes.get(model);
        Window window = byCalls == null ? null : byCalls.get(Math.max(1, calls));
        return window == null ? -1 : window.estimate(now, FINISH_QUANTILE);
    }

    /**
     * The estimated time at {@code now} of a final solve of {@code calls} calls of {@code model} at {@code perCall}
     * each: the longer of the summed calls and the whole solves' estimate ({@link #finish}); 0 for no calls.
     */
    public long solve(String model, long calls, long perCall, long now) {
        return calls <= 0 ? 0 : Math.max(sum(0, calls, perCall, 0), finish(model, calls, now));
    }

    /**
     * The estimated time at clock reading {@code now} of one call of {@code rows} rows: the estimate of that shape,
     * else that of the timed shape nearest in ratio of rows (the smaller on a tie) scaled by rows (from a smaller
     * shape this errs long, from a larger one short by the call's fixed part), else -1.
     */
    public long call(String model, long rows, long now) {
        ConcurrentSkipListMap<Long, Window> byRows = calls.get(model);
        if (byRows == null) {
            return -1;
        }
        long wanted = Math.max(1, rows);
        long bestRows = 0;
        long best = -1;
        double distance = Double.POSITIVE_INFINITY;
        for (Map.Entry<Long, Window> entry : byRows.entrySet()) {
            long estimate = entry.getValue().estimate(now, QUANTILE);
            double d = Math.abs(Math.log((double) entry.getKey() / wanted));
            if (estimate >= 0 && d < distance) {
                distance = d;
                best = estimate;
                bestRows = entry.getKey();
            }
        }
        if (best < 0 || bestRows == wanted) {
            return best;
        }
        double scaled = Math.ceil((double) best * wanted / bestRows);
        return scaled >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) scaled;
    }

    /** The estimated time of one call at {@code now}, else the cold cost of one from the model's FLOPs. */
    public long callOrCold(ModelInfo info, long rows, long now) {
        long estimate = call(info.name(), rows, now);
        return estimate >= 0 ? estimate : cold(info.flopsPerSample(), rows);
    }

    /** The estimated time at {@code now} of one decode of {@code model}'s latent, else -1. */
    public long decode(String model, long now) {
        Window window = decodes.get(model);
        return window == null ? -1 : window.estimate(now, QUANTILE);
    }

    /** Calls of {@code model} over {@code rows} rows timed so far (for tests and metrics). */
    public long recorded(String model, long rows) {
        ConcurrentSkipListMap<Long, Window> byRows = calls.get(model);
        Window window = byRows == null ? null : byRows.get(rows);
        return window == null ? 0 : window.total();
    }

    /**
     * The cold cost of work of {@code flopsPerRow} FLOPs a row over {@code rows} rows, two passes a row (guidance's
     * conditional and unconditional passes), at {@link #COLD_FLOPS_PER_SECOND}.
     */
    public static long cold(long flopsPerRow, long rows) {
        double seconds = 2.0 * Math.max(0, flopsPerRow) * Math.max(1, rows) / COLD_FLOPS_PER_SECOND;
        return seconds >= Long.MAX_VALUE / 1e9 ? Long.MAX_VALUE : (long) Math.ceil(seconds * 1e9);
    }

    /** first + count * each + last for non-negative times, {@link Long#MAX_VALUE} where it would overflow. */
    public static long sum(long first, long count, long each, long last) {
        if (Math.multiplyHigh(count, each) != 0 || count * each < 0) {
            return Long.MAX_VALUE;
        }
        long sum = first + count * each;
        sum = sum < 0 ? Long.MAX_VALUE : sum + last;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    /** The last {@link #WINDOW} times of one kind and when each was taken, in a ring. */
    private static final class Window {
        private final long[] values = new long[WINDOW];
        private final long[] taken = new long[WINDOW];
        private int count;
        private int next;
        private long total;

        synchronized void add(long nanos, long at) {
            values[next] = nanos;
            taken[next] = at;
            next = (next + 1) % WINDOW;
            count = Math.min(WINDOW, count + 1);
            total++;
        }

        synchronized long total() {
            return total;
        }

        /**
         * The {@code quantile} (nearest rank) of the times at most {@link #MAX_AGE_NANOS} old at {@code now}, or -1 for
         * fewer than {@link #MIN_CALLS}.
         */
        synchronized long estimate(long now, double quantile) {
            long[] fresh = new long[count];
            int n = 0;
            for (int i = 0; i < count; i++) {
                if (now - taken[i] <= MAX_AGE_NANOS) {
                    fresh[n++] = values[i];
                }
            }
            if (n < MIN_CALLS) {
                return -1;
            }
            Arrays.sort(fresh, 0, n);
            int rank = (int) Math.ceil(quantile * n);
            return fresh[Math.max(0, rank - 1)];
        }
    }
}

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
 * recent times ({@link #QUANTILE} of the last {@link #WINDOW}, nearest rank), so that it follows the present load and
 * one slow call does not stop searches; none before {@link #MIN_CALLS} calls of the kind (a cold engine's first calls
 * carry its warm-up). Before any estimate a call is costed from the model's FLOPs at {@link #COLD_FLOPS_PER_SECOND}.
 * Thread-safe.
 */
public final class CallTimes {

    public static final int WINDOW = 64;
    public static final double QUANTILE = 0.9;
    public static final int MIN_CALLS = 4;
    /**
     * The rate a call is costed at before any call of its model was timed: about a fifth of what ONNX Runtime gets on
     * one core of the 2-core development machine (mnist-flow-s: about 120 GFLOP/s counted), so a cold estimate errs long.
     */
    public static final double COLD_FLOPS_PER_SECOND = 25e9;

    /** Per model: rows per call to its window, ordered by rows. */
    private final Map<String, ConcurrentSkipListMap<Long, Window>> calls = new ConcurrentHashMap<>();
    private final Map<String, Window> decodes = new ConcurrentHashMap<>();

    /** One denoiser call of {@code model} over {@code rows} rows took {@code nanos}. */
    public void recordCall(String model, long rows, long nanos) {
        calls.computeIfAbsent(model, m -> new ConcurrentSkipListMap<>())
                .computeIfAbsent(Math.max(1, rows), r -> new Window()).add(Math.max(0, nanos));
    }

    /** One decode of a final latent of {@code model} took {@code nanos}. */
    public void recordDecode(String model, long nanos) {
        decodes.computeIfAbsent(model, m -> new Window()).add(Math.max(0, nanos));
    }

    /**
     * The estimated time of one call of {@code rows} rows: the estimate of the fewest rows at least {@code rows} that
     * has one (a call of more rows is not faster), else -1.
     */
    public long call(String model, long rows) {
        ConcurrentSkipListMap<Long, Window> byRows = calls.get(model);
        if (byRows == null) {
            return -1;
        }
        for (Window window : byRows.tailMap(Math.max(1, rows), true).values()) {
            long estimate = window.estimate();
            if (estimate >= 0) {
                return estimate;
            }
        }
        return -1;
    }

    /** The estimated time of one call, else the cold cost of one from the model's FLOPs. */
    public long callOrCold(ModelInfo info, long rows) {
        long estimate = call(info.name(), rows);
        return estimate >= 0 ? estimate : cold(info.flopsPerSample(), rows);
    }

    /** The estimated time of one decode of {@code model}'s latent, else -1. */
    public long decode(String model) {
        Window window = decodes.get(model);
        return window == null ? -1 : window.estimate();
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

    /** The last {@link #WINDOW} times of one kind, in a ring. */
    private static final class Window {
        private final long[] values = new long[WINDOW];
        private int count;
        private int next;
        private long total;

        synchronized void add(long nanos) {
            values[next] = nanos;
            next = (next + 1) % WINDOW;
            count = Math.min(WINDOW, count + 1);
            total++;
        }

        synchronized long total() {
            return total;
        }

        /** The quantile of the window, or -1 before {@link #MIN_CALLS} times. */
        synchronized long estimate() {
            if (total < MIN_CALLS) {
                return -1;
            }
            long[] sorted = Arrays.copyOf(values, count);
            Arrays.sort(sorted);
            int rank = (int) Math.ceil(QUANTILE * count);
            return sorted[Math.max(0, rank - 1)];
        }
    }
}

package io.noisesearch.service;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How long answers took from their search's end until written (the result's hand-off from the search thread, its
 * JSON and sample encoding, the write), per kind of answer (the model and the sample's format). A deadline search
 * keeps the estimate free before its deadline, so that the answer, not only the search, is done by then; the service
 * also counts it in a request's minimal answer when it refuses deadlines that cannot be met. The estimate is a high
 * quantile of the kind's recent answers ({@link #QUANTILE} of the last {@link #WINDOW} within {@link #MAX_AGE_NANOS},
 * nearest rank: the second slowest of 16), so that one slow answer (a GC pause) does not shorten the searches after it.
 * A kind's first answer carries class loading and the JIT (250 to 700 ms against 1 to 5 ms later): it is the estimate
 * only until a second answer comes. Answers expire, so that slow ones do not keep refusing requests (a refused request
 * writes no answer that would correct them). 0 with no answer of the kind.
 */
final class AnswerTimes {

    static final int WINDOW = 16;
    static final double QUANTILE = 0.9;
    /** Answers older than this no longer count: 10 s. */
    static final long MAX_AGE_NANOS = 10_000_000_000L;

    private final Map<String, Window> kinds = new ConcurrentHashMap<>();

    /** One more answer of the kind took {@code nanos} from its search's end until written, at clock reading {@code at}. */
    void record(String kind, long nanos, long at) {
        kinds.computeIfAbsent(kind, k -> new Window()).add(Math.max(0, nanos), at);
    }

    /** The time to keep for an answer of the kind at clock reading {@code now} (ns). */
    long estimate(String kind, long now) {
        Window window = kinds.get(kind);
        return window == null ? 0 : window.quantile(now);
    }

    /** The kind's first answer, then its last {@link #WINDOW} others in a ring, with when each was written. */
    private static final class Window {
        private long first = -1;
        private long firstAt;
        private final long[] values = new long[WINDOW];
        private final long[] taken = new long[WINDOW];
        private int count;
        private int next;

        synchronized void add(long nanos, long at) {
            if (first < 0) {
                first = nanos;
                firstAt = at;
                return;
            }
            values[next] = nanos;
            taken[next] = at;
            next = (next + 1) % WINDOW;
            count = Math.min(WINDOW, count + 1);
        }

        synchronized long quantile(long now) {
            if (count == 0) {
                return first >= 0 && now - firstAt <= MAX_AGE_NANOS ? first : 0;
            }
            long[] fresh = new long[count];
            int n = 0;
            for (int i = 0; i < count; i++) {
                if (now - taken[i] <= MAX_AGE_NANOS) {
                    fresh[n++] = values[i];
                }
            }
            if (n == 0) {
                return 0;
            }
            Arrays.sort(fresh, 0, n);
            int rank = (int) Math.ceil(QUANTILE * n);
            return fresh[Math.max(0, rank - 1)];
        }
    }
}

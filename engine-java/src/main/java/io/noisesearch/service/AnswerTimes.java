package io.noisesearch.service;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How long answers took from their search's end until written (the result's hand-off from the search thread, its
 * JSON and sample encoding, the write), per kind of answer (the model and the sample's format). A deadline search
 * keeps the estimate free before its deadline, so that the answer, not only the search, is done by then. The estimate
 * is a high quantile of the kind's recent answers ({@link #QUANTILE} of the last {@link #WINDOW}, nearest rank: the
 * second slowest of 16), so that one slow answer (a GC pause) does not shorten the searches after it and the first,
 * cold answers (class loading, the JIT: 250 ms against 1 to 5 ms later) leave the window soon; 0 before the kind's
 * first answer.
 */
final class AnswerTimes {

    static final int WINDOW = 16;
    static final double QUANTILE = 0.9;

    private final Map<String, Window> kinds = new ConcurrentHashMap<>();

    /** One more answer of the kind took {@code nanos} from its search's end until written. */
    void record(String kind, long nanos) {
        kinds.computeIfAbsent(kind, k -> new Window()).add(Math.max(0, nanos));
    }

    /** The time to keep for an answer of the kind (ns). */
    long estimate(String kind) {
        Window window = kinds.get(kind);
        return window == null ? 0 : window.quantile();
    }

    /** The last {@link #WINDOW} times of one kind, in a ring. */
    private static final class Window {
        private final long[] values = new long[WINDOW];
        private int count;
        private int next;

        synchronized void add(long nanos) {
            values[next] = nanos;
            next = (next + 1) % WINDOW;
            count = Math.min(WINDOW, count + 1);
        }

        synchronized long quantile() {
            if (count == 0) {
                return 0;
            }
            long[] sorted = Arrays.copyOf(values, count);
            Arrays.sort(sorted);
            int rank = (int) Math.ceil(QUANTILE * count);
            return sorted[Math.max(0, rank - 1)];
        }
    }
}

package io.noisesearch.onnx;

/**
 * Intra-op threads of a model's calls. An explicit count ({@code --threads N}) is the user's word for every call.
 * With 0 (every core) a batch of at most {@code singleThreadRows} rows runs on the calling thread alone: waking the
 * pool costs more than it saves for so few rows (the rule and its measurements are in docs/results.md).
 */
record OnnxThreads(int threads, int singleThreadRows) {

    /** System property: the largest batch that runs on one thread when every core is asked for. */
    static final String SINGLE_THREAD_ROWS = "noisesearch.onnx.singleThreadRows";

    static final int DEFAULT_SINGLE_THREAD_ROWS = 2;

    OnnxThreads {
        if (threads < 1) {
            throw new IllegalArgumentException("intra-op threads must be at least 1, got " + threads);
        }
    }

    /** The threads of {@code requested} (<= 0: every core, small batches on one). */
    static OnnxThreads of(int requested) {
        if (requested > 0) {
            return new OnnxThreads(requested, 0);
        }
        int cores = Runtime.getRuntime().availableProcessors();
        return new OnnxThreads(cores, cores > 1 ? Integer.getInteger(SINGLE_THREAD_ROWS, DEFAULT_SINGLE_THREAD_ROWS) : 0);
    }

    /** Threads a call of {@code rows} rows runs on. */
    int threadsFor(int rows) {
        return rows <= singleThreadRows ? 1 : threads;
    }
}

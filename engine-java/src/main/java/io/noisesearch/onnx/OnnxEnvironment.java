package io.noisesearch.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import io.noisesearch.NoiseSearchException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's ONNX Runtime environment and its one intra-op thread pool. ONNX Runtime's Java API holds a single
 * environment per process and fixes its global pool when the environment is made, so the first model opened fixes
 * the pool's size (its engine's thread count); every session of that count runs on it, and a session of another
 * count (a second engine with another {@code --threads}) gets a pool of its own. Two pools on the same cores cost
 * a third of a small batch's time (docs/results.md), so the common case of one engine has one pool.
 */
final class OnnxEnvironment {

    private static final Logger LOG = LoggerFactory.getLogger(OnnxEnvironment.class);

    /** System property: whether pool threads spin while they wait for work (default false, see docs/results.md). */
    static final String SPIN = "noisesearch.onnx.spin";

    /** System property: false gives every session a pool of its own instead of the shared one (for A/B runs). */
    static final String SHARED_POOL = "noisesearch.onnx.sharedPool";

    private static volatile OrtEnvironment environment;
    /** Threads of the shared pool; 0 where there is none. */
    private static int poolThreads;

    private OnnxEnvironment() {
    }

    /**
     * The environment, made on first use with a shared pool of {@code threads} threads (>= 1). ONNX Runtime would
     * print its own log lines to stderr, which the one-line error contract forbids, and its Java API takes no log
     * sink: only fatal lines are let through; its errors reach us as exceptions, whose message we keep.
     */
    static synchronized OrtEnvironment get(int threads) {
        if (environment == null) {
            PreExtractedLibraries.useIfValid();
            boolean shared = Boolean.parseBoolean(System.getProperty(SHARED_POOL, "true")) && threads > 1;
            if (shared) {
                try (OrtEnvironment.ThreadingOptions options = new OrtEnvironment.ThreadingOptions()) {
                    options.setGlobalIntraOpNumThreads(threads);
                    options.setGlobalInterOpNumThreads(1);
                    options.setGlobalSpinControl(spinning());
                    environment = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL, "noisesearch",
                            options);
                } catch (OrtException e) {
                    throw new NoiseSearchException("ONNX Runtime's thread pool of " + threads
                            + " threads cannot be made: " + e.getMessage(), false, e);
                }
                poolThreads = threads;
            } else {
                environment = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL, "noisesearch");
            }
            ExtractedLibraries.removeAtExit();
        } else if (threads > 1 && threads != poolThreads && poolThreads > 0) {
            LOG.debug("ONNX Runtime's shared pool has {} threads (fixed by the first engine); sessions of {} threads"
                    + " get a pool of their own", poolThreads, threads);
        }
        return environment;
    }

    /** The environment, made with a pool of every core where no model has made it yet. */
    static OrtEnvironment get() {
        OrtEnvironment made = environment;
        return made != null ? made : get(Runtime.getRuntime().availableProcessors());
    }

    /** Threads of the shared pool (0: none), once the environment exists. */
    static synchronized int poolThreads() {
        return poolThreads;
    }

    static boolean spinning() {
        return Boolean.parseBoolean(System.getProperty(SPIN, "false"));
    }
}

package io.noisesearch.model;

import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;

/**
 * A denoiser (the model under search): given noisy samples x_t at time t and a class label, writes its
 * prediction (of the type in {@link ModelInfo#prediction()}) into {@code out}. The label {@code
 * info().classes()} is the null class (unconditional) used by classifier-free guidance. Implementations are
 * safe to call from several threads at once, each with its own stream.
 */
public interface Denoiser extends AutoCloseable {

    ModelInfo info();

    void predict(Kernels kernels, Batch x, double t, int label, Batch out);

    /**
     * Row r of x at time {@code times[r]} with label {@code labels[r]} (merged calls of several requests). The
     * default calls {@link #predict} once per run of rows of equal time and label; runtimes that take per-row
     * conditioning run the rows in one call.
     */
    default void predictRows(Kernels kernels, Batch x, double[] times, int[] labels, Batch out) {
        if (times.length != x.rows() || labels.length != x.rows() || out.rows() != x.rows()) {
            throw new IllegalArgumentException("per-row conditioning of " + times.length + " times and "
                    + labels.length + " labels for " + x.rows() + " rows into " + out.rows());
        }
        int start = 0;
        for (int r = 1; r <= x.rows(); r++) {
            if (r == x.rows() || times[r] != times[start] || labels[r] != labels[start]) {
                predict(kernels, x.rows(start, r - start), times[start], labels[start], out.rows(start, r - start));
                start = r;
            }
        }
    }

    /** The most rows one call takes (a TensorRT plan's batch range); merged calls stay within it. */
    default int maxRows() {
        return Integer.MAX_VALUE;
    }

    /**
     * Whether {@link #predict} only issues kernel calls on the stream it is given (no host work, no Java-array
     * arguments, no synchronization), so that a solve can be recorded once as a graph and replayed.
     */
    default boolean capturable() {
        return false;
    }

    @Override
    default void close() {
    }
}

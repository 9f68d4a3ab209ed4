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

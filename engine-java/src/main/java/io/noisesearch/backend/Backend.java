package io.noisesearch.backend;

import java.lang.foreign.Arena;

/**
 * Where the numbers live and the kernels run. Memory is allocated in caller-owned arenas (closing the arena
 * releases it); kernels run on streams opened from the backend, one per search.
 */
public interface Backend extends AutoCloseable {

    /** "java" (the plain-Java reference), "host" (native kernels on the CPU) or "cuda". */
    String name();

    /** Whether {@link Batch#data()} can be read and written from Java (host memory). */
    boolean hostAccessible();

    Batch allocate(Arena arena, int rows, int dim);

    /** A new batch holding a copy of {@code values} (length rows * dim). */
    Batch upload(Arena arena, float[] values, int rows, int dim);

    /** A host copy of the batch (counted as a device-to-host copy where the batch is on a device). */
    float[] download(Batch batch);

    /**
     * A host copy of a batch that calls queued on {@code stream} write: waits for that stream only (not for other
     * searches' streams), then copies.
     */
    default float[] download(Kernels stream, Batch batch) {
        stream.synchronize();
        return download(batch);
    }

    /**
     * What this backend copies between host and device. Backends whose batches are host memory copy nothing and
     * return a meter that never counts.
     */
    default TransferMeter transfers() {
        return TransferMeter.NONE;
    }

    /** A stream of kernel calls; {@code threads <= 0} means all cores. */
    Kernels openStream(int threads);

    @Override
    void close();
}

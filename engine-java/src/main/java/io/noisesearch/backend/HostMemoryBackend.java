package io.noisesearch.backend;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** The memory side shared by the backends that compute on host memory: batches are 64-byte aligned segments. */
abstract sealed class HostMemoryBackend implements Backend permits JavaBackend, HostBackend {

    /** A cache line, and the widest vector load the host kernels issue. */
    static final long ALIGNMENT = 64;

    @Override
    public boolean hostAccessible() {
        return true;
    }

    @Override
    public Batch allocate(Arena arena, int rows, int dim) {
        if (rows < 0 || dim <= 0) {
            throw new IllegalArgumentException("cannot allocate a batch of shape [" + rows + ", " + dim + "]");
        }
        MemorySegment data = arena.allocate((long) rows * dim * Batch.FLOAT_BYTES, ALIGNMENT);
        return new Batch(data, rows, dim);
    }

    @Override
    public Batch upload(Arena arena, float[] values, int rows, int dim) {
        if (values.length != (long) rows * dim) {
            throw new IllegalArgumentException(
                    values.length + " values cannot fill a batch of shape [" + rows + ", " + dim + "]");
        }
        Batch batch = allocate(arena, rows, dim);
        MemorySegment.copy(values, 0, batch.data(), ValueLayout.JAVA_FLOAT, 0, values.length);
        return batch;
    }

    @Override
    public float[] download(Batch batch) {
        return batch.data().asSlice(0, batch.bytes()).toArray(ValueLayout.JAVA_FLOAT);
    }

    /** Batches belong to their arenas and streams to their callers: the backend itself holds nothing. */
    @Override
    public void close() {
    }
}

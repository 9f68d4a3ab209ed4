package io.noisesearch.backend;

import java.lang.foreign.Arena;

/** A backend that counts the rows and bytes of the batches allocated through it, for tests of what a request holds. */
public final class CountingBackend extends ForwardingBackend {

    private long rows;
    private long bytes;

    public CountingBackend(Backend inner) {
        super(inner);
    }

    /** Rows allocated since the last reset. */
    public synchronized long rows() {
        return rows;
    }

    /** Bytes allocated since the last reset. */
    public synchronized long bytes() {
        return bytes;
    }

    public synchronized void reset() {
        rows = 0;
        bytes = 0;
    }

    @Override
    public Batch allocate(Arena arena, int rows, int dim) {
        synchronized (this) {
            this.rows += rows;
            this.bytes += (long) rows * dim * Batch.FLOAT_BYTES;
        }
        return inner.allocate(arena, rows, dim);
    }

    @Override
    public Batch upload(Arena arena, float[] values, int rows, int dim) {
        synchronized (this) {
            this.rows += rows;
            this.bytes += (long) rows * dim * Batch.FLOAT_BYTES;
        }
        return inner.upload(arena, values, rows, dim);
    }
}

package io.noisesearch.backend;

import java.lang.foreign.Arena;

/** A backend that counts the rows and bytes of the batches allocated through it, for tests of what a request holds. */
public final class CountingBackend implements Backend {

    private final Backend inner;
    private long rows;
    private long bytes;

    public CountingBackend(Backend inner) {
        this.inner = inner;
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
    public String name() {
        return inner.name();
    }

    @Override
    public boolean hostAccessible() {
        return inner.hostAccessible();
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

    @Override
    public float[] download(Batch batch) {
        return inner.download(batch);
    }

    @Override
    public float[] download(Kernels stream, Batch batch) {
        return inner.download(stream, batch);
    }

    @Override
    public TransferMeter transfers() {
        return inner.transfers();
    }

    @Override
    public Kernels openStream(int threads) {
        return inner.openStream(threads);
    }

    @Override
    public void close() {
        inner.close();
    }
}

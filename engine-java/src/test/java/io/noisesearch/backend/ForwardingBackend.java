package io.noisesearch.backend;

import java.lang.foreign.Arena;

/** A backend that passes every call to another; tests extend it to watch the calls they care about. */
public abstract class ForwardingBackend implements Backend {

    protected final Backend inner;

    protected ForwardingBackend(Backend inner) {
        this.inner = inner;
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
        return inner.allocate(arena, rows, dim);
    }

    @Override
    public Batch upload(Arena arena, float[] values, int rows, int dim) {
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

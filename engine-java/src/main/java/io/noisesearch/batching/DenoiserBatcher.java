package io.noisesearch.batching;

import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import io.noisesearch.model.Denoiser;
import io.noisesearch.model.ModelInfo;

import java.lang.foreign.Arena;
import java.util.List;

/**
 * The batcher of one denoiser: concurrent searches' {@code predict} calls become one {@link Denoiser#predictRows}
 * call over their rows, each row with its own request's time and label. A call of one request runs on the caller's
 * own batches, as without batching; a merged call copies the rows into the batcher's batches and back.
 */
public final class DenoiserBatcher implements AutoCloseable {

    /** One caller's predict: its rows, time, label and where its prediction goes. */
    static final class Predict extends Batcher.Request {

        final Batch x;
        final double t;
        final int label;
        final Batch out;

        Predict(Batch x, double t, int label, Batch out) {
            super(x.rows());
            this.x = x;
            this.t = t;
            this.label = label;
            this.out = out;
        }
    }

    private final Denoiser model;
    private final Backend backend;
    private final int maxRows;
    private final Batcher<Predict> batcher;
    private final Arena arena = Arena.ofShared();
    /** Per slot of a call in flight: its merged input and output batches, allocated at its first merged call. */
    private final Batch[] mergedIn;
    private final Batch[] mergedOut;

    /** {@code options.callsInFlight()} merged calls at once ({@link BatchingOptions#AUTO_CALLS}: one). */
    public DenoiserBatcher(Denoiser model, Backend backend, BatchingOptions options, BatchListener listener,
                           Batcher.Clock clock) {
        this.model = model;
        this.backend = backend;
        this.maxRows = Math.min(options.maxRows(), model.maxRows());
        this.batcher = new Batcher<>(model.info().name(), this::call, maxRows, options.maxDelayMicros(),
                Math.max(1, options.callsInFlight()), listener, clock);
        this.mergedIn = new Batch[Math.max(1, options.callsInFlight())];
        this.mergedOut = new Batch[mergedIn.length];
    }

    public Denoiser model() {
        return model;
    }

    /** The denoiser a search calls while it takes part; closing it ends its part. */
    public Session join() {
        return new Session(batcher.join());
    }

    /** Model calls made (merged or alone) and the rows in them. */
    public long calls() {
        return batcher.calls();
    }

    public long rowsCalled() {
        return batcher.rowsCalled();
    }

    public boolean closed() {
        return batcher.closed();
    }

    /** Runs the requests' rows in one model call on the leader's thread, in the merged batches of its slot. */
    private void call(Kernels kernels, List<Predict> requests, int slot) {
        if (requests.size() == 1) {
            Predict p = requests.getFirst();
            model.predict(kernels, p.x, p.t, p.label, p.out);
            kernels.synchronize();
            return;
        }
        int rows = 0;
        for (Predict p : requests) {
            rows += p.rows();
        }
        Batch in = merged(slot, rows, true);
        Batch out = merged(slot, rows, false);
        double[] times = new double[rows];
        int[] labels = new int[rows];
        int offset = 0;
        for (Predict p : requests) {
            kernels.copy(p.x, in.rows(offset, p.rows()));
            java.util.Arrays.fill(times, offset, offset + p.rows(), p.t);
            java.util.Arrays.fill(labels, offset, offset + p.rows(), p.label);
            offset += p.rows();
        }
        model.predictRows(kernels, in, times, labels, out);
        offset = 0;
        for (Predict p : requests) {
            kernels.copy(out.rows(offset, p.rows()), p.out);
            offset += p.rows();
        }
        kernels.synchronize();
    }

    /**
     * The first {@code rows} rows of a slot's merged input or output batch, allocated at its first use (only the
     * slot's leader touches them, the batcher's lock ordering the slot's successive leaders).
     */
    private Batch merged(int slot, int rows, boolean input) {
        if (mergedIn[slot] == null) {
            int dim = model.info().dim();
            mergedIn[slot] = backend.allocate(arena, maxRows, dim);
            mergedOut[slot] = backend.allocate(arena, maxRows, dim);
        }
        return (input ? mergedIn[slot] : mergedOut[slot]).rows(0, rows);
    }

    /** Later calls fail; the merged batches are freed (the engine closes this once no search runs). */
    @Override
    public void close() {
        batcher.close();
        arena.close();
    }

    /** A search's view of the batched denoiser: {@link Denoiser} calls that wait for a merged call. */
    public final class Session implements Denoiser {

        private final Batcher<Predict>.Participation participation;

        private Session(Batcher<Predict>.Participation participation) {
            this.participation = participation;
        }

        @Override
        public ModelInfo info() {
            return model.info();
        }

        @Override
        public void predict(Kernels kernels, Batch x, double t, int label, Batch out) {
            if (x.rows() == 0) {
                return;
            }
            // A merged call reads x and writes out on the leader's stream: this stream's work must be done first.
            kernels.synchronize();
            batcher.submit(new Predict(x, t, label, out), kernels);
        }

        /** Merged calls copy between streams and wait for them: not recordable as a graph. */
        @Override
        public boolean capturable() {
            return false;
        }

        /** Ends this search's part (its calls are done); the model itself stays open. */
        @Override
        public void close() {
            participation.close();
        }
    }
}

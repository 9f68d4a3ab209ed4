package io.noisesearch.backend;

import io.noisesearch.compute.Phase;
import java.util.concurrent.atomic.LongAdder;

/**
 * Bytes a device backend copies between host and device, per phase, direction and payload. Tensors are batches
 * crossing through {@link Backend#upload} / {@link Backend#download} (model parameters, returned samples);
 * arguments are the Java arrays of kernel calls (gather indices in, scores and norms out). A search that keeps its
 * candidates on the device copies no tensor bytes until it returns its winner. The phase is per thread, like the
 * request's {@code ComputeMeter}: the thread running a request switches it. Copies made while a thread has a
 * {@link Request} open are also counted in that request (the engine opens one per search).
 */
public final class TransferMeter {

    public enum Direction { UPLOAD, DOWNLOAD }

    public enum Payload { TENSOR, ARGUMENT }

    /** The meter of backends whose batches are host memory: nothing is ever counted. */
    static final TransferMeter NONE = new TransferMeter(false);

    private final boolean device;
    private final LongAdder[] bytes = new LongAdder[Transfers.SLOTS];
    private final LongAdder[] copies = new LongAdder[Transfers.SLOTS];
    private final ThreadLocal<Phase> phase = ThreadLocal.withInitial(() -> Phase.SEARCH);
    private final ThreadLocal<Request> request = new ThreadLocal<>();

    TransferMeter() {
        this(true);
    }

    private TransferMeter(boolean device) {
        this.device = device;
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = new LongAdder();
            copies[i] = new LongAdder();
        }
    }

    /** Charges the calling thread's following copies to {@code next}. */
    public void enter(Phase next) {
        phase.set(next);
    }

    /**
     * Starts counting the calling thread's copies for one request, from the search phase, until the returned
     * request is closed (on the same thread). Requests do not nest.
     */
    public Request begin() {
        if (request.get() != null) {
            throw new IllegalStateException("a transfer request is already open on this thread");
        }
        Request r = new Request();
        request.set(r);
        phase.set(Phase.SEARCH);
        return r;
    }

    void count(Direction direction, Payload payload, long count) {
        int slot = Transfers.slot(phase.get(), direction, payload);
        bytes[slot].add(count);
        copies[slot].increment();
        Request r = request.get();
        if (r != null) {
            r.bytes[slot] += count;
            r.copies[slot]++;
        }
    }

    public long bytes(Phase p, Direction direction, Payload payload) {
        return bytes[Transfers.slot(p, direction, payload)].sum();
    }

    public long copies(Phase p, Direction direction, Payload payload) {
        return copies[Transfers.slot(p, direction, payload)].sum();
    }

    /** All bytes of one direction and payload, over every phase. */
    public long bytes(Direction direction, Payload payload) {
        long sum = 0;
        for (Phase p : Phase.values()) {
            sum += bytes(p, direction, payload);
        }
        return sum;
    }

    /** The copies of one request on one thread. */
    public final class Request implements AutoCloseable {

        private final long[] bytes = new long[Transfers.SLOTS];
        private final long[] copies = new long[Transfers.SLOTS];

        private Request() {
        }

        /** The counts so far. */
        public Transfers snapshot() {
            return new Transfers(device, bytes, copies);
        }

        @Override
        public void close() {
            if (request.get() == this) {
                request.remove();
                phase.set(Phase.SEARCH);
            }
        }
    }
}

package io.noisesearch.backend;

import io.noisesearch.compute.Phase;
import java.util.concurrent.atomic.LongAdder;

/**
 * Bytes a device backend copies between host and device, per phase, direction and payload. Tensors are batches
 * crossing through {@link Backend#upload} / {@link Backend#download} (model parameters, returned samples);
 * arguments are the Java arrays of kernel calls (gather indices in, scores and norms out). A search that keeps its
 * candidates on the device copies no tensor bytes until it returns its winner. The phase is per thread, like the
 * request's {@code ComputeMeter}: the thread running a request switches it.
 */
public final class TransferMeter {

    public enum Direction { UPLOAD, DOWNLOAD }

    public enum Payload { TENSOR, ARGUMENT }

    private final LongAdder[] bytes = new LongAdder[Phase.values().length * 4];
    private final LongAdder[] copies = new LongAdder[bytes.length];
    private final ThreadLocal<Phase> phase = ThreadLocal.withInitial(() -> Phase.SEARCH);

    TransferMeter() {
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = new LongAdder();
            copies[i] = new LongAdder();
        }
    }

    /** Charges the calling thread's following copies to {@code next}. */
    public void enter(Phase next) {
        phase.set(next);
    }

    void count(Direction direction, Payload payload, long count) {
        int slot = slot(phase.get(), direction, payload);
        bytes[slot].add(count);
        copies[slot].increment();
    }

    public long bytes(Phase p, Direction direction, Payload payload) {
        return bytes[slot(p, direction, payload)].sum();
    }

    public long copies(Phase p, Direction direction, Payload payload) {
        return copies[slot(p, direction, payload)].sum();
    }

    /** All bytes of one direction and payload, over every phase. */
    public long bytes(Direction direction, Payload payload) {
        long sum = 0;
        for (Phase p : Phase.values()) {
            sum += bytes(p, direction, payload);
        }
        return sum;
    }

    private static int slot(Phase p, Direction direction, Payload payload) {
        return (p.ordinal() * 2 + direction.ordinal()) * 2 + payload.ordinal();
    }
}

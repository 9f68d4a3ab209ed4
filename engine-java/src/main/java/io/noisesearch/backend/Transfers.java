package io.noisesearch.backend;

import io.noisesearch.backend.TransferMeter.Direction;
import io.noisesearch.backend.TransferMeter.Payload;
import io.noisesearch.compute.Phase;

/**
 * The host-device copies of one request, per phase, direction and payload (see {@link TransferMeter}). A backend
 * whose batches live in host memory copies nothing: its requests report {@link #NONE}.
 *
 * @param device whether the request ran on a device backend (false: nothing can cross, the counts are zero)
 */
public record Transfers(boolean device, long[] bytes, long[] copies) {

    public static final int SLOTS = Phase.values().length * Direction.values().length * Payload.values().length;

    public static final Transfers NONE = new Transfers(false, new long[SLOTS], new long[SLOTS]);

    public Transfers {
        if (bytes.length != SLOTS || copies.length != SLOTS) {
            throw new IllegalArgumentException("transfer counts need " + SLOTS + " slots");
        }
        bytes = bytes.clone();
        copies = copies.clone();
    }

    public long bytes(Phase phase, Direction direction, Payload payload) {
        return bytes[slot(phase, direction, payload)];
    }

    public long copies(Phase phase, Direction direction, Payload payload) {
        return copies[slot(phase, direction, payload)];
    }

    /** Bytes of one direction and payload over both phases. */
    public long bytes(Direction direction, Payload payload) {
        long sum = 0;
        for (Phase p : Phase.values()) {
            sum += bytes(p, direction, payload);
        }
        return sum;
    }

    /** The index of one (phase, direction, payload) in {@link #bytes()} and {@link #copies()}. */
    public static int slot(Phase phase, Direction direction, Payload payload) {
        return (phase.ordinal() * 2 + direction.ordinal()) * 2 + payload.ordinal();
    }
}

package io.noisesearch.backend;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Device time of the calls of one CUDA stream, for benchmarks: an event is recorded before and after every call,
 * and after the stream is synchronized the elapsed time of each pair is added to the backend's kernel time. Time
 * the device spends waiting for the host between calls falls between pairs and is not counted, so wall time minus
 * kernel time is the orchestration cost. Events are created once and reused; when all are pending the stream is
 * drained first. Costs two event records per call: off unless the backend was opened with timing on.
 */
final class KernelTimer {

    private static final int PAIRS = 4096;

    private final CudaBackend backend;
    private final Arena arena;
    private final List<MemorySegment> starts = new ArrayList<>();
    private final List<MemorySegment> ends = new ArrayList<>();
    private int pending;

    KernelTimer(CudaBackend backend, Arena arena) {
        this.backend = backend;
        this.arena = arena;
    }

    void start(MemorySegment stream) {
        if (pending == PAIRS) {
            backend.device().synchronizeDevice();
            drain();
        }
        if (pending == starts.size()) {
            starts.add(backend.device().event(arena));
            ends.add(backend.device().event(arena));
        }
        backend.device().record(stream, starts.get(pending));
    }

    void end(MemorySegment stream) {
        backend.device().record(stream, ends.get(pending));
        pending++;
    }

    /** Adds the pending pairs' device time to the backend (waits for their end events). */
    void drain() {
        double millis = 0;
        for (int i = 0; i < pending; i++) {
            millis += backend.device().elapsedMillis(starts.get(i), ends.get(i));
        }
        pending = 0;
        backend.addKernelMillis(millis);
    }
}

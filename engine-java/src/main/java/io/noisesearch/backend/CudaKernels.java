package io.noisesearch.backend;

import io.noisesearch.backend.TransferMeter.Direction;
import io.noisesearch.backend.TransferMeter.Payload;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One CUDA stream of libnoisesearch_cuda.so. Kernels read and write device batches; the Java arrays of a call go
 * through a per-stream staging area: inputs are copied to device scratch before the launch, per-row results are
 * written to device scratch, copied into a pinned host buffer and, after the stream is synchronized, into the
 * array. The scratch is reused by the next call (stream order makes that safe) and grows only when a call needs
 * more. A search lane keeps its stream, so the pinned buffer is allocated once per lane, not per search.
 */
final class CudaKernels extends NativeKernels {

    /** cudaMalloc's alignment; every staged array starts on it. */
    private static final long SLOT_ALIGNMENT = 256;
    private static final long INITIAL_STAGING = 64 * 1024;

    private final CudaBackend backend;
    private final Arena staging;
    private MemorySegment deviceScratch;
    private MemorySegment pinned;
    private long used;
    private Thread current;
    /**
     * Kernel timing: event pairs around every call while the backend times kernels, summed into its kernel time;
     * made at the first timed call (a stream kept across searches sees timing switched on later).
     */
    private KernelTimer timer;
    /** While recording a graph, or before the stream exists and once it is being destroyed: no timing events. */
    private boolean capturing;
    private boolean untimed;
    private boolean timing;
    private boolean released;

    CudaKernels(CudaBackend backend) {
        // Set before the superclass creates the stream, which calls beforeCall().
        Arena arena = Arena.ofShared();
        this.backend = backend;
        this.staging = arena;
        super(KernelFunctions.cuda(), 0);
    }

    @Override
    void startTiming() {
        if (backend.timingKernels() && !capturing && !untimed && stream() != null) {
            if (timer == null) {
                timer = new KernelTimer(backend, staging);
            }
            timer.start(stream());
            timing = true;
        }
    }

    @Override
    void endTiming() {
        if (timing) {
            timing = false;
            timer.end(stream());
        }
    }

    /** Waits for the stream, then adds the finished calls' device time to the backend's kernel time. */
    @Override
    public void synchronize() {
        super.synchronize();
        if (timer != null) {
            timer.drain();
        }
    }

    /** The device must be current on whichever thread calls; checked cheaply by thread identity. */
    @Override
    void beforeCall() {
        Thread caller = Thread.currentThread();
        if (caller != current) {
            backend.makeCurrent();
            current = caller;
        }
    }

    @Override
    void afterCall() {
        used = 0;
    }

    @Override
    MemorySegment input(MemorySegment values) {
        MemorySegment slot = reserve(values.byteSize());
        backend.device().copyToDevice(stream(), slot, values, values.byteSize());
        backend.transfers().count(Direction.UPLOAD, Payload.ARGUMENT, values.byteSize());
        return slot;
    }

    @Override
    MemorySegment output(MemorySegment values) {
        return reserve(values.byteSize());
    }

    @Override
    void complete(MemorySegment written, MemorySegment values) {
        long bytes = values.byteSize();
        backend.device().copyToHost(stream(), pinned, written, bytes);
        synchronize();
        MemorySegment.copy(pinned, 0, values, 0, bytes);
        backend.transfers().count(Direction.DOWNLOAD, Payload.ARGUMENT, bytes);
    }

    CudaBackend backend() {
        return backend;
    }

    /**
     * A host copy of a batch, after the calls queued on this stream: copied into the stream's pinned buffer (grown
     * when the batch is larger), then into a Java array; counted as a tensor download.
     */
    float[] download(Batch batch) {
        beforeCall();
        long bytes = batch.bytes();
        if (pinned == null || pinned.byteSize() < bytes) {
            grow(Math.max(INITIAL_STAGING, bytes));
        }
        backend.device().copyToHost(stream(), pinned, batch.data(), bytes);
        synchronize();
        backend.transfers().count(Direction.DOWNLOAD, Payload.TENSOR, bytes);
        return pinned.asSlice(0, bytes).toArray(ValueLayout.JAVA_FLOAT);
    }

    /**
     * A device slot for one array of the current call. Growing replaces the scratch, so it happens only at a
     * call's first slot, sized for the call: a call stages at most three arrays, none larger than its first
     * (Philox: counters, keys, words).
     */
    private MemorySegment reserve(long bytes) {
        long needed = 3 * (bytes + SLOT_ALIGNMENT);
        if (used == 0 && (deviceScratch == null || deviceScratch.byteSize() < needed)) {
            grow(Math.max(INITIAL_STAGING, 2 * needed));
        }
        long start = (used + SLOT_ALIGNMENT - 1) / SLOT_ALIGNMENT * SLOT_ALIGNMENT;
        if (start + bytes > deviceScratch.byteSize()) {
            throw new IllegalStateException("staging: " + bytes + " bytes at " + start + " exceed the scratch of "
                    + deviceScratch.byteSize());
        }
        used = start + bytes;
        return deviceScratch.asSlice(start, bytes);
    }

    /**
     * Replaces the scratch with a larger one after the stream has finished with the old; the old stays in the
     * stream's arena until the stream closes (growth is rare: scores of one pool).
     */
    private void grow(long capacity) {
        synchronize();
        deviceScratch = backend.allocateScratch(staging, capacity);
        pinned = backend.device().allocatePinned(staging, capacity);
    }

    /**
     * Captures the calls {@code issue} makes on this stream as a CUDA graph instantiated in {@code arena}; the
     * calls do not run until {@link #replay}. Only kernels without Java-array arguments can be captured (staged
     * copies from Java arrays are not allowed inside a capture).
     */
    MemorySegment captureGraph(Arena arena, Runnable issue) {
        beforeCall();
        DeviceFunctions device = backend.device();
        device.beginCapture(stream());
        capturing = true;
        MemorySegment graph;
        try {
            issue.run();
        } finally {
            capturing = false;
            graph = device.endCapture(stream(), arena);
        }
        return device.instantiate(graph, arena);
    }

    @Override
    public boolean canCapture() {
        return true;
    }

    @Override
    public Graph capture(Arena arena, Runnable issue) {
        MemorySegment exec = captureGraph(arena, issue);
        return () -> replay(exec);
    }

    /** Launches a graph from {@link #captureGraph} on this stream. */
    void replay(MemorySegment graph) {
        beforeCall();
        startTiming();
        backend.device().launch(stream(), graph);
        endTiming();
    }

    @Override
    public void close() {
        if (released) {
            return;
        }
        released = true;
        try {
            if (timer != null) {
                super.synchronize();
                timer.drain();
            }
            // No events around the stream's destruction: the end event would be recorded on a destroyed stream.
            untimed = true;
            super.close();
        } finally {
            staging.close();
        }
    }
}

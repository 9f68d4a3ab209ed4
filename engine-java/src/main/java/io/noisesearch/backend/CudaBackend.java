package io.noisesearch.backend;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.NativeException;
import io.noisesearch.backend.DeviceFunctions.DeviceInfo;
import io.noisesearch.backend.DeviceFunctions.DeviceMemory;
import io.noisesearch.backend.TransferMeter.Direction;
import io.noisesearch.backend.TransferMeter.Payload;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * Native kernels on an NVIDIA GPU: libnoisesearch_cuda.so, batches in device memory from a pool ({@link MemoryPool}:
 * slabs reserved from the driver when the backend opens, blocks owned by the caller's arena), one CUDA stream per
 * search lane ({@link CudaKernels}). Only what a caller asks for
 * crosses to the host: {@link #upload}, {@link #download} and the Java arrays of kernel calls, all counted in
 * {@link #transfers()}. Run on an NVIDIA H200 (the `gpu`-tagged tests; docs/results.md).
 */
public final class CudaBackend implements Backend {

    private final DeviceFunctions device;
    private final DeviceInfo info;
    private final TransferMeter transfers = new TransferMeter();
    private final AtomicLong slabBytes = new AtomicLong();
    private final MemoryPool pool;
    private volatile boolean timingKernels;
    private final DoubleAdder kernelMillis = new DoubleAdder();
    private final CudaKernels copies;
    private boolean closed;

    /** The size of the pool's slabs: {@code -Dnoisesearch.cuda.poolMiB} (default 256 MiB). */
    static final long SLAB_BYTES = Long.getLong("noisesearch.cuda.poolMiB", 256) << 20;

    private CudaBackend(DeviceFunctions device, DeviceInfo info) {
        this.device = device;
        this.info = info;
        this.pool = new MemoryPool(this::allocateSlab, SLAB_BYTES);
        this.copies = new CudaKernels(this);
    }

    /**
     * The backend on CUDA device {@code index}, or an {@link InvalidRequestException} of one line naming
     * {@code option} (the user's spelling, "cuda" or "cuda:N") and why there is no such device.
     */
    static CudaBackend open(String option, int index) {
        String prefix = "--device " + option + ": ";
        if (NativeLibrary.cuda().isEmpty()) {
            throw new InvalidRequestException(prefix + "no CUDA device (" + NativeLibrary.cudaAbsence() + ")");
        }
        DeviceFunctions device = DeviceFunctions.cuda();
        int count;
        try {
            count = device.deviceCount();
        } catch (NativeException e) {
            throw new InvalidRequestException(prefix + "no CUDA device (" + device.library().lastError() + ")");
        }
        if (count == 0) {
            throw new InvalidRequestException(prefix + "no CUDA device (cudaGetDeviceCount returned 0)");
        }
        if (index < 0 || index >= count) {
            throw new InvalidRequestException(prefix + "no CUDA device " + index + " (this machine has " + count
                    + (count == 1 ? " device, cuda:0)" : " devices, cuda:0 to cuda:" + (count - 1) + ")"));
        }
        device.select(index);
        return new CudaBackend(device, device.properties(index));
    }

    @Override
    public String name() {
        return "cuda";
    }

    /** The CUDA device index (N of cuda:N). */
    public int deviceIndex() {
        return info.index();
    }

    /** The device's name as CUDA reports it (e.g. "NVIDIA H100 80GB HBM3"). */
    public String deviceName() {
        return info.name();
    }

    /** The card, for the one line {@code auto} prints and for every reported number. */
    public String describe() {
        return "cuda:" + info.index() + " " + info.describe();
    }

    @Override
    public boolean hostAccessible() {
        return false;
    }

    @Override
    public TransferMeter transfers() {
        return transfers;
    }

    /** Device bytes handed out by the pool and not yet returned (batches and staging scratch). */
    public long allocatedBytes() {
        return pool.inUse();
    }

    /** Device bytes the pool holds from the driver (its slabs); constant once a workload has run once. */
    public long reservedBytes() {
        return slabBytes.get();
    }

    /**
     * Turns kernel timing on or off for streams opened from now on (benchmarks: {@link #kernelMillis()}). Each call
     * of a timed stream is bracketed by two CUDA events, which costs a little: leave it off outside measurements.
     */
    public void timeKernels(boolean on) {
        timingKernels = on;
    }

    boolean timingKernels() {
        return timingKernels;
    }

    /**
     * Device time of the calls of timed streams so far, in milliseconds, counted when their streams synchronize
     * (a search ends with a synchronize). Gaps where the device waits for the host are not included.
     */
    public double kernelMillis() {
        return kernelMillis.sum();
    }

    void addKernelMillis(double millis) {
        kernelMillis.add(millis);
    }

    /** Free and total memory of the device as the driver sees it. */
    public long[] deviceMemory() {
        makeCurrent();
        DeviceMemory memory = device.memory();
        return new long[] {memory.freeBytes(), memory.totalBytes()};
    }

    @Override
    public Batch allocate(Arena arena, int rows, int dim) {
        if (rows < 0 || dim <= 0) {
            throw new IllegalArgumentException("cannot allocate a batch of shape [" + rows + ", " + dim + "]");
        }
        return new Batch(allocateScratch(arena, (long) rows * dim * Batch.FLOAT_BYTES), rows, dim);
    }

    /**
     * Device memory from the pool, back in the pool when {@code arena} closes; counted in {@link #allocatedBytes()}.
     * No driver call unless the pool has to grow.
     */
    MemorySegment allocateScratch(Arena arena, long bytes) {
        return pool.take(arena, bytes);
    }

    /** One slab from the driver for the pool, freed when the pool closes. */
    private MemorySegment allocateSlab(Arena arena, long bytes) {
        makeCurrent();
        MemorySegment slab = device.allocateDevice(arena, bytes, () -> slabBytes.addAndGet(-bytes));
        slabBytes.addAndGet(bytes);
        return slab;
    }

    /** Copies {@code values} to a new device batch and waits until the copy is done. */
    @Override
    public synchronized Batch upload(Arena arena, float[] values, int rows, int dim) {
        if (values.length != (long) rows * dim) {
            throw new IllegalArgumentException(
                    values.length + " values cannot fill a batch of shape [" + rows + ", " + dim + "]");
        }
        Batch batch = allocate(arena, rows, dim);
        MemorySegment source = MemorySegment.ofArray(values);
        device.copyToDevice(copies.stream(), batch.data(), source, source.byteSize());
        copies.synchronize();
        transfers.count(Direction.UPLOAD, Payload.TENSOR, source.byteSize());
        return batch;
    }

    /**
     * A host copy of the batch. Kernels writing it may still be queued on a search's stream, which this method
     * does not know, so it waits for the whole device first (a download ends a search; it is not in a loop).
     */
    @Override
    public synchronized float[] download(Batch batch) {
        makeCurrent();
        device.synchronizeDevice();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = device.allocatePinned(arena, batch.bytes());
            device.copyToHost(copies.stream(), host, batch.data(), batch.bytes());
            copies.synchronize();
            transfers.count(Direction.DOWNLOAD, Payload.TENSOR, batch.bytes());
            return host.toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    /** On a stream of this backend: copied on that stream into its pinned buffer (no driver allocation). */
    @Override
    public float[] download(Kernels stream, Batch batch) {
        if (stream instanceof CudaKernels cuda && cuda.backend() == this) {
            return cuda.download(batch);
        }
        return Backend.super.download(stream, batch);
    }

    @Override
    public Kernels openStream(int threads) {
        return new CudaKernels(this);
    }

    DeviceFunctions device() {
        return device;
    }

    /** CUDA's current device is per host thread: every thread that allocates or launches selects ours. */
    void makeCurrent() {
        device.select(info.index());
    }

    /**
     * Batches belong to their arenas and streams to their callers: the backend holds its copy stream and the pool,
     * whose slabs go back to the driver here (close engines, and so their arenas, first).
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            copies.close();
        } finally {
            makeCurrent();
            pool.close();
        }
    }
}

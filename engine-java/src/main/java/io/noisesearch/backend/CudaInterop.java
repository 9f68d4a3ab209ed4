package io.noisesearch.backend;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * What a runtime outside this package (TensorRT, {@code io.noisesearch.tensorrt}) needs from the CUDA backend to run
 * on our device memory and our streams, and nothing more: the raw {@code cudaStream_t} of a stream, the device's
 * name, device memory and events owned by an arena, and the staging path that carries small host arrays to the
 * device and per-row results back (counted as {@link TransferMeter.Payload#ARGUMENT} copies, like the arrays of
 * kernel calls). Every method takes a backend or stream of {@link CudaBackend} and refuses any other with an
 * {@link IllegalArgumentException}.
 */
public final class CudaInterop {

    private CudaInterop() {
    }

    /**
     * The {@code cudaStream_t} of {@code kernels}, after making the backend's device current on the calling thread
     * (work enqueued on the stream by another library must run on our device).
     */
    public static MemorySegment stream(Kernels kernels) {
        CudaKernels cuda = cuda(kernels);
        cuda.beforeCall();
        return cuda.stream();
    }

    /** The device's name as CUDA reports it ({@code cudaDeviceProp.name}, e.g. "NVIDIA H100 80GB HBM3"). */
    public static String deviceName(Backend backend) {
        return cuda(backend).deviceName();
    }

    /** Makes the backend's device current on the calling thread (CUDA's current device is per thread). */
    public static void makeCurrent(Backend backend) {
        cuda(backend).makeCurrent();
    }

    /** {@code bytes} of device memory owned by {@code arena}, counted in {@link CudaBackend#allocatedBytes()}. */
    public static MemorySegment allocate(Backend backend, Arena arena, long bytes) {
        return cuda(backend).allocateScratch(arena, bytes);
    }

    /**
     * Copies host arrays (heap or native segments) into the stream's device scratch and returns where each landed,
     * 256-byte aligned. The copies are queued on the stream; a slot holds its values for the work queued on the
     * same stream before the next call that stages arrays there (a kernel call with Java arrays, or this method),
     * which reuses the scratch. At most three arrays, the largest first (the scratch is sized by the first).
     */
    public static MemorySegment[] stageArguments(Kernels kernels, MemorySegment... values) {
        if (values.length == 0 || values.length > 3) {
            throw new IllegalArgumentException("stageArguments takes 1 to 3 arrays, got " + values.length);
        }
        for (MemorySegment v : values) {
            if (v.byteSize() > values[0].byteSize()) {
                throw new IllegalArgumentException("stageArguments: the largest array must come first");
            }
        }
        CudaKernels cuda = cuda(kernels);
        cuda.beforeCall();
        try {
            MemorySegment[] slots = new MemorySegment[values.length];
            for (int i = 0; i < values.length; i++) {
                slots[i] = cuda.input(values[i]);
            }
            return slots;
        } finally {
            cuda.afterCall();
        }
    }

    /**
     * Copies the device memory at {@code device} into the host array {@code values} (a heap segment of the same
     * size) in the order of the stream and waits for it: per-row results computed on the device by another library
     * (a verifier model's logits or features), counted as {@link TransferMeter.Payload#ARGUMENT} downloads like the
     * per-row results of kernel calls, and carried the same way, through the stream's pinned staging buffer.
     */
    public static void downloadArguments(Kernels kernels, MemorySegment device, MemorySegment values) {
        CudaKernels cuda = cuda(kernels);
        cuda.beforeCall();
        try {
            // output() sizes the staging (device scratch and pinned buffer) for the values; its device slot goes
            // unused, since the values are already on the device.
            cuda.output(values);
            cuda.complete(device, values);
        } finally {
            cuda.afterCall();
        }
    }

    /** A CUDA event on the backend's device, owned by {@code arena}. */
    public static MemorySegment event(Backend backend, Arena arena) {
        CudaBackend cuda = cuda(backend);
        cuda.makeCurrent();
        return cuda.device().event(arena);
    }

    /** Records {@code event} on a stream of {@code backend}: it completes when the work queued so far has finished. */
    public static void record(Backend backend, Kernels kernels, MemorySegment event) {
        CudaKernels stream = cuda(kernels);
        stream.beforeCall();
        cuda(backend).device().record(stream.stream(), event);
    }

    /** Waits on the host until {@code event} has completed. */
    public static void synchronize(Backend backend, MemorySegment event) {
        cuda(backend).device().synchronize(event);
    }

    private static CudaBackend cuda(Backend backend) {
        if (backend instanceof CudaBackend cuda) {
            return cuda;
        }
        throw new IllegalArgumentException("not the CUDA backend: " + backend.name());
    }

    private static CudaKernels cuda(Kernels kernels) {
        if (kernels instanceof CudaKernels cuda) {
            return cuda;
        }
        throw new IllegalArgumentException("not a stream of the CUDA backend: " + kernels.getClass().getSimpleName());
    }
}

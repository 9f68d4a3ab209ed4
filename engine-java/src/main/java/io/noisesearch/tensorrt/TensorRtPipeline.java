package io.noisesearch.tensorrt;

import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.CudaInterop;
import io.noisesearch.backend.Kernels;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorrt.nvinfer.IExecutionContext;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The engines of one pipeline (plans that run one after another on a stream; today each model, the denoiser or a
 * verifier's {@link TensorRtModel}, is a pipeline of its own) and their activation workspace. A context's
 * activations need device memory only while it runs, so contexts that never run at the same time share it: each
 * lane holds ONE workspace, sized to the largest plan's {@link TensorRtPlan#activationBytes()}, and one context per
 * plan created with {@code kUSER_MANAGED} and bound to that workspace ({@code setDeviceMemoryV2}). A lane belongs to
 * a thread (searches call their models from their own thread, each with its own stream); when the thread moves to
 * another stream, the lane first waits for its last use on the previous one (an event), so the two streams never
 * share the workspace at once. Device memory belongs to the pipeline's arena and is freed by {@link #close()}.
 */
final class TensorRtPipeline implements AutoCloseable {

    /** TensorRT's alignment for every I/O address ({@code setTensorAddress}). */
    static final long IO_ALIGNMENT = 256;
    /** Bytes of one fp16 element. */
    static final long HALF_BYTES = 2;

    private final Backend backend;
    private final List<TensorRtPlan> plans;
    private final long workspaceBytes;
    private final Arena arena = Arena.ofShared();
    private final ThreadLocal<Lane> lanes = ThreadLocal.withInitial(this::newLane);
    private final List<Lane> all = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    TensorRtPipeline(Backend backend, List<TensorRtPlan> plans) {
        this.backend = backend;
        this.plans = List.copyOf(plans);
        this.workspaceBytes = workspaceBytes(plans.stream().mapToLong(TensorRtPlan::activationBytes).toArray());
    }

    /** One workspace serves every plan: the largest need, at least one aligned block. */
    static long workspaceBytes(long[] activationBytes) {
        long largest = IO_ALIGNMENT;
        for (long bytes : activationBytes) {
            largest = Math.max(largest, bytes);
        }
        return largest;
    }

    long workspaceBytes() {
        return workspaceBytes;
    }

    /** The calling thread's lane, ready for work on {@code kernels}; end with {@link Lane#exit}. */
    Lane enter(Kernels kernels) {
        if (closed) {
            throw new IllegalStateException("the TensorRT pipeline of " + plans.getFirst().file() + " is closed");
        }
        Lane lane = lanes.get();
        lane.enter(kernels);
        return lane;
    }

    private Lane newLane() {
        CudaInterop.makeCurrent(backend);
        Lane lane = new Lane();
        all.add(lane);
        return lane;
    }

    /** Frees the workspaces and staging buffers; the caller has finished every search using the pipeline. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Lane lane : all) {
            lane.bindings.values().forEach(b -> b.context().close());
        }
        arena.close();
    }

    /** A raw device address as the Pointer JavaCPP passes to TensorRT. */
    static Pointer pointer(MemorySegment device) {
        long address = device.address();
        return new Pointer() {
            {
                this.address = address;
            }
        };
    }

    static boolean aligned(Batch batch) {
        return batch.data().address() % IO_ALIGNMENT == 0;
    }

    /** One plan's context in a lane, and the batch rows its input shapes were last set for. */
    static final class Binding {
        private final IExecutionContext context;
        private int rows = -1;

        Binding(IExecutionContext context) {
            this.context = context;
        }

        IExecutionContext context() {
            return context;
        }

        /** Whether the context's input shapes are those of a batch of {@code count} rows. */
        boolean shapedFor(int count) {
            return rows == count;
        }

        /** Records that the input shapes were set for {@code count} rows. */
        void shaped(int count) {
            rows = count;
        }
    }

    /**
     * One thread's workspace, contexts and aligned staging buffers. A staging slot holds one I/O tensor of a call:
     * the denoiser uses slot 0 for its sample and 1 for its prediction; an image model 0 for its input, 1 to n for
     * its n outputs and n + 1 for the float32 copy of an fp16 output it returns.
     */
    final class Lane {
        private final Map<TensorRtPlan, Binding> bindings = new IdentityHashMap<>();
        private final MemorySegment lastUse;
        private MemorySegment[] staging = new MemorySegment[2];
        private Kernels current;

        private Lane() {
            MemorySegment workspace = CudaInterop.allocate(backend, arena, workspaceBytes);
            lastUse = CudaInterop.event(backend, arena);
            for (TensorRtPlan plan : plans) {
                IExecutionContext context = plan.newContext();
                context.setDeviceMemoryV2(pointer(workspace), workspaceBytes);
                bindings.put(plan, new Binding(context));
            }
        }

        Binding binding(TensorRtPlan plan) {
            return bindings.get(plan);
        }

        /**
         * A 256-byte aligned batch of [rows, dim] for I/O that is not aligned where it lives (row slices of a batch)
         * or has no batch of ours (an image model's outputs). Valid until the next call in this lane.
         */
        Batch aligned(int slot, int rows, int dim) {
            return new Batch(staging(slot, (long) rows * dim * Batch.FLOAT_BYTES), rows, dim);
        }

        /**
         * 256-byte aligned device memory for {@code elements} fp16 values, the I/O of an engine with fp16 tensors.
         * Valid until the next call in this lane.
         */
        MemorySegment half(int slot, long elements) {
            return staging(slot, elements * HALF_BYTES);
        }

        /**
         * The slot's buffer, grown when a call needs more. A call uses a slot for one tensor (float32 or fp16), so
         * both kinds share it. The replaced buffer stays in the pipeline's arena: work queued on it may still run.
         */
        private MemorySegment staging(int slot, long bytes) {
            if (slot >= staging.length) {
                staging = Arrays.copyOf(staging, slot + 1);
            }
            if (staging[slot] == null || staging[slot].byteSize() < bytes) {
                staging[slot] = CudaInterop.allocate(backend, arena, bytes);
            }
            return staging[slot].asSlice(0, bytes);
        }

        private void enter(Kernels kernels) {
            if (current != null && current != kernels) {
                CudaInterop.synchronize(backend, lastUse);
            }
            current = kernels;
        }

        /** Marks the end of this lane's work queued on the stream. */
        void exit() {
            CudaInterop.record(backend, current, lastUse);
        }
    }
}

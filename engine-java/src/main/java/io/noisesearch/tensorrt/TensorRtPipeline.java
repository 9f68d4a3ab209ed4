package io.noisesearch.tensorrt;

import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.CudaInterop;
import io.noisesearch.backend.Kernels;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorrt.nvinfer.IExecutionContext;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The TensorRT engines of one runtime and their activation workspace. Contexts that never run at the same time can
 * share activation memory, so each lane (one per thread; a search calls its models from its own thread and stream)
 * holds ONE workspace sized to the largest registered plan, and one {@code kUSER_MANAGED} context per plan bound to
 * it. When a thread moves to another stream, its lane first waits for its last use on the previous one (an event).
 * Plans register as their models open, possibly after lanes exist: the registered plans are an immutable
 * {@link Registry} replaced under a lock and read without one, and a lane that is behind catches up on its own
 * thread when it enters (waits for its last use, adds contexts, grows and re-binds its workspace). Device memory
 * belongs to the pipeline's arena and is freed by {@link #close()}.
 */
public final class TensorRtPipeline implements AutoCloseable {

    /** TensorRT's alignment for every I/O address ({@code setTensorAddress}). */
    static final long IO_ALIGNMENT = 256;
    /** Bytes of one fp16 element. */
    static final long HALF_BYTES = 2;

    private final Backend backend;
    private final Arena arena = Arena.ofShared();
    private final Object lock = new Object();
    /** Replaced, never changed, under {@link #lock}; read without it. */
    private volatile Registry<TensorRtPlan> registry = Registry.empty();
    private final ThreadLocal<Lane> lanes = ThreadLocal.withInitial(this::newLane);
    private final List<Lane> all = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    /** An empty pipeline on {@code backend} (the CUDA backend); models register their plans as they open. */
    public TensorRtPipeline(Backend backend) {
        this.backend = backend;
    }

    Backend backend() {
        return backend;
    }

    /**
     * Registers {@code plan}: every lane gets a context for it (on its next {@link #enter}), bound to a workspace
     * large enough for it. Registering a plan again changes nothing. Thread-safe.
     */
    void add(TensorRtPlan plan) {
        long bytes = plan.activationBytes();
        synchronized (lock) {
            requireOpen();
            registry = registry.with(plan, bytes);
        }
    }

    /** The calling thread's lane, ready for work on {@code kernels}; end with {@link Lane#exit}. */
    Lane enter(Kernels kernels) {
        requireOpen();
        Lane lane = lanes.get();
        lane.enter(kernels, registry);
        return lane;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the engine's TensorRT pipeline is closed");
        }
    }

    private Lane newLane() {
        CudaInterop.makeCurrent(backend);
        Lane lane = new Lane();
        all.add(lane);
        return lane;
    }

    /**
     * Frees the workspaces and staging buffers of every lane. The owner (the {@code Engine}) calls it once every
     * search using the pipeline has finished and its models are closed; a second call does nothing.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
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

    /**
     * The registered plans, in the order they came, and the workspace they need: the largest activation size, at
     * least one aligned block. Immutable; {@link #with} returns the next one. Generic in the plan so that the
     * bookkeeping is tested without TensorRT; plans are told apart by identity, as a lane's contexts are.
     */
    record Registry<P>(List<P> plans, long workspaceBytes) {

        static <P> Registry<P> empty() {
            return new Registry<>(List.of(), IO_ALIGNMENT);
        }

        /** With {@code plan}, which needs {@code activationBytes}; this same registry where it is registered. */
        Registry<P> with(P plan, long activationBytes) {
            for (P p : plans) {
                if (p == plan) {
                    return this;
                }
            }
            List<P> more = new ArrayList<>(plans);
            more.add(plan);
            return new Registry<>(List.copyOf(more), Math.max(workspaceBytes, activationBytes));
        }

        /** How many plans were registered: a lane with contexts for fewer is behind. */
        int generation() {
            return plans.size();
        }

        /** The plans a lane of {@code generation} has no context for yet. */
        List<P> addedSince(int generation) {
            return plans.subList(generation, plans.size());
        }

        /** Whether a lane whose workspace has {@code boundBytes} needs a larger one (and every context re-bound). */
        boolean outgrows(long boundBytes) {
            return workspaceBytes > boundBytes;
        }
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
     * its n outputs and n + 1 for the float32 copy of an fp16 output it returns. Every model of the pipeline uses
     * the same slots: a call is done with them once its work is queued (the denoiser's prediction is copied out on
     * the stream, an image model's output downloaded), and the next call's work runs after it on the same stream.
     */
    final class Lane {
        /** Written only by the lane's thread; {@link #close()} reads it once no search runs. */
        private final Map<TensorRtPlan, Binding> bindings = new IdentityHashMap<>();
        private final MemorySegment lastUse;
        private MemorySegment workspace;
        private long workspaceBytes;
        /** The registry generation this lane has contexts for. */
        private int generation;
        private MemorySegment[] staging = new MemorySegment[2];
        private Kernels current;

        private Lane() {
            lastUse = CudaInterop.event(backend, arena);
        }

        Binding binding(TensorRtPlan plan) {
            Binding binding = bindings.get(plan);
            if (binding == null) {
                throw new IllegalStateException(plan.file() + " is not registered with this TensorRT pipeline");
            }
            return binding;
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

        private void enter(Kernels kernels, Registry<TensorRtPlan> snapshot) {
            boolean behind = snapshot.generation() > generation;
            if (current != null && (current != kernels || behind)) {
                // No work of this lane queued before still runs: on the old stream, or on the old workspace.
                CudaInterop.synchronize(backend, lastUse);
            }
            if (behind) {
                catchUp(snapshot);
            }
            current = kernels;
        }

        /** Contexts for the plans registered since the last call, on a workspace large enough for all of them. */
        private void catchUp(Registry<TensorRtPlan> snapshot) {
            CudaInterop.makeCurrent(backend);
            if (snapshot.outgrows(workspaceBytes)) {
                // The outgrown workspace stays in the arena until close: the arena frees all at once.
                workspace = CudaInterop.allocate(backend, arena, snapshot.workspaceBytes());
                workspaceBytes = snapshot.workspaceBytes();
                bindings.values().forEach(b -> bindWorkspace(b.context()));
            }
            for (TensorRtPlan plan : snapshot.addedSince(generation)) {
                IExecutionContext context = plan.newContext();
                bindings.put(plan, new Binding(context));
                bindWorkspace(context);
                generation++; // per plan: where a context cannot be created, the next call retries from that plan
            }
        }

        private void bindWorkspace(IExecutionContext context) {
            context.setDeviceMemoryV2(pointer(workspace), workspaceBytes);
        }

        /** Marks the end of this lane's work queued on the stream. */
        void exit() {
            CudaInterop.record(backend, current, lastUse);
        }
    }
}

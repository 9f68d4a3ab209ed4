package io.noisesearch.tensorrt;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.NoiseSearchException;
import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.CudaInterop;
import io.noisesearch.backend.Kernels;
import io.noisesearch.model.ModelManifest;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.tensorrt.global.nvinfer.DataType;
import org.bytedeco.tensorrt.global.nvinfer.ExecutionContextAllocationStrategy;
import org.bytedeco.tensorrt.global.nvinfer.OptProfileSelector;
import org.bytedeco.tensorrt.global.nvinfer.TensorFormat;
import org.bytedeco.tensorrt.global.nvinfer.TensorIOMode;
import org.bytedeco.tensorrt.global.nvinfer.TensorLocation;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.ICudaEngine;
import org.bytedeco.tensorrt.nvinfer.IExecutionContext;
import org.bytedeco.tensorrt.nvinfer.IRuntime;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A deserialized TensorRT plan (an engine) checked against its model's manifest: the same input and output tensor
 * names, the same ranks and fixed dimensions, float32 or int64 element types matching the manifest (a float32
 * tensor of the manifest may be fp16 in the plan: its user converts it, see {@link TensorRtDenoiser}), linear
 * (row-major) layouts, and an optimization profile (profile 0, the one a new context selects) whose batch range is
 * {@link #minRows()} to {@link #maxRows()}.
 * Every mismatch is one line naming the plan file; other I/O types (int8, bf16, fp8, ...) are refused.
 */
public final class TensorRtPlan implements AutoCloseable {

    /** One I/O tensor of the engine: its TensorRT element type and its shape (-1: dynamic). */
    record Tensor(String name, boolean input, DataType type, long[] shape) {
    }

    private final Path file;
    private final ICudaEngine engine;
    private final Map<String, Tensor> tensors;
    private final int minRows;
    private final int maxRows;

    private TensorRtPlan(Path file, ICudaEngine engine, Map<String, Tensor> tensors, int minRows, int maxRows) {
        this.file = file;
        this.engine = engine;
        this.tensors = tensors;
        this.minRows = minRows;
        this.maxRows = maxRows;
    }

    /** Deserializes {@code file} on the backend's device and checks it against {@code manifest}. */
    public static TensorRtPlan load(Backend backend, Path file, ModelManifest manifest) {
        IRuntime runtime = TensorRt.runtime();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new InvalidRequestException(file + ": cannot read the plan (" + e.getMessage() + ")", e);
        }
        CudaInterop.makeCurrent(backend);
        ICudaEngine engine;
        // TensorRT does not keep the serialized blob (its own samples free it once the engine exists).
        try (BytePointer blob = new BytePointer(bytes)) {
            TensorRt.logger().clear();
            synchronized (runtime) {
                engine = runtime.deserializeCudaEngine(blob, bytes.length);
            }
        }
        if (engine == null || engine.isNull()) {
            throw new InvalidRequestException(file + ": TensorRT " + TensorRt.version() + " cannot load this plan ("
                    + TensorRt.logger().lastError().orElse("no reason logged") + "); plans run only on the GPU model"
                    + " and TensorRT version that built them: rebuild with tensorrt-plans/build-plans.sh");
        }
        try {
            Map<String, Tensor> tensors = tensors(file, engine);
            check(file, manifest, tensors);
            int[] rows = batchRange(file, engine, tensors);
            return new TensorRtPlan(file, engine, tensors, rows[0], rows[1]);
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
    }

    public Path file() {
        return file;
    }

    /** The fewest rows a batch may have (the profile's minimum batch). */
    public int minRows() {
        return minRows;
    }

    /** The most rows a batch may have (the profile's maximum batch). */
    public int maxRows() {
        return maxRows;
    }

    /** A batch of {@code rows} must lie in the plan's batch range; else one line saying what to change. */
    void requireRows(String model, int rows) {
        if (rows < minRows || rows > maxRows) {
            throw new InvalidRequestException("model " + model + ": a batch of " + rows + " rows is outside "
                    + minRows + ".." + maxRows + ", the batch range of " + file
                    + " (use a smaller --batch-size, or rebuild the plan with a larger batch.max in the manifest)");
        }
    }

    /**
     * Where the plan reads an input batch: an fp16 copy in staging slot {@code slot} of the lane, the batch itself
     * where it is float32 and aligned, else an aligned float32 copy in that slot.
     */
    MemorySegment input(Kernels kernels, TensorRtPipeline.Lane lane, int slot, Batch batch, boolean half) {
        if (half) {
            MemorySegment converted = lane.half(slot, batch.elements());
            kernels.toHalf(batch, converted);
            return converted;
        }
        if (TensorRtPipeline.aligned(batch)) {
            return batch.data();
        }
        Batch staged = lane.aligned(slot, batch.rows(), batch.dim());
        kernels.copy(batch, staged);
        return staged.data();
    }

    /** Device memory an execution context needs for activations, at the profile's largest shapes. */
    public long activationBytes() {
        return engine.getDeviceMemorySizeV2();
    }

    DataType type(String tensor) {
        return tensors.get(tensor).type();
    }

    /**
     * Whether float tensor {@code tensor} is fp16 in the plan (its user converts it on the stream) rather than
     * float32; any other type is one line naming the plan and what {@code user} ("a denoiser's") binds.
     */
    boolean isHalf(String tensor, String user) {
        DataType type = type(tensor);
        if (type != DataType.kFLOAT && type != DataType.kHALF) {
            throw new InvalidRequestException(file + ": tensor '" + tensor + "' is " + type + ", " + user
                    + " is kFLOAT or kHALF");
        }
        return type == DataType.kHALF;
    }

    /**
     * A new execution context whose activation memory the caller provides ({@code setDeviceMemoryV2}), so that the
     * engines of a pipeline can share one workspace.
     */
    IExecutionContext newContext() {
        TensorRt.logger().clear();
        IExecutionContext context = engine.createExecutionContext(ExecutionContextAllocationStrategy.kUSER_MANAGED);
        if (context == null || context.isNull()) {
            throw new NoiseSearchException(file + ": cannot create an execution context ("
                    + TensorRt.logger().lastError().orElse("no reason logged") + ")", false);
        }
        return context;
    }

    /** Sets an input's shape in a context of this plan for the calls that follow. */
    void setInputShape(IExecutionContext context, String tensor, long[] shape) {
        try (Dims64 dims = new Dims64()) {
            dims.nbDims(shape.length);
            for (int i = 0; i < shape.length; i++) {
                dims.d(i, shape[i]);
            }
            TensorRt.logger().clear();
            if (!context.setInputShape(tensor, dims)) {
                throw new NoiseSearchException(file + ": cannot set input '" + tensor + "' to shape "
                        + Arrays.toString(shape) + ": " + TensorRt.logger().lastError()
                        .orElse("no reason logged"), false);
            }
        }
    }

    /**
     * The elements a context of this plan writes to output {@code tensor} for the input shapes set (the product of
     * its dimensions); -1 where TensorRT cannot tell.
     */
    long outputElements(IExecutionContext context, String tensor) {
        long[] shape = dims(context.getTensorShape(tensor));
        long elements = 1;
        for (long d : shape) {
            if (d < 0) {
                return -1;
            }
            elements *= d;
        }
        return shape.length < 1 ? -1 : elements;
    }

    /** Binds tensor {@code tensor} of a context of this plan to the device memory at {@code device}. */
    void bind(IExecutionContext context, String tensor, MemorySegment device) {
        TensorRt.logger().clear();
        if (!context.setTensorAddress(tensor, TensorRtPipeline.pointer(device))) {
            throw new NoiseSearchException(file + ": cannot bind tensor '" + tensor + "' at 0x"
                    + Long.toHexString(device.address()) + ": " + TensorRt.logger().lastError()
                    .orElse("no reason logged"), false);
        }
    }

    /** Queues a context of this plan (shapes set, tensors bound) on {@code stream}; {@code model} names the caller. */
    void enqueue(IExecutionContext context, MemorySegment stream, String model, int rows) {
        TensorRt.logger().clear();
        if (!context.enqueueV3(new CUstream_st(TensorRtPipeline.pointer(stream)))) {
            throw new NoiseSearchException("model " + model + " (" + file + ") failed to enqueue " + rows + " rows: "
                    + TensorRt.logger().lastError().orElse("no reason logged"), false);
        }
    }

    /**
     * Releases the Java handle only: JavaCPP has no destructor binding for engines, so the engine's memory goes back
     * when the process ends (the Engine keeps one plan per model and remembers plans that failed to load, so no
     * engine is deserialized twice).
     */
    @Override
    public void close() {
        engine.close();
    }

    private static Map<String, Tensor> tensors(Path file, ICudaEngine engine) {
        Map<String, Tensor> tensors = new HashMap<>();
        for (int i = 0; i < engine.getNbIOTensors(); i++) {
            String name = engine.getIOTensorName(i);
            boolean input = engine.getTensorIOMode(name).intern() == TensorIOMode.kINPUT;
            tensors.put(name, new Tensor(name, input, engine.getTensorDataType(name).intern(),
                    dims(engine.getTensorShape(name))));
            // Our batches are device memory: a tensor TensorRT keeps on the host (shape inputs) would make it read
            // device addresses from the CPU.
            if (engine.getTensorLocation(name).intern() != TensorLocation.kDEVICE || engine.isShapeInferenceIO(name)) {
                throw new InvalidRequestException(file + ": tensor '" + name + "' lives on the host (a shape tensor);"
                        + " the engine binds device tensors only");
            }
            if (engine.getTensorFormat(name).intern() != TensorFormat.kLINEAR) {
                throw new InvalidRequestException(file + ": tensor '" + name + "' has the layout '"
                        + engine.getTensorFormatDesc(name) + "'; the engine binds linear (row-major) I/O only");
            }
        }
        return tensors;
    }

    private static void check(Path file, ModelManifest manifest, Map<String, Tensor> tensors) {
        int named = manifest.inputs().size() + manifest.outputs().size();
        if (named != tensors.size()) {
            throw new InvalidRequestException(file + ": the plan has I/O tensors " + tensors.keySet()
                    + " but the manifest names " + names(manifest.inputs()) + " -> " + names(manifest.outputs()));
        }
        checkTensors(file, "input", true, manifest.inputs(), tensors);
        checkTensors(file, "output", false, manifest.outputs(), tensors);
    }

    private static void checkTensors(Path file, String kind, boolean input, List<ModelManifest.TensorSpec> specs,
                                     Map<String, Tensor> tensors) {
        for (ModelManifest.TensorSpec spec : specs) {
            Tensor tensor = tensors.get(spec.name());
            if (tensor == null || tensor.input() != input) {
                throw new InvalidRequestException(file + ": the manifest names " + kind + " tensor '" + spec.name()
                        + "' but the plan's " + kind + "s are " + tensors.values().stream()
                        .filter(t -> t.input() == input).map(Tensor::name).sorted().toList());
            }
            String dtype = switch (tensor.type()) {
                case kFLOAT -> "float32";
                case kHALF -> "float16";
                case kINT64 -> "int64";
                default -> throw new InvalidRequestException(file + ": " + kind + " '" + spec.name() + "' is "
                        + tensor.type() + " in the plan; the engine binds float32, fp16 and int64 I/O only (build"
                        + " the plan as tensorrt-plans/build-plans.sh does)");
            };
            String wanted = spec.dtype() == null ? "float32" : spec.dtype();
            // fp16 I/O stands for a float32 tensor of the manifest: its user converts on the device (ns_f32_to_f16).
            boolean converted = dtype.equals("float16") && wanted.equals("float32");
            if (!dtype.equals(wanted) && !converted) {
                throw new InvalidRequestException(file + ": " + kind + " '" + spec.name() + "' is " + dtype
                        + " in the plan but " + wanted + " in the manifest");
            }
            if (!compatible(tensor.shape(), spec.shape())) {
                throw new InvalidRequestException(file + ": " + kind + " '" + spec.name() + "' has shape "
                        + Arrays.toString(tensor.shape()) + " in the plan but " + spec.shape() + " in the manifest");
            }
        }
    }

    /** Same rank; a dimension fixed on both sides is equal (-1 is dynamic). */
    static boolean compatible(long[] plan, List<Long> manifest) {
        if (plan.length != manifest.size()) {
            return false;
        }
        for (int i = 0; i < plan.length; i++) {
            long want = manifest.get(i);
            if (plan[i] >= 0 && want >= 0 && plan[i] != want) {
                return false;
            }
        }
        return true;
    }

    /** The batch range every input's profile allows (profile 0, axis 0). */
    private static int[] batchRange(Path file, ICudaEngine engine, Map<String, Tensor> tensors) {
        if (engine.getNbOptimizationProfiles() < 1) {
            throw new InvalidRequestException(file + ": the plan has no optimization profile");
        }
        long min = 1;
        long max = Integer.MAX_VALUE;
        for (Tensor t : tensors.values()) {
            if (!t.input() || t.shape().length == 0) {
                continue;
            }
            if (t.shape()[0] >= 0) {
                min = Math.max(min, t.shape()[0]);
                max = Math.min(max, t.shape()[0]);
                continue;
            }
            long[] low = dims(engine.getProfileShape(t.name(), 0, OptProfileSelector.kMIN));
            long[] high = dims(engine.getProfileShape(t.name(), 0, OptProfileSelector.kMAX));
            if (low.length == 0 || high.length == 0) {
                throw new InvalidRequestException(file + ": input '" + t.name() + "' has no shapes in profile 0");
            }
            min = Math.max(min, low[0]);
            max = Math.min(max, high[0]);
        }
        if (min > max) {
            throw new InvalidRequestException(file + ": the inputs' batch ranges do not overlap (min " + min
                    + " > max " + max + ")");
        }
        return new int[] {(int) min, (int) max};
    }

    /** The dimensions of a shape TensorRT returned by value (its native copy is freed here); none if invalid. */
    private static long[] dims(Dims64 dims) {
        try (dims) {
            long[] d = new long[Math.max(0, dims.nbDims())];
            for (int i = 0; i < d.length; i++) {
                d[i] = dims.d(i);
            }
            return d;
        }
    }

    private static List<String> names(List<ModelManifest.TensorSpec> specs) {
        return specs.stream().map(ModelManifest.TensorSpec::name).toList();
    }
}

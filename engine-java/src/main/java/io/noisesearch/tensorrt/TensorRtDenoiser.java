package io.noisesearch.tensorrt;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.CudaInterop;
import io.noisesearch.backend.Kernels;
import io.noisesearch.model.Denoiser;
import io.noisesearch.model.ModelInfo;
import io.noisesearch.model.ModelManifest;
import io.noisesearch.onnx.OnnxDenoiser;
import org.bytedeco.tensorrt.global.nvinfer.DataType;
import org.bytedeco.tensorrt.nvinfer.IExecutionContext;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * A trained denoiser as a TensorRT plan on the CUDA backend: the same model folder (manifest.json) as
 * {@link OnnxDenoiser}, the engine from {@code tensorrt-plans/plans/<gpu>-trt<version>/<model>.plan}. The sample and
 * prediction are our device batches, bound by address ({@code setTensorAddress}) without copies where they are
 * 256-byte aligned (a whole batch always is; a slice of rows may not be, and is then copied through an aligned
 * batch of the lane on the device). A plan whose sample or prediction is fp16 gets that tensor through an fp16
 * buffer of the lane instead, converted from and to our float32 batches on the stream ({@link Kernels#toHalf},
 * {@link Kernels#fromHalf}). The per-row time (float32) and label (int64) go through the stream's argument
 * staging (counted as ARGUMENT uploads). Each call sets the input shapes for its rows when they changed and enqueues
 * on the caller's stream ({@code enqueueV3}); nothing waits. A non-finite prediction is not looked for here (that
 * would wait for the device at every call): it reaches the verifier's scores, which are checked. Its contexts (one a
 * thread) run in the activation workspace of the {@link TensorRtPipeline} it registers with, which the engine's
 * verifier models share.
 */
public final class TensorRtDenoiser implements Denoiser {

    private final Path folder;
    private final ModelManifest manifest;
    private final ModelInfo info;
    private final TensorRtPlan plan;
    private final TensorRtPipeline pipeline;
    private final String sample;
    private final String time;
    private final String label;
    private final String prediction;
    private final List<Long> sampleShape;
    private final List<Long> timeShape;
    private final List<Long> labelShape;
    private final int dim;
    /** Whether the plan's sample input / prediction output is fp16 (converted on the stream) rather than float32. */
    private final boolean halfSample;
    private final boolean halfPrediction;
    private final ThreadLocal<Conditioning> conditioning = ThreadLocal.withInitial(Conditioning::new);

    /**
     * Opens the plan {@code planFile} of the denoiser in {@code folder} on the pipeline's backend (the CUDA
     * backend) and registers it with {@code pipeline}, whose activation workspace it shares with the other engines
     * there.
     */
    public TensorRtDenoiser(TensorRtPipeline pipeline, Path folder, Path planFile) {
        ModelManifest m = ModelManifest.read(folder);
        m.requireDenoiser(folder);
        this.folder = folder;
        this.manifest = m;
        this.info = ModelInfo.of(m, folder);
        this.sample = m.inputs().get(0).name();
        this.time = m.inputs().get(1).name();
        this.label = m.inputs().get(2).name();
        this.prediction = m.outputs().get(0).name();
        this.sampleShape = m.inputs().get(0).shape();
        this.timeShape = onePerRow(folder, m.inputs().get(1));
        this.labelShape = onePerRow(folder, m.inputs().get(2));
        this.dim = info.dim();
        this.pipeline = pipeline;
        this.plan = TensorRtPlan.load(pipeline.backend(), planFile, m);
        try {
            this.halfSample = plan.isHalf(sample, "a denoiser's");
            requireType(time, DataType.kFLOAT);
            requireType(label, DataType.kINT64);
            this.halfPrediction = plan.isHalf(prediction, "a denoiser's");
            pipeline.add(plan);
        } catch (RuntimeException e) {
            plan.close();
            throw e;
        }
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    public TensorRtPlan plan() {
        return plan;
    }

    /** The model folder (manifest.json, model.onnx): where the manifest's verifier models are found, beside it. */
    public Path folder() {
        return folder;
    }

    public ModelManifest manifest() {
        return manifest;
    }

    @Override
    public void predict(Kernels kernels, Batch x, double t, int classLabel, Batch out) {
        int rows = x.rows();
        if (x.dim() != dim || out.rows() != rows || out.dim() != dim) {
            throw new IllegalArgumentException("model " + info.name() + ": predict takes [rows, " + dim
                    + "] batches, got x [" + rows + ", " + x.dim() + "] and out [" + out.rows() + ", " + out.dim()
                    + "]");
        }
        if (rows == 0) {
            return;
        }
        if (rows < plan.minRows() || rows > plan.maxRows()) {
            throw new InvalidRequestException("model " + info.name() + ": a batch of " + rows + " rows is outside "
                    + plan.minRows() + ".." + plan.maxRows() + ", the batch range of " + plan.file()
                    + " (use a smaller --batch-size, or rebuild the plan with a larger batch.max in the manifest)");
        }
        MemorySegment stream = CudaInterop.stream(kernels);
        TensorRtPipeline.Lane lane = pipeline.enter(kernels);
        try {
            run(kernels, stream, lane, x, (float) t, classLabel, out);
        } finally {
            lane.exit();
        }
    }

    private void run(Kernels kernels, MemorySegment stream, TensorRtPipeline.Lane lane, Batch x, float t,
                     int classLabel, Batch out) {
        int rows = x.rows();
        TensorRtPipeline.Binding binding = lane.binding(plan);
        IExecutionContext context = binding.context();
        if (!binding.shapedFor(rows)) {
            plan.setInputShape(context, sample, shapeFor(sampleShape, rows));
            plan.setInputShape(context, time, shapeFor(timeShape, rows));
            plan.setInputShape(context, label, shapeFor(labelShape, rows));
            requireOutputRows(context, rows);
            binding.shaped(rows);
        }
        // Labels first: stageArguments sizes its scratch by the first (the largest) array.
        MemorySegment[] slots = conditioning.get().stage(kernels, rows, t, classLabel);
        MemorySegment input = sampleInput(kernels, lane, x);
        MemorySegment output = predictionOutput(lane, out);
        plan.bind(context, sample, input);
        plan.bind(context, time, slots[1]);
        plan.bind(context, label, slots[0]);
        plan.bind(context, prediction, output);
        plan.enqueue(context, stream, info.name(), rows);
        if (halfPrediction) {
            kernels.fromHalf(output, out);
        } else if (output != out.data()) {
            kernels.copy(new Batch(output, out.rows(), dim), out);
        }
    }

    /** Where the engine reads the sample: an fp16 copy, the batch itself where aligned, else an aligned copy. */
    private MemorySegment sampleInput(Kernels kernels, TensorRtPipeline.Lane lane, Batch x) {
        if (halfSample) {
            MemorySegment half = lane.half(0, x.elements());
            kernels.toHalf(x, half);
            return half;
        }
        if (TensorRtPipeline.aligned(x)) {
            return x.data();
        }
        Batch staged = lane.aligned(0, x.rows(), dim);
        kernels.copy(x, staged);
        return staged.data();
    }

    /**
     * Where the engine writes the prediction: {@code out}'s own segment where it is float32 and aligned, else a
     * buffer of the lane (fp16, or an aligned float32 batch) that {@link #run} copies into {@code out}.
     */
    private MemorySegment predictionOutput(TensorRtPipeline.Lane lane, Batch out) {
        if (halfPrediction) {
            return lane.half(1, out.elements());
        }
        return TensorRtPipeline.aligned(out) ? out.data() : lane.aligned(1, out.rows(), dim).data();
    }

    /**
     * Releases the plan's handle. The pipeline is its owner's (the {@code Engine}'s) to close, after this; it must
     * serve no call after its models are closed.
     */
    @Override
    public void close() {
        plan.close();
    }

    private void requireType(String tensor, DataType type) {
        if (plan.type(tensor) != type) {
            throw new InvalidRequestException(plan.file() + ": tensor '" + tensor + "' is " + plan.type(tensor)
                    + ", a denoiser's is " + type);
        }
    }

    /** The prediction TensorRT will write must be exactly [rows, dim] values: it lands in our batch. */
    private void requireOutputRows(IExecutionContext context, int rows) {
        long elements = plan.outputElements(context, prediction);
        if (elements != (long) rows * dim) {
            throw new InvalidRequestException(plan.file() + ": for " + rows + " rows the plan's output '"
                    + prediction + "' has " + elements + " elements, expected " + rows + " x " + dim);
        }
    }

    /** The manifest's shape with the dynamic batch axis replaced by {@code rows}. */
    /**
     * The shape of a conditioning input (time, label): one value per row, i.e. [batch] or [batch, 1, ...]; anything
     * else is one line naming the manifest.
     */
    private static List<Long> onePerRow(Path folder, ModelManifest.TensorSpec input) {
        List<Long> shape = input.shape();
        boolean one = !shape.isEmpty() && shape.stream().skip(1).allMatch(d -> d == 1);
        if (!one) {
            throw new InvalidRequestException(folder.resolve("manifest.json") + ": input '" + input.name()
                    + "' has shape " + shape + "; a denoiser's time and label inputs hold one value per row ([batch])");
        }
        return shape;
    }

    static long[] shapeFor(List<Long> shape, int rows) {
        long[] dims = new long[shape.size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = i == 0 ? rows : shape.get(i);
        }
        return dims;
    }

    /** Per-thread host arrays of the time and label inputs, grown when a larger batch comes. */
    private static final class Conditioning {
        private float[] times = new float[0];
        private long[] labels = new long[0];

        /** The labels and times of {@code rows} rows, staged on the stream: {labels, times} on the device. */
        MemorySegment[] stage(Kernels kernels, int rows, float t, int label) {
            if (times.length < rows) {
                times = new float[rows];
                labels = new long[rows];
            }
            Arrays.fill(times, 0, rows, t);
            Arrays.fill(labels, 0, rows, label);
            return CudaInterop.stageArguments(kernels,
                    MemorySegment.ofArray(labels).asSlice(0, (long) rows * Long.BYTES),
                    MemorySegment.ofArray(times).asSlice(0, (long) rows * Float.BYTES));
        }
    }
}

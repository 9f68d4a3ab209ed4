package io.noisesearch.tensorrt;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.CudaInterop;
import io.noisesearch.backend.Kernels;
import io.noisesearch.model.Conditioning;
import io.noisesearch.model.Denoiser;
import io.noisesearch.model.ModelFiles;
import io.noisesearch.model.ModelInfo;
import io.noisesearch.model.ModelManifest;
import io.noisesearch.model.TrainedModel;
import org.bytedeco.tensorrt.global.nvinfer.DataType;
import org.bytedeco.tensorrt.nvinfer.IExecutionContext;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntFunction;

/**
 * A trained denoiser as a TensorRT plan on the CUDA backend (the model folder's manifest, the plan
 * {@link PlanLocator} finds). The sample and prediction are our device batches, bound by address where they are
 * float32 and 256-byte aligned, else through a buffer of the lane (an aligned copy, or fp16 converted on the stream).
 * The per-row time and label go through the stream's argument staging. Each call sets the input shapes when the rows
 * changed and enqueues on the caller's stream; nothing waits, so a non-finite prediction is caught where the
 * verifier's scores are checked. Its contexts share the {@link TensorRtPipeline}'s activation workspace.
 */
public final class TensorRtDenoiser implements Denoiser, TrainedModel {

    private final ModelFiles files;
    private final ModelInfo info;
    private final ModelManifest.DenoiserTensors tensors;
    private final TensorRtPlan plan;
    private final TensorRtPipeline pipeline;
    private final int dim;
    private final boolean halfSample;
    private final boolean halfPrediction;
    private final ThreadLocal<Conditioning> conditioning = ThreadLocal.withInitial(Conditioning::new);

    /** Opens {@code planFile} for the denoiser in {@code folder} and registers it with {@code pipeline}. */
    public TensorRtDenoiser(TensorRtPipeline pipeline, Path folder, Path planFile) {
        ModelManifest m = ModelManifest.read(folder);
        this.files = new ModelFiles(folder, m);
        this.tensors = m.denoiserTensors(folder);
        this.info = ModelInfo.of(m, folder);
        onePerRow(folder, tensors.time());
        onePerRow(folder, tensors.label());
        this.dim = info.dim();
        this.pipeline = pipeline;
        this.plan = TensorRtPlan.load(pipeline.backend(), planFile, m);
        try {
            this.halfSample = plan.isHalf(tensors.sample().name(), "a denoiser's");
            requireType(tensors.time().name(), DataType.kFLOAT);
            requireType(tensors.label().name(), DataType.kINT64);
            this.halfPrediction = plan.isHalf(tensors.prediction().name(), "a denoiser's");
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

    @Override
    public ModelFiles files() {
        return files;
    }

    /** The plan computes what this model computes: its bytes are part of the model's identity. */
    @Override
    public List<Path> runtimeFiles() {
        return List.of(plan.file());
    }

    @Override
    public void predict(Kernels kernels, Batch x, double t, int classLabel, Batch out) {
        predictWith(kernels, x, out, rows -> conditioning.get().fill(rows, (float) t, classLabel));
    }

    @Override
    public int maxRows() {
        return plan.maxRows();
    }

    /** The time and label tensors take a value per row: the rows run in one call. */
    @Override
    public void predictRows(Kernels kernels, Batch x, double[] times, int[] labels, Batch out) {
        if (times.length != x.rows()) {
            throw new IllegalArgumentException(times.length + " times for " + x.rows() + " rows");
        }
        predictWith(kernels, x, out, rows -> conditioning.get().fill(times, labels));
    }

    private void predictWith(Kernels kernels, Batch x, Batch out, IntFunction<Conditioning> rowsOf) {
        int rows = x.rows();
        if (x.dim() != dim || out.rows() != rows || out.dim() != dim) {
            throw new IllegalArgumentException("model " + info.name() + ": predict takes [rows, " + dim
                    + "] batches, got x [" + rows + ", " + x.dim() + "] and out [" + out.rows() + ", " + out.dim()
                    + "]");
        }
        if (rows == 0) {
            return;
        }
        plan.requireRows(info.name(), rows);
        MemorySegment stream = CudaInterop.stream(kernels);
        TensorRtPipeline.Lane lane = pipeline.enter(kernels);
        try {
            run(kernels, stream, lane, x, rowsOf.apply(rows), out);
        } finally {
            lane.exit();
        }
    }

    private void run(Kernels kernels, MemorySegment stream, TensorRtPipeline.Lane lane, Batch x, Conditioning c,
                     Batch out) {
        int rows = x.rows();
        TensorRtPipeline.Binding binding = lane.binding(plan);
        IExecutionContext context = binding.context();
        if (!binding.shapedFor(rows)) {
            plan.setInputShape(context, tensors.sample().name(), tensors.sample().shapeFor(rows));
            plan.setInputShape(context, tensors.time().name(), tensors.time().shapeFor(rows));
            plan.setInputShape(context, tensors.label().name(), tensors.label().shapeFor(rows));
            requireOutputRows(context, rows);
            binding.shaped(rows);
        }
        // Labels first: stageArguments sizes its scratch by the first (the largest) array.
        MemorySegment[] staged = CudaInterop.stageArguments(kernels, c.labelSegment(), c.timeSegment());
        MemorySegment input = plan.input(kernels, lane, 0, x, halfSample);
        MemorySegment output = predictionOutput(lane, out);
        plan.bind(context, tensors.sample().name(), input);
        plan.bind(context, tensors.time().name(), staged[1]);
        plan.bind(context, tensors.label().name(), staged[0]);
        plan.bind(context, tensors.prediction().name(), output);
        plan.enqueue(context, stream, info.name(), rows);
        if (halfPrediction) {
            kernels.fromHalf(output, out);
        } else if (output != out.data()) {
            kernels.copy(new Batch(output, out.rows(), dim), out);
        }
    }

    /** {@code out}'s own memory where it is float32 and aligned, else a buffer of the lane copied into it after. */
    private MemorySegment predictionOutput(TensorRtPipeline.Lane lane, Batch out) {
        if (halfPrediction) {
            return lane.half(1, out.elements());
        }
        return TensorRtPipeline.aligned(out) ? out.data() : lane.aligned(1, out.rows(), dim).data();
    }

    /** Releases the plan; the pipeline is closed by its runtime, before this. */
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

    /** The prediction TensorRT writes must be exactly [rows, dim] values: it lands in our batch. */
    private void requireOutputRows(IExecutionContext context, int rows) {
        long elements = plan.outputElements(context, tensors.prediction().name());
        if (elements != (long) rows * dim) {
            throw new InvalidRequestException(plan.file() + ": for " + rows + " rows the plan's output '"
                    + tensors.prediction().name() + "' has " + elements + " elements, expected " + rows + " x " + dim);
        }
    }

    /** A conditioning input (time, label) holds one value per row: [batch] or [batch, 1, ...]. */
    private static void onePerRow(Path folder, ModelManifest.TensorSpec input) {
        if (input.shape().isEmpty() || !input.shape().stream().skip(1).allMatch(d -> d == 1)) {
            throw new InvalidRequestException(folder.resolve("manifest.json") + ": input '" + input.name()
                    + "' has shape " + input.shape() + "; a denoiser's time and label inputs hold one value per row"
                    + " ([batch])");
        }
    }
}

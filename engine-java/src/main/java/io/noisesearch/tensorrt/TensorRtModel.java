package io.noisesearch.tensorrt;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.CudaInterop;
import io.noisesearch.backend.Kernels;
import io.noisesearch.model.ImageModel;
import io.noisesearch.model.ModelManifest;
import io.noisesearch.onnx.OnnxModel;
import org.bytedeco.tensorrt.nvinfer.IExecutionContext;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;

/**
 * A verifier's image model (classifier, self-supervised encoder, evaluation network) as a TensorRT plan on the CUDA
 * backend: the same model folder as {@link OnnxModel}, the engine from the plan {@link PlanLocator} finds for it.
 * One input [B, C, H, W], float32 or fp16 in the plan; named outputs [B, ...], float32 or fp16. The samples are our
 * device batches, bound by address where they are float32 and 256-byte aligned, else through a buffer of the lane
 * (an aligned copy, or fp16 converted on the stream with {@link Kernels#toHalf}), as {@link TensorRtDenoiser} does.
 * TensorRT writes every output, so each gets a buffer of the lane; of the one asked for, only its rows x width
 * float32 values ({@link Kernels#fromHalf} on the stream first where the plan's is fp16) are downloaded into the
 * returned array: scores cross to the host (ARGUMENT downloads, through {@link CudaInterop#downloadArguments}), the
 * candidates do not. The download waits for the search's stream, as the per-row results of a kernel call do. Its
 * contexts share the {@link TensorRtPipeline}'s activation workspace with the denoiser and the other verifier models.
 * <p>
 * Written and compiled on a machine without a GPU or TensorRT: it has not yet run.
 */
public final class TensorRtModel implements ImageModel {

    /** What the plan's type errors say this model binds. */
    private static final String USER = "an image model's";

    private final Path folder;
    private final ModelManifest manifest;
    private final TensorRtPlan plan;
    private final TensorRtPipeline pipeline;
    private final String input;
    private final List<Long> inputShape;
    private final int dim;
    private final boolean halfInput;
    /** The outputs in manifest order; output i uses staging slot 1 + i of the lane. */
    private final List<String> outputs;
    private final int[] widths;
    private final boolean[] halfOutputs;

    /**
     * Opens the plan {@code planFile} of the image model in {@code folder} on the pipeline's backend (the CUDA
     * backend) and registers it with {@code pipeline}, whose activation workspace it shares with the other engines
     * there.
     */
    public TensorRtModel(TensorRtPipeline pipeline, Path folder, Path planFile) {
        ModelManifest m = ModelManifest.read(folder);
        if (m.inputs().size() != 1 || m.outputs().isEmpty()) {
            throw new InvalidRequestException(folder.resolve("manifest.json")
                    + ": an image model takes one input (the samples) and has at least one output");
        }
        this.folder = folder;
        this.manifest = m;
        this.input = m.inputs().getFirst().name();
        this.inputShape = m.inputs().getFirst().shape();
        this.dim = rowWidth(folder, input, inputShape);
        this.outputs = m.outputs().stream().map(ModelManifest.TensorSpec::name).toList();
        this.widths = new int[outputs.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = rowWidth(folder, outputs.get(i), m.outputs().get(i).shape());
        }
        this.pipeline = pipeline;
        this.plan = TensorRtPlan.load(pipeline.backend(), planFile, m);
        try {
            this.halfInput = plan.isHalf(input, USER);
            this.halfOutputs = new boolean[outputs.size()];
            for (int i = 0; i < halfOutputs.length; i++) {
                halfOutputs[i] = plan.isHalf(outputs.get(i), USER);
            }
            pipeline.add(plan);
        } catch (RuntimeException e) {
            plan.close();
            throw e;
        }
    }

    @Override
    public ModelManifest manifest() {
        return manifest;
    }

    @Override
    public Path folder() {
        return folder;
    }

    public TensorRtPlan plan() {
        return plan;
    }

    @Override
    public float[] output(Kernels kernels, Batch samples, String output) {
        outputWidth(output); // an output the manifest does not name is one line naming the manifest
        int index = outputs.indexOf(output);
        int rows = samples.rows();
        if (samples.dim() != dim) {
            throw new IllegalArgumentException("model " + manifest.name() + ": takes [rows, " + dim
                    + "] batches, got [" + rows + ", " + samples.dim() + "]");
        }
        if (rows == 0) {
            return new float[0];
        }
        if (rows < plan.minRows() || rows > plan.maxRows()) {
            throw new InvalidRequestException("model " + manifest.name() + ": a batch of " + rows + " rows is outside "
                    + plan.minRows() + ".." + plan.maxRows() + ", the batch range of " + plan.file()
                    + " (use a smaller --batch-size, or rebuild the plan with a larger batch.max in the manifest)");
        }
        MemorySegment stream = CudaInterop.stream(kernels);
        TensorRtPipeline.Lane lane = pipeline.enter(kernels);
        try {
            return run(kernels, stream, lane, samples, index);
        } finally {
            lane.exit();
        }
    }

    private float[] run(Kernels kernels, MemorySegment stream, TensorRtPipeline.Lane lane, Batch samples,
                        int wanted) {
        int rows = samples.rows();
        TensorRtPipeline.Binding binding = lane.binding(plan);
        IExecutionContext context = binding.context();
        if (!binding.shapedFor(rows)) {
            plan.setInputShape(context, input, TensorRtDenoiser.shapeFor(inputShape, rows));
            for (int i = 0; i < outputs.size(); i++) {
                requireOutputRows(context, i, rows);
            }
            binding.shaped(rows);
        }
        plan.bind(context, input, input(kernels, lane, samples));
        MemorySegment[] written = new MemorySegment[outputs.size()];
        for (int i = 0; i < written.length; i++) {
            written[i] = halfOutputs[i] ? lane.half(1 + i, (long) rows * widths[i])
                    : lane.aligned(1 + i, rows, widths[i]).data();
            plan.bind(context, outputs.get(i), written[i]);
        }
        plan.enqueue(context, stream, manifest.name(), rows);
        MemorySegment result = written[wanted];
        if (halfOutputs[wanted]) {
            Batch converted = lane.aligned(1 + outputs.size(), rows, widths[wanted]);
            kernels.fromHalf(result, converted);
            result = converted.data();
        }
        float[] values = new float[rows * widths[wanted]];
        CudaInterop.downloadArguments(kernels, result, MemorySegment.ofArray(values));
        requireFinite(outputs.get(wanted), values);
        return values;
    }

    /** Where the engine reads the samples: an fp16 copy, the batch itself where aligned, else an aligned copy. */
    private MemorySegment input(Kernels kernels, TensorRtPipeline.Lane lane, Batch samples) {
        if (halfInput) {
            MemorySegment half = lane.half(0, samples.elements());
            kernels.toHalf(samples, half);
            return half;
        }
        if (TensorRtPipeline.aligned(samples)) {
            return samples.data();
        }
        Batch staged = lane.aligned(0, samples.rows(), dim);
        kernels.copy(samples, staged);
        return staged.data();
    }

    /** Output i as TensorRT writes it must be exactly [rows, width] values: that is what the lane holds for it. */
    private void requireOutputRows(IExecutionContext context, int i, int rows) {
        long elements = plan.outputElements(context, outputs.get(i));
        if (elements != (long) rows * widths[i]) {
            throw new InvalidRequestException(plan.file() + ": for " + rows + " rows the plan's output '"
                    + outputs.get(i) + "' has " + elements + " elements, expected " + rows + " x " + widths[i]);
        }
    }

    /** The values per row of a tensor (its shape without the batch axis); the other dimensions must be fixed. */
    private static int rowWidth(Path folder, String tensor, List<Long> shape) {
        long width = 1;
        for (int i = 1; i < shape.size(); i++) {
            if (shape.get(i) < 1) {
                throw new InvalidRequestException(folder.resolve("manifest.json") + ": tensor '" + tensor
                        + "' has shape " + shape + "; an image model fixes every dimension but the batch");
            }
            width *= shape.get(i);
        }
        return Math.toIntExact(width);
    }

    /**
     * Releases the plan's handle. The pipeline is its owner's (the {@code Engine}'s) to close, after this; it must
     * serve no call after its models are closed.
     */
    @Override
    public void close() {
        plan.close();
    }
}

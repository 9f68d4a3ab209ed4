package io.noisesearch.tensorrt;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.CudaInterop;
import io.noisesearch.backend.Kernels;
import io.noisesearch.model.ImageModel;
import io.noisesearch.model.ModelFiles;
import io.noisesearch.model.ModelManifest;
import org.bytedeco.tensorrt.nvinfer.IExecutionContext;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An image model (classifier, self-supervised encoder, evaluation network) as a TensorRT plan on the CUDA backend:
 * one input [B, C, H, W] and named outputs [B, ...], each float32 or fp16 in the plan. The samples are bound as
 * {@link TensorRtDenoiser} binds its sample. TensorRT writes every output into a buffer of the lane; of those asked
 * for, only rows x width float32 values come back to the host (ARGUMENT downloads, waiting for the search's stream):
 * scores cross, candidates do not. Its contexts share the {@link TensorRtPipeline}'s activation workspace.
 */
public final class TensorRtModel implements ImageModel {

    /** What the plan's type errors say this model binds. */
    private static final String USER = "an image model's";

    private final ModelFiles files;
    private final TensorRtPlan plan;
    private final TensorRtPipeline pipeline;
    private final ModelManifest.TensorSpec input;
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
            throw new InvalidRequestException(folder.resolve("manifest().json")
                    + ": an image model takes one input (the samples) and has at least one output");
        }
        this.files = new ModelFiles(folder, m);
        this.input = m.inputs().getFirst();
        this.dim = ModelManifest.rowWidth(folder, input);
        this.outputs = m.outputs().stream().map(ModelManifest.TensorSpec::name).toList();
        this.widths = new int[outputs.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = ModelManifest.rowWidth(folder, m.outputs().get(i));
        }
        this.pipeline = pipeline;
        this.plan = TensorRtPlan.load(pipeline.backend(), planFile, m);
        try {
            this.halfInput = plan.isHalf(input.name(), USER);
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
    public ModelFiles files() {
        return files;
    }

    /** The plan computes what this model computes: its bytes are part of the model's identity. */
    @Override
    public List<Path> runtimeFiles() {
        return List.of(plan.file());
    }

    public TensorRtPlan plan() {
        return plan;
    }

    @Override
    public List<float[]> outputs(Kernels kernels, Batch samples, List<String> names) {
        int[] wanted = new int[names.size()];
        for (int i = 0; i < wanted.length; i++) {
            outputWidth(names.get(i)); // an output the manifest does not name is one line naming the manifest
            wanted[i] = outputs.indexOf(names.get(i));
        }
        int rows = samples.rows();
        if (samples.dim() != dim) {
            throw new IllegalArgumentException("model " + manifest().name() + ": takes [rows, " + dim
                    + "] batches, got [" + rows + ", " + samples.dim() + "]");
        }
        if (rows == 0) {
            return names.stream().map(n -> new float[0]).toList();
        }
        plan.requireRows(manifest().name(), rows);
        MemorySegment stream = CudaInterop.stream(kernels);
        TensorRtPipeline.Lane lane = pipeline.enter(kernels);
        try {
            return run(kernels, stream, lane, samples, wanted);
        } finally {
            lane.exit();
        }
    }

    private List<float[]> run(Kernels kernels, MemorySegment stream, TensorRtPipeline.Lane lane, Batch samples,
                              int[] wanted) {
        int rows = samples.rows();
        TensorRtPipeline.Binding binding = lane.binding(plan);
        IExecutionContext context = binding.context();
        if (!binding.shapedFor(rows)) {
            plan.setInputShape(context, input.name(), input.shapeFor(rows));
            for (int i = 0; i < outputs.size(); i++) {
                requireOutputRows(context, i, rows);
            }
            binding.shaped(rows);
        }
        plan.bind(context, input.name(), plan.input(kernels, lane, 0, samples, halfInput));
        MemorySegment[] written = new MemorySegment[outputs.size()];
        for (int i = 0; i < written.length; i++) {
            written[i] = halfOutputs[i] ? lane.half(1 + i, (long) rows * widths[i])
                    : lane.aligned(1 + i, rows, widths[i]).data();
            plan.bind(context, outputs.get(i), written[i]);
        }
        plan.enqueue(context, stream, manifest().name(), rows);
        List<float[]> results = new ArrayList<>();
        for (int index : wanted) {
            MemorySegment result = written[index];
            if (halfOutputs[index]) {
                Batch converted = lane.aligned(1 + outputs.size(), rows, widths[index]);
                kernels.fromHalf(result, converted);
                result = converted.data();
            }
            float[] values = new float[rows * widths[index]];
            CudaInterop.downloadArguments(kernels, result, MemorySegment.ofArray(values));
            requireFinite(outputs.get(index), values);
            results.add(values);
        }
        return results;
    }

    /** Output i as TensorRT writes it must be exactly [rows, width] values: that is what the lane holds for it. */
    private void requireOutputRows(IExecutionContext context, int i, int rows) {
        long elements = plan.outputElements(context, outputs.get(i));
        if (elements != (long) rows * widths[i]) {
            throw new InvalidRequestException(plan.file() + ": for " + rows + " rows the plan's output '"
                    + outputs.get(i) + "' has " + elements + " elements, expected " + rows + " x " + widths[i]);
        }
    }

    /** Releases the plan; the pipeline is closed by its runtime, before this. */
    @Override
    public void close() {
        plan.close();
    }
}

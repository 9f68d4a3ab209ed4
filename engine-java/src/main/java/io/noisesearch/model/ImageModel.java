package io.noisesearch.model;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.NonFiniteOutputException;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;

import java.util.List;

/**
 * A trained single-input image model (a classifier, a self-supervised encoder, the evaluation network): a batch of
 * samples [rows, C*H*W] in, named outputs [rows, width] back as host arrays. The samples stay where the backend keeps
 * them; only the requested outputs cross to the host, where they are reduced to scores or metrics. Shared by every
 * search: implementations are safe to call from several threads at once, each with its own stream.
 */
public interface ImageModel extends TrainedModel, AutoCloseable {

    /** Runs the model on {@code samples} in the order of {@code kernels}' stream; the output is complete on return. */
    default float[] output(Kernels kernels, Batch samples, String output) {
        return outputs(kernels, samples, List.of(output)).getFirst();
    }

    /** Several outputs of one forward pass, in the order of {@code names}, each [rows, width] flattened. */
    List<float[]> outputs(Kernels kernels, Batch samples, List<String> names);

    /**
     * Several outputs of one forward pass of a model that reads an image and a caption (its second input: token ids
     * [rows, L] int64): {@code tokens} is the caption's row, the same for every sample. Models of one input refuse.
     */
    default List<float[]> outputs(Kernels kernels, Batch samples, long[] tokens, List<String> names) {
        throw new InvalidRequestException("model " + manifest().name() + " does not read a caption here (captioned"
                + " image models run on ONNX Runtime, --device cpu)");
    }

    /** The width of an output per row (its shape without the batch axis, multiplied out). */
    default int outputWidth(String output) {
        ModelManifest.TensorSpec spec = manifest().output(output);
        if (spec == null) {
            throw new InvalidRequestException(folder().resolve("manifest.json") + ": model " + manifest().name()
                    + " has no output '" + output + "' (it has " + manifest().outputs().stream()
                    .map(ModelManifest.TensorSpec::name).toList() + ")");
        }
        return ModelManifest.rowWidth(folder(), spec);
    }

    /** NaN or infinity from a model is reported with the model and tensor, never passed on. */
    default void requireFinite(String tensor, float[] values) {
        for (float v : values) {
            if (!Float.isFinite(v)) {
                throw new NonFiniteOutputException("model " + manifest().name() + " returned " + v + " in output '"
                        + tensor + "'");
            }
        }
    }

    @Override
    void close();
}

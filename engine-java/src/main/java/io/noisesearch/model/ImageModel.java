package io.noisesearch.model;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.NonFiniteOutputException;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;

import java.nio.file.Path;

/**
 * A trained single-input image model a verifier scores with (a classifier, a self-supervised encoder, the
 * evaluation network): one batch of samples [rows, C*H*W] in, named outputs [rows, width] back as host arrays.
 * The samples stay where the backend keeps them (host memory for ONNX Runtime, device memory for TensorRT); only
 * the requested output crosses to the host, since a verifier reduces it to scores there. Shared by every search:
 * implementations are safe to call from several threads at once, each with its own stream.
 */
public interface ImageModel extends AutoCloseable {

    ModelManifest manifest();

    /** The model folder (manifest.json and the model file). */
    Path folder();

    /**
     * Runs the model on {@code samples} in the order of {@code kernels}' stream and returns the named output,
     * [rows, width] flattened, complete on return.
     */
    float[] output(Kernels kernels, Batch samples, String output);

    /** The width of an output per row (its shape without the batch axis, multiplied out). */
    default int outputWidth(String output) {
        ModelManifest.TensorSpec spec = manifest().output(output);
        if (spec == null) {
            throw new InvalidRequestException(folder().resolve("manifest.json") + ": model " + manifest().name()
                    + " has no output '" + output + "' (it has " + manifest().outputs().stream()
                    .map(ModelManifest.TensorSpec::name).toList() + ")");
        }
        int width = 1;
        for (int i = 1; i < spec.shape().size(); i++) {
            width *= (int) (long) spec.shape().get(i);
        }
        return width;
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

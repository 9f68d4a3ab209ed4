package io.noisesearch.model;

import io.noisesearch.InvalidRequestException;

import java.nio.file.Path;

/**
 * A way to run trained models on the engine's backend (ONNX Runtime on host memory, TensorRT plans on a CUDA device).
 * The {@link ModelLoader} asks its runtimes in turn and opens a folder with the first that can run it.
 */
public interface ModelRuntime extends AutoCloseable {

    /** Why this runtime cannot run the model in {@code folder} here (one line), or null when it can. */
    String unavailable(Path folder);

    /** The denoiser in {@code folder}; only called when {@link #unavailable} said null. */
    Denoiser denoiser(Path folder);

    /**
     * The denoiser in {@code folder} run from the model file of {@code precision}; a runtime that does not override
     * this has no variant path (TensorRT builds its plans from model.onnx) and refuses any precision but fp32.
     */
    default Denoiser denoiser(Path folder, Precision precision) {
        if (precision != Precision.FP32) {
            throw new InvalidRequestException("--precision " + precision + ": " + getClass().getSimpleName()
                    + " has no " + precision + " path; the " + precision + " variants run on ONNX Runtime"
                    + " (--device cpu)");
        }
        return denoiser(folder);
    }

    /** The image model (classifier, encoder, evaluation network) in {@code folder}. */
    ImageModel imageModel(Path folder);

    /**
     * Releases what the runtime shares between its models. Called before the models are closed (TensorRT's execution
     * contexts must go before the engines they were made from).
     */
    @Override
    void close();
}

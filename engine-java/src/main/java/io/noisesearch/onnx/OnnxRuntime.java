package io.noisesearch.onnx;

import io.noisesearch.backend.Backend;
import io.noisesearch.model.Denoiser;
import io.noisesearch.model.ImageModel;
import io.noisesearch.model.ModelRuntime;
import io.noisesearch.model.Precision;

import java.nio.file.Path;

/** ONNX Runtime on the CPU: runs any model folder where the backend's batches are host memory (wrapped, not copied). */
public final class OnnxRuntime implements ModelRuntime {

    private final Backend backend;
    private final int threads;

    /** {@code threads}: intra-op threads of every session (<= 0: all cores). */
    public OnnxRuntime(Backend backend, int threads) {
        this.backend = backend;
        this.threads = threads;
    }

    @Override
    public String unavailable(Path folder) {
        return backend.hostAccessible() ? null : "ONNX Runtime models need a host backend, not " + backend.name();
    }

    @Override
    public Denoiser denoiser(Path folder) {
        return denoiser(folder, Precision.FP32);
    }

    /**
     * The model file of {@code precision}: the manifest's, or its variant checked against its SHA-256; a
     * text-conditioned model (its denoiser and text encoder graphs) runs in fp32.
     */
    @Override
    public Denoiser denoiser(Path folder, Precision precision) {
        if (io.noisesearch.model.ModelManifest.read(folder).textConditioned()) {
            if (precision != Precision.FP32) {
                throw new io.noisesearch.InvalidRequestException("--precision " + precision + ": model "
                        + folder.getFileName() + " is text-conditioned and runs in fp32 only");
            }
            return new OnnxTextDenoiser(folder, threads);
        }
        return new OnnxDenoiser(folder, threads, precision);
    }

    @Override
    public ImageModel imageModel(Path folder) {
        return OnnxModel.open(folder, threads);
    }

    /** Sessions belong to their models. */
    @Override
    public void close() {
    }
}

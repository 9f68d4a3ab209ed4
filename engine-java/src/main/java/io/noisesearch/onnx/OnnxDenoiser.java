package io.noisesearch.onnx;

import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import io.noisesearch.model.Conditioning;
import io.noisesearch.model.Denoiser;
import io.noisesearch.model.ModelFiles;
import io.noisesearch.model.ModelInfo;
import io.noisesearch.model.ModelManifest;
import io.noisesearch.model.Precision;
import io.noisesearch.model.TrainedModel;

import java.nio.file.Path;
import java.util.Map;

/**
 * A trained denoiser on ONNX Runtime: the noisy sample [B, C, H, W] (float32), the time [B] (float32) and the class
 * label [B] (int64; the null class for the unconditional pass) in, the prediction [B, C, H, W] out. The sample and
 * prediction batches are handed to ONNX Runtime without copies.
 */
public final class OnnxDenoiser implements Denoiser, TrainedModel {

    private final OnnxModel model;
    private final ModelInfo info;
    private final ModelManifest.DenoiserTensors tensors;
    private final ThreadLocal<Conditioning> conditioning = ThreadLocal.withInitial(Conditioning::new);

    public OnnxDenoiser(Path folder, int threads) {
        this(folder, threads, Precision.FP32);
    }

    /** The denoiser run from the model file of {@code precision} (a variant: checked against its SHA-256). */
    public OnnxDenoiser(Path folder, int threads, Precision precision) {
        this.model = OnnxModel.open(folder, threads, precision);
        try {
            this.tensors = model.manifest().denoiserTensors(folder);
            this.info = ModelInfo.of(model.manifest(), folder, precision);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    @Override
    public ModelFiles files() {
        return model.files();
    }

    @Override
    public Precision precision() {
        return info.precision();
    }

    @Override
    public void predict(Kernels kernels, Batch x, double t, int label, Batch out) {
        run(x, conditioning.get().fill(x.rows(), (float) t, label), out);
    }

    /** The time and label tensors take a value per row: the rows run in one call. */
    @Override
    public void predictRows(Kernels kernels, Batch x, double[] times, int[] labels, Batch out) {
        if (times.length != x.rows() || out.rows() != x.rows()) {
            throw new IllegalArgumentException(times.length + " times for " + x.rows() + " rows into " + out.rows());
        }
        run(x, conditioning.get().fill(times, labels), out);
    }

    private void run(Batch x, Conditioning c, Batch out) {
        int rows = x.rows();
        model.predict(rows, () -> Map.of(
                tensors.sample().name(), OnnxModel.wrap(x, tensors.sample().shapeFor(rows)),
                tensors.time().name(), OnnxModel.wrap(c.times(), new long[] {rows}),
                tensors.label().name(), OnnxModel.wrap(c.labels(), new long[] {rows})), tensors.prediction(), out);
    }

    @Override
    public void close() {
        model.close();
    }
}

package io.noisesearch.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import io.noisesearch.NoiseSearchException;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import io.noisesearch.model.Denoiser;
import io.noisesearch.model.ModelInfo;
import io.noisesearch.model.ModelManifest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Map;

/**
 * A trained denoiser on ONNX Runtime. Its inputs, in manifest order, are the noisy sample [B, C, H, W]
 * (float32), the time [B] (float32) and the class label [B] (int64, the null class for the unconditional
 * pass); its first output is the prediction [B, C, H, W]. The sample batch and the prediction batch are
 * handed to ONNX Runtime without copies; the per-row time and label buffers are per-thread and reused.
 */
public final class OnnxDenoiser implements Denoiser {

    private final OnnxModel model;
    private final ModelInfo info;
    private final ModelManifest.TensorSpec sampleInput;
    private final ModelManifest.TensorSpec timeInput;
    private final ModelManifest.TensorSpec labelInput;
    private final ModelManifest.TensorSpec predictionOutput;
    private final ThreadLocal<Conditioning> conditioning = ThreadLocal.withInitial(Conditioning::new);

    public OnnxDenoiser(Path folder, int threads) {
        this.model = OnnxModel.open(folder, threads);
        ModelManifest m = model.manifest();
        try {
            m.requireDenoiser(folder);
            this.sampleInput = m.inputs().get(0);
            this.timeInput = m.inputs().get(1);
            this.labelInput = m.inputs().get(2);
            this.predictionOutput = m.outputs().get(0);
            this.info = ModelInfo.of(m, folder);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    public OnnxModel model() {
        return model;
    }

    @Override
    public void predict(Kernels kernels, Batch x, double t, int label, Batch out) {
        int rows = x.rows();
        Conditioning c = conditioning.get().fill(rows, (float) t, label);
        try {
            Map<String, OnnxTensor> inputs = Map.of(
                    sampleInput.name(), OnnxModel.wrap(x, OnnxModel.shapeFor(sampleInput, rows)),
                    timeInput.name(), OnnxModel.wrap(c.times, new long[] {rows}),
                    labelInput.name(), OnnxModel.wrap(c.labels, new long[] {rows}));
            model.run(inputs, Map.of(predictionOutput.name(),
                    OnnxModel.wrap(out, OnnxModel.shapeFor(predictionOutput, rows))));
        } catch (OrtException e) {
            throw new NoiseSearchException("model " + info.name() + ": cannot wrap a batch of " + rows + " rows: "
                    + e.getMessage(), false, e);
        }
        model.requireFinite(predictionOutput.name(), out);
    }

    @Override
    public void close() {
        model.close();
    }

    /** Per-thread direct buffers for the time and label inputs, grown when a larger batch comes. */
    private static final class Conditioning {
        FloatBuffer times = FloatBuffer.allocate(0);
        LongBuffer labels = LongBuffer.allocate(0);

        Conditioning fill(int rows, float t, int label) {
            if (times.capacity() < rows) {
                times = ByteBuffer.allocateDirect(rows * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
                labels = ByteBuffer.allocateDirect(rows * Long.BYTES).order(ByteOrder.nativeOrder()).asLongBuffer();
            }
            times.clear();
            labels.clear();
            for (int r = 0; r < rows; r++) {
                times.put(t);
                labels.put(label);
            }
            times.flip();
            labels.flip();
            return this;
        }
    }
}

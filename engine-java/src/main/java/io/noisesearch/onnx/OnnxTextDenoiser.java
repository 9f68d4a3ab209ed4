package io.noisesearch.onnx;

import ai.onnxruntime.OrtException;
import io.noisesearch.NoiseSearchException;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import io.noisesearch.model.Conditioning;
import io.noisesearch.model.EncodedPrompt;
import io.noisesearch.model.ModelFiles;
import io.noisesearch.model.ModelInfo;
import io.noisesearch.model.ModelManifest;
import io.noisesearch.model.TextDenoiser;
import io.noisesearch.model.Tokenizer;
import io.noisesearch.model.TrainedModel;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A text-conditioned latent denoiser on ONNX Runtime: {@code model.onnx} takes the latent x [B, C, H, W], the time
 * [B], the text rows [B, L, D] and their mask [B, L]; the manifest's text encoder graph turns token ids [B, L]
 * (int64) into those rows. A request's prompt and the null caption are encoded together in one call; every
 * prediction repeats the chosen rows over the batch.
 */
public final class OnnxTextDenoiser implements TextDenoiser, TrainedModel {

    private final OnnxModel model;
    private final OnnxModel textEncoder;
    private final ModelInfo info;
    private final Tokenizer tokenizer;
    private final List<ModelManifest.TensorSpec> tensors;
    private final int tokens;
    private final int width;
    private final AtomicLong encodes = new AtomicLong();
    private final ThreadLocal<Conditioning> conditioning = ThreadLocal.withInitial(Conditioning::new);
    private final ThreadLocal<RepeatedRows[]> textRows = ThreadLocal.withInitial(
            () -> new RepeatedRows[] {new RepeatedRows(), new RepeatedRows(), new RepeatedRows(), new RepeatedRows()});

    /**
     * A thread's direct buffer of one text row repeated over a batch, and what it holds: a solve's calls repeat the
     * same encoded row over the same rows at every step, so the buffer is filled once, not once per call.
     */
    private static final class RepeatedRows {
        ByteBuffer buffer = ByteBuffer.allocateDirect(0);
        float[] row;
        int rows;
    }

    public OnnxTextDenoiser(Path folder, int threads) {
        this.model = OnnxModel.open(folder, threads);
        OnnxModel encoder = null;
        try {
            ModelManifest m = model.manifest();
            m.requireDenoiser(folder);
            ModelFiles files = model.files();
            ModelManifest.GraphSpec spec = m.textEncoder();
            Path encoderFile = files.graphFile(spec.file(), "textEncoder.file");
            if (java.nio.file.Files.isRegularFile(encoderFile)) {
                files.requireHash(encoderFile, spec.sha256(), "textEncoder.sha256");
            }
            encoder = OnnxModel.open(files, encoderFile, spec.inputs(), spec.outputs(), threads);
            this.info = ModelInfo.of(m, folder);
            this.tokenizer = m.textTokenizer(folder);
            this.tensors = m.inputs();
            ModelManifest.TensorSpec text = tensors.get(2);
            ModelManifest.TensorSpec mask = tensors.get(3);
            if (text.shape().size() != 3 || mask.shape().size() != 2 || !text.shape().get(1).equals(mask.shape().get(1))
                    || text.shape().get(1) != tokenizer.maxTokens() || text.shape().get(2) < 1
                    || !spec.outputs().get(0).shape().equals(text.shape())
                    || !spec.outputs().get(1).shape().equals(mask.shape())) {
                throw new io.noisesearch.InvalidRequestException(folder.resolve("manifest.json") + ": inputs 'text' [B,"
                        + " L, D] and 'textMask' [B, L] must match the text encoder's outputs and tokenizer.maxTokens");
            }
            this.tokens = tokenizer.maxTokens();
            this.width = Math.toIntExact(text.shape().get(2));
            this.textEncoder = encoder;
        } catch (RuntimeException e) {
            model.close();
            if (encoder != null) {
                encoder.close();
            }
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
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public long textEncoderFlops() {
        return model.manifest().textEncoder().flopsPerSample();
    }

    /** Text-encoder calls so far (each encodes one prompt and the null caption). */
    public long encodes() {
        return encodes.get();
    }

    @Override
    public EncodedPrompt encode(String prompt) {
        long[] row = tokenizer.encode(prompt);
        LongBuffer ids = ByteBuffer.allocateDirect(2 * tokens * Long.BYTES).order(ByteOrder.nativeOrder()).asLongBuffer();
        ids.put(row).put(tokenizer.nullCaption()).flip();
        ModelManifest.GraphSpec spec = model.manifest().textEncoder();
        Map<String, float[]> out;
        try {
            out = textEncoder.run(2, Map.of(spec.inputs().getFirst().name(),
                    OnnxModel.wrap(ids, new long[] {2, tokens})), Map.of());
        } catch (OrtException e) {
            throw new NoiseSearchException("model " + info.name() + ": cannot wrap the prompt's tokens: "
                    + e.getMessage(), false, e);
        }
        encodes.incrementAndGet();
        float[] text = out.get(spec.outputs().get(0).name());
        float[] mask = out.get(spec.outputs().get(1).name());
        int t = tokens * width;
        return new EncodedPrompt(prompt, java.util.Arrays.copyOfRange(text, 0, t),
                java.util.Arrays.copyOfRange(mask, 0, tokens), java.util.Arrays.copyOfRange(text, t, 2 * t),
                java.util.Arrays.copyOfRange(mask, tokens, 2 * tokens));
    }

    @Override
    public void predict(Kernels kernels, Batch x, double t, EncodedPrompt prompt, boolean unconditional, Batch out) {
        int rows = x.rows();
        Conditioning c = conditioning.get().fill(rows, (float) t, 0);
        float[] text = unconditional ? prompt.nullText() : prompt.text();
        float[] mask = unconditional ? prompt.nullMask() : prompt.mask();
        // Slots 0-1 the prompt's text and mask, 2-3 the null caption's: guidance's two passes alternate, each keeps its own.
        int slot = unconditional ? 2 : 0;
        FloatBuffer textBuffer = repeated(slot, text, rows);
        FloatBuffer maskBuffer = repeated(slot + 1, mask, rows);
        ModelManifest.TensorSpec prediction = model.manifest().outputs().getFirst();
        model.predict(rows, () -> Map.of(
                tensors.get(0).name(), OnnxModel.wrap(x, tensors.get(0).shapeFor(rows)),
                tensors.get(1).name(), OnnxModel.wrap(c.times(), new long[] {rows}),
                tensors.get(2).name(), OnnxModel.wrap(textBuffer, new long[] {rows, tokens, width}),
                tensors.get(3).name(), OnnxModel.wrap(maskBuffer, new long[] {rows, tokens})), prediction, out);
    }

    /**
     * {@code row} repeated {@code rows} times in this thread's direct buffer {@code slot} (grown when needed; refilled
     * only when the row or the row count changed: an encoded prompt's arrays are never written after encoding).
     */
    private FloatBuffer repeated(int slot, float[] row, int rows) {
        RepeatedRows held = textRows.get()[slot];
        int bytes = row.length * rows * Float.BYTES;
        if (held.row != row || held.rows != rows) {
            if (held.buffer.capacity() < bytes) {
                held.buffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
            }
            FloatBuffer fill = held.buffer.slice(0, bytes).order(ByteOrder.nativeOrder()).asFloatBuffer();
            for (int r = 0; r < rows; r++) {
                fill.put(row);
            }
            held.row = row;
            held.rows = rows;
        }
        return held.buffer.slice(0, bytes).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    @Override
    public void close() {
        try {
            model.close();
        } finally {
            textEncoder.close();
        }
    }
}

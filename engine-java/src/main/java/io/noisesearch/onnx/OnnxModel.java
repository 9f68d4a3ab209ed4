package io.noisesearch.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.noisesearch.InvalidRequestException;
import io.noisesearch.NoiseSearchException;
import io.noisesearch.NonFiniteOutputException;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import io.noisesearch.model.ImageModel;
import io.noisesearch.model.ModelFiles;
import io.noisesearch.model.ModelManifest;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One ONNX Runtime session for a model folder (model.onnx + manifest.json), shared by all threads (sessions are
 * thread-safe for run). Float inputs and outputs are our host batches wrapped as buffers over their memory: nothing is
 * copied on the way in, and pinned outputs are written in place. Opening checks the graph against the manifest and
 * names the file and tensor at fault. As an image model it runs on the calling thread: host kernels are complete
 * when they return, so the stream has nothing queued to wait for.
 */
public final class OnnxModel implements ImageModel {

    /**
     * ONNX Runtime would print its own log lines to stderr, which the one-line error contract forbids, and its Java
     * API takes no log sink: only fatal lines are let through; its errors reach us as exceptions, whose message we
     * keep in our one line.
     */
    private static final OrtEnvironment ENV =
            OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL, "noisesearch");

    static {
        ExtractedLibraries.removeAtExit();
    }

    private final ModelFiles files;
    private final OrtSession session;

    private OnnxModel(ModelFiles files, OrtSession session) {
        this.files = files;
        this.session = session;
    }

    /** Opens {@code folder}; {@code threads} intra-op threads (<= 0: all cores). */
    public static OnnxModel open(Path folder, int threads) {
        ModelFiles files = ModelFiles.read(folder);
        Path file = files.modelFile();
        if (!Files.isRegularFile(file)) {
            throw new InvalidRequestException(file + ": model file named by the manifest is missing");
        }
        ExternalData.requireConfined(file, files.folder());
        OrtSession session;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads > 0 ? threads : Runtime.getRuntime().availableProcessors());
            options.setInterOpNumThreads(1);
            session = ENV.createSession(file.toString(), options);
        } catch (OrtException e) {
            throw new InvalidRequestException(file + ": not a loadable ONNX model (" + firstLine(e.getMessage()) + ")", e);
        }
        OnnxModel model = new OnnxModel(files, session);
        try {
            model.checkGraph(file);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        return model;
    }

    private void checkGraph(Path file) {
        try {
            checkTensors(file, "input", manifest().inputs(), session.getInputInfo());
            checkTensors(file, "output", manifest().outputs(), session.getOutputInfo());
        } catch (OrtException e) {
            throw new InvalidRequestException(file + ": cannot read the graph's tensors (" + e.getMessage() + ")", e);
        }
    }

    private static void checkTensors(Path file, String kind, List<ModelManifest.TensorSpec> specs,
                                     Map<String, NodeInfo> graph) {
        for (ModelManifest.TensorSpec spec : specs) {
            NodeInfo node = graph.get(spec.name());
            if (node == null) {
                throw new InvalidRequestException(file + ": the manifest names " + kind + " tensor '" + spec.name()
                        + "' but the graph has " + graph.keySet());
            }
            if (!(node.getInfo() instanceof TensorInfo info)) {
                throw new InvalidRequestException(file + ": " + kind + " '" + spec.name() + "' is not a tensor");
            }
            long[] shape = info.getShape();
            boolean compatible = shape.length == spec.shape().size();
            for (int i = 0; compatible && i < shape.length; i++) {
                long want = spec.shape().get(i);
                compatible = shape[i] < 0 || want < 0 || shape[i] == want;
            }
            if (!compatible) {
                throw new InvalidRequestException(file + ": " + kind + " '" + spec.name() + "' has shape "
                        + java.util.Arrays.toString(shape) + " in the graph but " + spec.shape() + " in the manifest");
            }
            String want = spec.dtype() == null ? "float32" : spec.dtype();
            String have = switch (info.type) {
                case FLOAT -> "float32";
                case INT64 -> "int64";
                default -> info.type.name().toLowerCase(java.util.Locale.ROOT);
            };
            if (!have.equals(want)) {
                throw new InvalidRequestException(file + ": " + kind + " '" + spec.name() + "' is " + have
                        + " in the graph but " + want + " in the manifest");
            }
        }
    }

    @Override
    public ModelFiles files() {
        return files;
    }

    /** A float tensor over a batch's own memory (no copy); the batch must live in host memory. */
    public static OnnxTensor wrap(Batch batch, long[] shape) throws OrtException {
        FloatBuffer buffer = batch.data().asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer();
        return OnnxTensor.createTensor(ENV, buffer, shape);
    }

    public static OnnxTensor wrap(FloatBuffer direct, long[] shape) throws OrtException {
        return OnnxTensor.createTensor(ENV, direct, shape);
    }

    public static OnnxTensor wrap(LongBuffer direct, long[] shape) throws OrtException {
        return OnnxTensor.createTensor(ENV, direct, shape);
    }

    /**
     * Runs the graph with the given inputs; outputs named in {@code pinned} are written into those tensors, the
     * others are returned as float arrays. Every input tensor is closed afterwards.
     */
    public Map<String, float[]> run(Map<String, OnnxTensor> inputs, Map<String, OnnxTensor> pinned) {
        try {
            List<String> wanted = new ArrayList<>();
            for (ModelManifest.TensorSpec spec : manifest().outputs()) {
                if (!pinned.containsKey(spec.name())) {
                    wanted.add(spec.name());
                }
            }
            Map<String, float[]> returned = new HashMap<>();
            try (OrtSession.Result result = session.run(inputs, new java.util.HashSet<>(wanted), pinned)) {
                for (String name : wanted) {
                    OnnxValue value = result.get(name).orElseThrow();
                    FloatBuffer buffer = ((OnnxTensor) value).getFloatBuffer();
                    float[] array = new float[buffer.remaining()];
                    buffer.get(array);
                    requireFinite(name, array);
                    returned.put(name, array);
                }
            }
            return returned;
        } catch (OrtException e) {
            throw new NoiseSearchException("model " + manifest().name() + " (" + files.folder() + ") failed to run: "
                    + firstLine(e.getMessage()), false, e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
            pinned.values().forEach(OnnxTensor::close);
        }
    }

    /** One forward pass of a single-input model on host samples (handed over without a copy); outputs by name. */
    @Override
    public List<float[]> outputs(Kernels kernels, Batch samples, List<String> names) {
        names.forEach(this::outputWidth);
        ModelManifest.TensorSpec input = manifest().inputs().getFirst();
        Map<String, float[]> outputs;
        try {
            outputs = run(Map.of(input.name(), wrap(samples, input.shapeFor(samples.rows()))), Map.of());
        } catch (OrtException e) {
            throw new NoiseSearchException("model " + manifest().name() + ": cannot wrap a batch of " + samples.rows()
                    + " rows: " + e.getMessage(), false, e);
        }
        return names.stream().map(outputs::get).toList();
    }

    public void requireFinite(String tensor, Batch batch) {
        long n = batch.elements();
        for (long i = 0; i < n; i++) {
            float v = batch.data().getAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i);
            if (!Float.isFinite(v)) {
                throw new NonFiniteOutputException("model " + manifest().name() + " returned " + v + " in output '"
                        + tensor + "' at element " + i);
            }
        }
    }

    private static String firstLine(String message) {
        return message == null ? "no message" : message.lines().findFirst().orElse(message);
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new NoiseSearchException("closing model " + manifest().name() + " failed: " + e.getMessage(), false, e);
        }
    }
}

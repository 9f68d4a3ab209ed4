package io.noisesearch.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
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
import io.noisesearch.model.Precision;

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

    private final ModelFiles files;
    /**
     * The graph the sessions run (the manifest's model file, a variant's of another precision, or another graph the
     * manifest names) and its tensors.
     */
    private final Path file;
    private final Precision precision;
    private final List<ModelManifest.TensorSpec> inputs;
    private final List<ModelManifest.TensorSpec> outputs;
    private final OnnxThreads threads;
    /** The session of {@code threads.threads()} intra-op threads. */
    private final OrtSession session;
    /** A session on the calling thread alone for small batches, opened at the first one; null before. */
    private volatile OrtSession single;

    private OnnxModel(ModelFiles files, Path file, Precision precision, List<ModelManifest.TensorSpec> inputs,
                      List<ModelManifest.TensorSpec> outputs, OnnxThreads threads, OrtSession session) {
        this.files = files;
        this.file = file;
        this.precision = precision;
        this.inputs = inputs;
        this.outputs = outputs;
        this.threads = threads;
        this.session = session;
    }

    /** Opens {@code folder}; {@code threads} intra-op threads (<= 0: all cores, by batch size: {@link OnnxThreads}). */
    public static OnnxModel open(Path folder, int threads) {
        return open(folder, threads, Precision.FP32);
    }

    /**
     * Opens the model file of {@code precision} in {@code folder}: the manifest's for fp32, else the variant it names,
     * whose SHA-256 must be the manifest's.
     */
    public static OnnxModel open(Path folder, int threads, Precision precision) {
        ModelFiles files = ModelFiles.read(folder);
        return open(files, files.modelFile(precision), precision, files.manifest().inputs(),
                files.manifest().outputs(), threads);
    }

    /**
     * Opens {@code file}, another fp32 graph of the folder of {@code files} (a text encoder; confined by the caller),
     * checked against the tensors the manifest gives for it.
     */
    public static OnnxModel open(ModelFiles files, Path file, List<ModelManifest.TensorSpec> inputs,
                                 List<ModelManifest.TensorSpec> outputs, int threads) {
        return open(files, file, Precision.FP32, inputs, outputs, threads);
    }

    private static OnnxModel open(ModelFiles files, Path file, Precision precision,
                                  List<ModelManifest.TensorSpec> inputs, List<ModelManifest.TensorSpec> outputs,
                                  int threads) {
        OnnxThreads policy = OnnxThreads.of(threads);
        if (!Files.isRegularFile(file)) {
            throw new InvalidRequestException(file + ": model file named by the manifest is missing");
        }
        files.requireIntact(precision, file);
        ExternalData.requireConfined(file, files.folder());
        OnnxModel model = new OnnxModel(files, file, precision, List.copyOf(inputs), List.copyOf(outputs), policy,
                openSession(file, policy.threads(), policy.threads()));
        try {
            model.checkGraph(file);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
        return model;
    }

    /**
     * A session of {@code threads} intra-op threads: on the process's shared pool where that has this many threads,
     * else with threads of its own (one: the calling thread only, no pool).
     */
    private static OrtSession openSession(Path file, int engineThreads, int threads) {
        OrtEnvironment environment = OnnxEnvironment.get(engineThreads);
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setInterOpNumThreads(1);
            if (threads > 1 && threads == OnnxEnvironment.poolThreads()) {
                options.disablePerSessionThreads();
            } else {
                options.setIntraOpNumThreads(threads);
                options.addConfigEntry("session.intra_op.allow_spinning", OnnxEnvironment.spinning() ? "1" : "0");
            }
            return environment.createSession(file.toString(), options);
        } catch (OrtException e) {
            throw new InvalidRequestException(file + ": not a loadable ONNX model (" + firstLine(e.getMessage()) + ")", e);
        }
    }

    /** The session a batch of {@code rows} rows runs on ({@link OnnxThreads#threadsFor}). */
    private OrtSession sessionFor(int rows) {
        if (threads.threadsFor(rows) == threads.threads()) {
            return session;
        }
        OrtSession alone = single;
        if (alone == null) {
            synchronized (this) {
                alone = single;
                if (alone == null) {
                    files.requireIntact(precision, file);
                    alone = openSession(file, threads.threads(), 1);
                    single = alone;
                }
            }
        }
        return alone;
    }

    private void checkGraph(Path file) {
        try {
            checkTensors(file, "input", inputs, session.getInputInfo());
            checkTensors(file, "output", outputs, session.getOutputInfo());
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
        return OnnxTensor.createTensor(OnnxEnvironment.get(), buffer, shape);
    }

    public static OnnxTensor wrap(FloatBuffer direct, long[] shape) throws OrtException {
        return OnnxTensor.createTensor(OnnxEnvironment.get(), direct, shape);
    }

    public static OnnxTensor wrap(LongBuffer direct, long[] shape) throws OrtException {
        return OnnxTensor.createTensor(OnnxEnvironment.get(), direct, shape);
    }

    /**
     * Runs the graph with the given inputs of {@code rows} rows; outputs named in {@code pinned} are written into
     * those tensors, the others are returned as float arrays. Every input tensor is closed afterwards.
     */
    public Map<String, float[]> run(int rows, Map<String, OnnxTensor> inputs, Map<String, OnnxTensor> pinned) {
        try {
            List<String> wanted = new ArrayList<>();
            for (ModelManifest.TensorSpec spec : outputs) {
                if (!pinned.containsKey(spec.name())) {
                    wanted.add(spec.name());
                }
            }
            Map<String, float[]> returned = new HashMap<>();
            try (OrtSession.Result result = sessionFor(rows).run(inputs, new java.util.HashSet<>(wanted), pinned)) {
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
            throw new NoiseSearchException("model " + manifest().name() + " (" + file + ") failed to run: "
                    + firstLine(e.getMessage()), false, e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
            pinned.values().forEach(OnnxTensor::close);
        }
    }

    /** The graph's input tensors for one call; wrapping them may fail in ONNX Runtime. */
    @FunctionalInterface
    public interface Inputs {
        Map<String, OnnxTensor> wrap() throws OrtException;
    }

    /**
     * Runs the graph on {@code rows} rows with its output {@code prediction} written straight into {@code out} (host
     * memory, no copy); a non-finite value in it is refused.
     */
    public void predict(int rows, Inputs inputs, ModelManifest.TensorSpec prediction, Batch out) {
        try {
            run(rows, inputs.wrap(), Map.of(prediction.name(), wrap(out, prediction.shapeFor(rows))));
        } catch (OrtException e) {
            throw new NoiseSearchException("model " + manifest().name() + ": cannot wrap a batch of " + rows + " rows: "
                    + e.getMessage(), false, e);
        }
        requireFinite(prediction.name(), out);
    }

    /** One forward pass of a single-input model on host samples (handed over without a copy); outputs by name. */
    @Override
    public List<float[]> outputs(Kernels kernels, Batch samples, List<String> names) {
        names.forEach(this::outputWidth);
        ModelManifest.TensorSpec input = inputs.getFirst();
        Map<String, float[]> outputs;
        try {
            outputs = run(samples.rows(), Map.of(input.name(), wrap(samples, input.shapeFor(samples.rows()))), Map.of());
        } catch (OrtException e) {
            throw new NoiseSearchException("model " + manifest().name() + ": cannot wrap a batch of " + samples.rows()
                    + " rows: " + e.getMessage(), false, e);
        }
        return names.stream().map(outputs::get).toList();
    }

    /**
     * One forward pass of an image-and-caption model (inputs: the image, then token ids [rows, L] int64) with the
     * caption's row repeated over the batch; outputs by name.
     */
    @Override
    public List<float[]> outputs(Kernels kernels, Batch samples, long[] tokens, List<String> names) {
        names.forEach(this::outputWidth);
        if (inputs.size() != 2 || !"int64".equals(inputs.get(1).dtype()) || inputs.get(1).shape().size() != 2
                || inputs.get(1).shape().get(1) != tokens.length) {
            throw new InvalidRequestException(files.folder().resolve("manifest.json") + ": model " + manifest().name()
                    + " does not take an image and " + tokens.length + " token ids (inputs " + inputs.stream()
                    .map(ModelManifest.TensorSpec::name).toList() + ")");
        }
        int rows = samples.rows();
        LongBuffer ids = java.nio.ByteBuffer.allocateDirect(Math.max(1, rows) * tokens.length * Long.BYTES)
                .order(ByteOrder.nativeOrder()).asLongBuffer();
        for (int r = 0; r < rows; r++) {
            ids.put(tokens);
        }
        ids.flip();
        Map<String, float[]> outputs;
        try {
            ModelManifest.TensorSpec image = inputs.getFirst();
            outputs = run(rows, Map.of(image.name(), wrap(samples, image.shapeFor(rows)),
                    inputs.get(1).name(), wrap(ids, new long[] {rows, tokens.length})), Map.of());
        } catch (OrtException e) {
            throw new NoiseSearchException("model " + manifest().name() + ": cannot wrap a batch of " + rows
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
            OrtSession alone = single;
            if (alone != null) {
                alone.close();
            }
        } catch (OrtException e) {
            throw new NoiseSearchException("closing model " + manifest().name() + " failed: " + e.getMessage(), false, e);
        }
    }
}

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.noisesearch.model.ModelInfo;
import io.noisesearch.model.ModelManifest;
import io.noisesearch.noise.GaussianTransform;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Real inputs of a denoiser for int8 calibration and checks (scripts/quantize): Euler trajectories from the engine's
 * noise (seed, key = trajectory index), every class and the null class, over the time grids of the given step counts;
 * at each grid time the batch (x_t, t, label) is what a solver feeds the model.
 * <ul>
 * <li>{@code ranges MODEL_DIR GRAPH OUT.json PER_CLASS STEPS SEED}: runs GRAPH (the fp32 model with extra outputs,
 * quantize.py prepare) and writes the min and max of every float output and input over all calls.</li>
 * <li>{@code compare MODEL_DIR A.onnx B.onnx PER_CLASS STEPS SEED}: follows A's trajectories, runs B on the same
 * inputs and prints the error of B's prediction against A's: relative RMS, max |diff|, per grid time.</li>
 * </ul>
 * STEPS: comma-separated step counts (e.g. 4,10,25). Intra-op threads: every core; outputs do not depend on them.
 */
public final class Calibrate {

    private static final int CHUNK = 64;

    public static void main(String[] args) throws Exception {
        Path folder = Path.of(args[1]);
        ModelManifest manifest = ModelManifest.read(folder);
        ModelInfo info = ModelInfo.of(manifest, folder);
        int perClass = Integer.parseInt(args[args.length - 3]);
        int[] steps = java.util.Arrays.stream(args[args.length - 2].split(",")).mapToInt(Integer::parseInt).toArray();
        long seed = Long.parseLong(args[args.length - 1]);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setInterOpNumThreads(1);
            switch (args[0]) {
                case "ranges" -> {
                    try (OrtSession graph = env.createSession(args[2], options)) {
                        ranges(env, graph, manifest, info, perClass, steps, seed, Path.of(args[3]));
                    }
                }
                case "compare" -> {
                    try (OrtSession a = env.createSession(args[2], options);
                         OrtSession b = env.createSession(args[3], options)) {
                        compare(env, a, b, manifest, info, perClass, steps, seed);
                    }
                }
                default -> throw new IllegalArgumentException("usage: Calibrate ranges|compare ...");
            }
        }
    }

    /** One chunk of trajectories: rows of x, their labels. */
    private record Chunk(float[] x, long[] labels, int rows) {
    }

    /** The chunks of (classes + 1) x perClass trajectories: labels 0..classes (the last the null class). */
    private static List<Chunk> starts(ModelInfo info, int perClass, long seed) {
        int total = (info.classes() + 1) * perClass;
        int dim = info.dim();
        List<Chunk> chunks = new ArrayList<>();
        for (int first = 0; first < total; first += CHUNK) {
            int rows = Math.min(CHUNK, total - first);
            float[] x = new float[rows * dim];
            long[] labels = new long[rows];
            for (int r = 0; r < rows; r++) {
                int trajectory = first + r;
                labels[r] = trajectory % (info.classes() + 1);
                for (int e = 0; e < dim; e++) {
                    x[r * dim + e] = GaussianTransform.noise(seed, trajectory, e);
                }
            }
            chunks.add(new Chunk(x, labels, rows));
        }
        return chunks;
    }

    /** Outputs of one call on (x, t, label), by name. */
    private static Map<String, float[]> run(OrtEnvironment env, OrtSession session, ModelManifest manifest,
                                            ModelInfo info, Chunk chunk, float t) throws OrtException {
        ModelManifest.DenoiserTensors tensors = manifest.denoiserTensors(Path.of("."));
        float[] times = new float[chunk.rows()];
        java.util.Arrays.fill(times, t);
        Map<String, float[]> out = new TreeMap<>();
        try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(chunk.x()),
                tensors.sample().shapeFor(chunk.rows()));
             OnnxTensor time = OnnxTensor.createTensor(env, FloatBuffer.wrap(times), new long[] {chunk.rows()});
             OnnxTensor label = OnnxTensor.createTensor(env, LongBuffer.wrap(chunk.labels()), new long[] {chunk.rows()});
             OrtSession.Result result = session.run(Map.of(tensors.sample().name(), x, tensors.time().name(), time,
                     tensors.label().name(), label))) {
            for (Map.Entry<String, OnnxValue> e : result) {
                FloatBuffer buffer = ((OnnxTensor) e.getValue()).getFloatBuffer();
                float[] values = new float[buffer.remaining()];
                buffer.get(values);
                out.put(e.getKey(), values);
            }
        }
        out.put(tensors.sample().name(), chunk.x().clone());
        return out;
    }

    /** x += (t2 - t) v: one Euler step of the probability-flow ODE in the model's velocity. */
    private static void step(float[] x, float[] v, double dt) {
        for (int i = 0; i < x.length; i++) {
            x[i] += (float) (dt * v[i]);
        }
    }

    private static void ranges(OrtEnvironment env, OrtSession graph, ModelManifest manifest, ModelInfo info,
                               int perClass, int[] steps, long seed, Path out) throws OrtException, IOException {
        requireVelocity(info);
        String prediction = manifest.outputs().getFirst().name();
        Map<String, float[]> minMax = new TreeMap<>();
        long calls = 0;
        for (int n : steps) {
            double[] grid = info.schedule().grid(1, 0, n);
            for (Chunk chunk : starts(info, perClass, seed)) {
                for (int i = 0; i < n; i++) {
                    Map<String, float[]> values = run(env, graph, manifest, info, chunk, (float) grid[i]);
                    calls++;
                    values.forEach((name, v) -> {
                        float[] range = minMax.computeIfAbsent(name, k -> new float[] {Float.MAX_VALUE, -Float.MAX_VALUE});
                        for (float f : v) {
                            range[0] = Math.min(range[0], f);
                            range[1] = Math.max(range[1], f);
                        }
                    });
                    step(chunk.x(), values.get(prediction), grid[i + 1] - grid[i]);
                }
            }
        }
        Map<String, Object> document = new LinkedHashMap<>();
        Map<String, Object> calibration = new LinkedHashMap<>();
        calibration.put("inputs", "Euler trajectories from the engine's noise (seed " + seed + ", key = trajectory),"
                + " classes 0.." + info.classes() + " (" + info.classes() + " = null class), " + perClass
                + " per class, x_t at every time of the grids of " + java.util.Arrays.toString(steps) + " steps");
        calibration.put("calls", calls);
        calibration.put("statistic", "min/max");
        document.put("calibration", calibration);
        Map<String, List<Float>> ranges = new TreeMap<>();
        minMax.forEach((name, r) -> ranges.put(name, List.of(r[0], r[1])));
        document.put("ranges", ranges);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), document);
        System.out.printf(Locale.ROOT, "ranges: %d tensors over %d calls -> %s%n", ranges.size(), calls, out);
    }

    private static void compare(OrtEnvironment env, OrtSession a, OrtSession b, ModelManifest manifest, ModelInfo info,
                                int perClass, int[] steps, long seed) throws OrtException {
        requireVelocity(info);
        String prediction = manifest.outputs().getFirst().name();
        double diff2 = 0, ref2 = 0, maxAbs = 0;
        for (int n : steps) {
            double[] grid = info.schedule().grid(1, 0, n);
            double[] stepDiff = new double[n];
            double[] stepRef = new double[n];
            for (Chunk chunk : starts(info, perClass, seed)) {
                for (int i = 0; i < n; i++) {
                    float[] va = run(env, a, manifest, info, chunk, (float) grid[i]).get(prediction);
                    float[] vb = run(env, b, manifest, info, chunk, (float) grid[i]).get(prediction);
                    for (int e = 0; e < va.length; e++) {
                        double d = (double) vb[e] - va[e];
                        stepDiff[i] += d * d;
                        stepRef[i] += (double) va[e] * va[e];
                        maxAbs = Math.max(maxAbs, Math.abs(d));
                    }
                    step(chunk.x(), va, grid[i + 1] - grid[i]);
                }
            }
            StringBuilder perTime = new StringBuilder();
            for (int i = 0; i < n; i++) {
                diff2 += stepDiff[i];
                ref2 += stepRef[i];
                perTime.append(String.format(Locale.ROOT, " t=%.2f:%.4f", grid[i], Math.sqrt(stepDiff[i] / stepRef[i])));
            }
            System.out.printf(Locale.ROOT, "steps %d: relative RMS per time%s%n", n, perTime);
        }
        System.out.printf(Locale.ROOT, "relative_rms %.5f%nmax_abs %.5f%n", Math.sqrt(diff2 / ref2), maxAbs);
    }

    private static void requireVelocity(ModelInfo info) {
        if (info.prediction() != io.noisesearch.schedule.Prediction.VELOCITY) {
            throw new IllegalArgumentException("Calibrate follows velocity models (rectified flow) only");
        }
    }
}

package io.noisesearch.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Where ONNX Runtime spends a denoiser call: runs a trained denoiser's model file (inputs x [B, C, H, W], t [B],
 * label [B]) with ONNX Runtime's profiler on, the engine's graph optimisation (all) and thread count, and prints the
 * share of kernel time per operator type and the median call. Usage: {@code OrtProfile MODEL_FOLDER BATCH THREADS
 * OUT_DIR} (the profiler's JSON is written under OUT_DIR).
 */
public final class OrtProfile {

    private static final int CALLS = 30;
    private static final int WARM_UP = 5;

    private OrtProfile() {
    }

    public static void main(String[] args) throws OrtException, IOException {
        if (args.length != 4) {
            System.err.println("usage: OrtProfile MODEL_FOLDER BATCH THREADS OUT_DIR");
            System.exit(2);
        }
        Path folder = Path.of(args[0]);
        int batch = Integer.parseInt(args[1]);
        int threads = Integer.parseInt(args[2]);
        Path out = Files.createDirectories(Path.of(args[3]));
        JsonNode manifest = new ObjectMapper().readTree(folder.resolve("manifest.json").toFile());
        long[] shape = new ObjectMapper().convertValue(manifest.get("inputs").get(0).get("shape"), long[].class);
        shape[0] = batch;
        int dim = (int) (shape[1] * shape[2] * shape[3]);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Path profile;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.enableProfiling(out.resolve(folder.getFileName().toString()).toString());
            try (OrtSession session = env.createSession(folder.resolve(manifest.get("file").asText()).toString(),
                    options)) {
                float[] x = new float[batch * dim];
                Random random = new Random(1);
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) random.nextGaussian();
                }
                float[] t = new float[batch];
                Arrays.fill(t, 0.5f);
                for (int call = 0; call < CALLS; call++) {
                    try (OnnxTensor xt = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
                         OnnxTensor tt = OnnxTensor.createTensor(env, FloatBuffer.wrap(t), new long[] {batch});
                         OnnxTensor lt = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[batch]),
                                 new long[] {batch});
                         OrtSession.Result result = session.run(Map.of(manifest.get("inputs").get(0).get("name")
                                 .asText(), xt, "t", tt, "label", lt))) {
                        if (result.size() != 1) {
                            throw new IllegalStateException(result.size() + " outputs, expected one");
                        }
                    }
                }
                profile = Path.of(session.endProfiling());
            }
        }
        print(folder.getFileName().toString(), batch, threads, new ObjectMapper().readTree(profile.toFile()));
    }

    /** Kernel time per operator type over the calls after the warm-up, and the median call. */
    static void print(String model, int batch, int threads, JsonNode events) {
        Map<String, Long> byOp = new HashMap<>();
        long[] runs = new long[CALLS];
        int run = 0;
        long total = 0;
        for (JsonNode event : events) {
            String category = event.path("cat").asText();
            if (category.equals("Session") && event.path("name").asText().equals("model_run")) {
                runs[Math.min(run++, CALLS - 1)] = event.path("dur").asLong();
            } else if (category.equals("Node") && event.path("name").asText().endsWith("_kernel_time")
                    && run >= WARM_UP) {
                long micros = event.path("dur").asLong();
                byOp.merge(event.path("args").path("op_name").asText(), micros, Long::sum);
                total += micros;
            }
        }
        long[] timed = Arrays.copyOfRange(runs, WARM_UP, Math.max(WARM_UP, Math.min(run, CALLS)));
        Arrays.sort(timed);
        System.out.printf(Locale.ROOT, "%s, batch %d, %d threads: median call %.2f ms over %d calls%n", model, batch,
                threads, timed.length == 0 ? Double.NaN : timed[timed.length / 2] / 1000.0, timed.length);
        long all = total;
        byOp.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).forEach(e ->
                System.out.printf(Locale.ROOT, "  %-24s %5.1f%%%n", e.getKey(), 100.0 * e.getValue() / all));
    }
}

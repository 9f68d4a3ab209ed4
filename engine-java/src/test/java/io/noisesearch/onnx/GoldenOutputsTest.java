package io.noisesearch.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** ONNX Runtime, as the engine runs it, reproduces the PyTorch outputs recorded at export (golden.json). */
class GoldenOutputsTest {

    static final java.util.List<String> MODELS = TrainedModels.NAMES;

    /**
     * The text-to-image folders' graphs (folder, graph file, its golden file), each run by ONNX Runtime alone: the
     * autoencoder, the denoisers and their text encoders, and the text track's verifiers.
     */
    static final java.util.List<String> GRAPHS = java.util.List.of(
            "shapes-ae:model.onnx:golden.json", "shapes-ae:encoder.onnx:golden-encoder.json",
            "shapes-flow:model.onnx:golden.json", "shapes-flow:text-encoder.onnx:golden-text-encoder.json",
            "shapes-eps:model.onnx:golden.json", "shapes-eps:text-encoder.onnx:golden-text-encoder.json",
            "shapes-clip:model.onnx:golden.json", "shapes-aesthetic:model.onnx:golden.json",
            "shapes-reward:model.onnx:golden.json", "shapes-grader:model.onnx:golden.json");

    @ParameterizedTest
    @FieldSource("GRAPHS")
    void textToImageGraphsReproducePyTorchWithin1e4(String graph) throws Exception {
        String[] parts = graph.split(":");
        Path folder = TrainedModels.ROOT.resolve(parts[0]);
        JsonNode golden = new ObjectMapper().readTree(folder.resolve(parts[2]).toFile());
        double atol = golden.get("atol").asDouble();
        assertThat(atol).isLessThanOrEqualTo(1e-4);
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            try (OrtSession session = environment.createSession(folder.resolve(parts[1]).toString(), options)) {
                Map<String, OnnxTensor> inputs = new HashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = golden.get("inputs").fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> input = it.next();
                    inputs.put(input.getKey(), tensor(input.getValue()));
                }
                try (OrtSession.Result result = session.run(inputs)) {
                    for (Iterator<Map.Entry<String, JsonNode>> it = golden.get("outputs").fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> expected = it.next();
                        OnnxTensor out = (OnnxTensor) result.get(expected.getKey()).orElseThrow();
                        FloatBuffer values = out.getFloatBuffer();
                        float[] actual = new float[values.remaining()];
                        values.get(actual);
                        assertWithin(graph, expected, actual, atol);
                    }
                } finally {
                    inputs.values().forEach(OnnxTensor::close);
                }
            }
        }
    }

    private static void assertWithin(String name, Map.Entry<String, JsonNode> expected, float[] actual, double atol) {
        JsonNode data = expected.getValue().get("data");
        assertThat(actual).as("%s output %s", name, expected.getKey()).hasSize(data.size());
        // numpy's allclose: atol plus float32 rounding relative to the value (rtol 1e-5; scores of tens need it)
        double worst = 0;
        for (int i = 0; i < actual.length; i++) {
            double expectedValue = data.get(i).asDouble();
            worst = Math.max(worst, Math.abs(actual[i] - expectedValue) - 1e-5 * Math.abs(expectedValue));
        }
        assertThat(worst).as("%s output %s, largest difference", name, expected.getKey()).isLessThanOrEqualTo(atol);
    }

    @ParameterizedTest
    @FieldSource("MODELS")
    void onnxRuntimeReproducesPyTorchWithin1e4(String name) throws Exception {
        Path folder = TrainedModels.folder(name);
        JsonNode golden = new ObjectMapper().readTree(folder.resolve("golden.json").toFile());
        double atol = golden.get("atol").asDouble();
        assertThat(atol).isLessThanOrEqualTo(1e-4);
        try (OnnxModel model = OnnxModel.open(folder, 1)) {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = golden.get("inputs").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> input = it.next();
                inputs.put(input.getKey(), tensor(input.getValue()));
            }
            int rows = (int) inputs.values().iterator().next().getInfo().getShape()[0];
            Map<String, float[]> outputs = model.run(rows, inputs, Map.of());
            for (Iterator<Map.Entry<String, JsonNode>> it = golden.get("outputs").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> expected = it.next();
                assertWithin(name, expected, outputs.get(expected.getKey()), atol);
            }
        }
    }

    private static OnnxTensor tensor(JsonNode spec) throws Exception {
        JsonNode shapeNode = spec.get("shape");
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).asLong();
        }
        JsonNode data = spec.get("data");
        if (spec.get("dtype").asText().equals("int64")) {
            LongBuffer buffer = ByteBuffer.allocateDirect(data.size() * Long.BYTES).order(ByteOrder.nativeOrder()).asLongBuffer();
            data.forEach(v -> buffer.put(v.asLong()));
            return OnnxModel.wrap(buffer.flip(), shape);
        }
        FloatBuffer buffer = ByteBuffer.allocateDirect(data.size() * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        data.forEach(v -> buffer.put((float) v.asDouble()));
        return OnnxModel.wrap(buffer.flip(), shape);
    }
}

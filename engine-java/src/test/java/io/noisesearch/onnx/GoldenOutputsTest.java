package io.noisesearch.onnx;

import ai.onnxruntime.OnnxTensor;
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
                float[] actual = outputs.get(expected.getKey());
                JsonNode data = expected.getValue().get("data");
                assertThat(actual).as("%s output %s", name, expected.getKey()).hasSize(data.size());
                double worst = 0;
                for (int i = 0; i < actual.length; i++) {
                    worst = Math.max(worst, Math.abs(actual[i] - data.get(i).asDouble()));
                }
                assertThat(worst).as("%s output %s, largest difference", name, expected.getKey()).isLessThanOrEqualTo(atol);
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

package io.noisesearch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** --precision: fp32 by default, int8 from a trained denoiser's variant file, recorded in result.json; bad values exit 2. */
class PrecisionOptionTest {

    @TempDir
    Path temp;

    private CliRun search(String model, String... more) {
        String[] base = {"search", "--model", model, "--verifier", "classifier", "--class", "2", "--algorithm", "random",
                "--candidates", "2", "--search-steps", "2", "--steps", "2", "--threads", "1",
                "--models-dir", DemoCommandTest.trainedModels().toString(), "--out",
                temp.resolve(String.join("-", more).isEmpty() ? "default" : String.join("-", more)).toString()};
        String[] args = java.util.Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return CliRun.of(args);
    }

    @Test
    void resultJsonRecordsThePrecisionTheDenoiserRanIn() throws IOException {
        CliRun fp32 = search("mnist-flow-s");
        CliRun int8 = search("mnist-flow-s", "--precision", "int8");
        assertThat(fp32.exitCode()).as(fp32.err()).isZero();
        assertThat(int8.exitCode()).as(int8.err()).isZero();
        JsonNode a = CliRun.json(temp.resolve("default/result.json"));
        JsonNode b = CliRun.json(temp.resolve("--precision-int8/result.json"));
        assertThat(a.path("precision").asText()).isEqualTo("fp32");
        assertThat(b.path("precision").asText()).isEqualTo("int8");
        assertThat(b.path("best").path("score").floatValue()).as("the int8 model computes other numbers")
                .isNotEqualTo(a.path("best").path("score").floatValue());
    }

    @Test
    void anUnknownPrecisionIsOneLineNamingTheOption() {
        CliRun run = search("mnist-flow-s", "--precision", "bf16");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.err()).contains("--precision", "'bf16'", "fp32", "int8");
    }

    @Test
    void mixturesHaveNoInt8() {
        CliRun run = search("gmm-image", "--precision", "int8");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.err()).contains("--precision int8", "gmm-image", "exact Gaussian mixture");
    }

    @Test
    void aTrainedModelWithoutTheVariantIsOneLine() throws IOException {
        Path models = temp.resolve("models");
        Path folder = Files.createDirectories(models.resolve("mnist-flow-s"));
        Path source = DemoCommandTest.trainedModels().resolve("mnist-flow-s");
        Files.copy(source.resolve("model.onnx"), folder.resolve("model.onnx"));
        ObjectMapper json = new ObjectMapper();
        ObjectNode manifest = (ObjectNode) json.readTree(source.resolve("manifest.json").toFile());
        manifest.remove("variants");
        json.writeValue(folder.resolve("manifest.json").toFile(), manifest);
        CliRun run = CliRun.of("search", "--model", "mnist-flow-s", "--models-dir", models.toString(), "--verifier",
                "classifier", "--precision", "int8", "--out", temp.resolve("none").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.err()).contains("--precision int8: model mnist-flow-s has no int8 variant");
    }
}

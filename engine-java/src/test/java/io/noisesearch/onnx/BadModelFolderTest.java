package io.noisesearch.onnx;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.noisesearch.InvalidRequestException;
import io.noisesearch.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every broken model folder ends in one clear message naming the file and the problem. */
class BadModelFolderTest {

    @TempDir
    Path temp;

    /** A copy of the committed classifier, its manifest edited by {@code edit}. */
    private Path copy(Consumer<ObjectNode> edit) throws Exception {
        return TrainedModels.copy("mnist-classifier", List.of("model.onnx"), temp.resolve("model"), edit);
    }

    @Test
    void missingModelFile() throws Exception {
        Path folder = copy(m -> { });
        Files.delete(folder.resolve("model.onnx"));
        assertThatThrownBy(() -> OnnxModel.open(folder, 1)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining(folder.resolve("model.onnx").toString()).hasMessageContaining("missing");
    }

    @Test
    void corruptOnnxFile() throws Exception {
        Path folder = copy(m -> { });
        Files.write(folder.resolve("model.onnx"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertThatThrownBy(() -> OnnxModel.open(folder, 1)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("model.onnx").hasMessageContaining("not a loadable ONNX model");
    }

    @Test
    void manifestNamesATensorTheGraphLacks() throws Exception {
        Path folder = copy(m -> ((ObjectNode) m.get("inputs").get(0)).put("name", "pixels"));
        assertThatThrownBy(() -> OnnxModel.open(folder, 1)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("model.onnx").hasMessageContaining("'pixels'");
    }

    @Test
    void manifestShapeDisagreesWithTheGraph() throws Exception {
        Path folder = copy(m -> {
            ArrayNode shape = (ArrayNode) m.get("inputs").get(0).get("shape");
            shape.set(2, 32);
            shape.set(3, 32);
            ((ObjectNode) m.get("sample")).put("height", 32).put("width", 32);
        });
        assertThatThrownBy(() -> OnnxModel.open(folder, 1)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("has shape").hasMessageContaining("32");
    }

    @Test
    void manifestDtypeDisagreesWithTheGraph() throws Exception {
        Path folder = copy(m -> ((ObjectNode) m.get("inputs").get(0)).put("dtype", "int64"));
        assertThatThrownBy(() -> OnnxModel.open(folder, 1)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("model.onnx").hasMessageContaining("is float32 in the graph but int64");
    }

    @Test
    void manifestWhoseSampleShapeDisagreesWithItsTensorsIsRefusedWhenOpened() throws Exception {
        Path folder = copy(m -> ((ObjectNode) m.get("sample")).put("height", 27));
        assertThatThrownBy(() -> OnnxModel.open(folder, 1)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("manifest.json: field 'inputs[0].shape'");
        Path huge = copy2(m -> ((ObjectNode) m.get("sample")).put("channels", 1 << 20).put("height", 1 << 20));
        assertThatThrownBy(() -> OnnxModel.open(huge, 1)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("field 'sample'").hasMessageContaining("at most 16777216 values");
    }

    @Test
    void aBrokenManifestIsReportedWithoutEchoingItsContents() throws Exception {
        Path folder = copy(m -> { });
        Files.writeString(folder.resolve("manifest.json"), "{\"name\": \"mnist\", \"role\": SECRET-API-KEY-123}");
        assertThatThrownBy(() -> OnnxModel.open(folder, 1)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("not valid JSON at line 1").hasMessageNotContaining("SECRET");
        Files.writeString(folder.resolve("manifest.json"), "{\"name\": \"m\", \"inputs\": \"SECRET-API-KEY-123\"}");
        assertThatThrownBy(() -> OnnxModel.open(folder, 1)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("field 'inputs' has the wrong type").hasMessageNotContaining("SECRET");
    }

    @Test
    void missingOrMalformedManifest() throws Exception {
        Path folder = copy(m -> { });
        Files.writeString(folder.resolve("manifest.json"), "{\"name\": \"x\", ");
        assertThatThrownBy(() -> OnnxModel.open(folder, 1)).hasMessageContaining("manifest.json")
                .hasMessageContaining("not a valid manifest");
        Files.delete(folder.resolve("manifest.json"));
        assertThatThrownBy(() -> OnnxModel.open(folder, 1)).hasMessageContaining("manifest.json is missing");
        Path other = copy2(m -> m.remove("flopsPerSample"));
        assertThatThrownBy(() -> OnnxModel.open(other, 1)).hasMessageContaining("flopsPerSample");
    }

    @Test
    void flopsPerSampleBeyondAPetaflopAreRefusedSoThatARequestsFlopsFitALong() throws Exception {
        Path folder = copy(m -> m.put("flopsPerSample", 1_000_000_000_000_001L));
        assertThatThrownBy(() -> OnnxModel.open(folder, 1)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("manifest.json: field 'flopsPerSample' must be a positive integer of at most"
                        + " 1000000000000000");
        Path wrapped = copy2(m -> m.put("flopsPerSample", Long.MIN_VALUE));
        assertThatThrownBy(() -> OnnxModel.open(wrapped, 1)).hasMessageContaining("field 'flopsPerSample'");
    }

    private Path copy2(Consumer<ObjectNode> edit) throws Exception {
        temp = Files.createTempDirectory(temp, "second");
        return copy(edit);
    }

    @Test
    void commandLineEndsWithOneLineAndExitCode2() throws Exception {
        Path folder = copy(m -> { });
        Files.write(folder.resolve("model.onnx"), new byte[] {9, 9, 9});
        StringWriter err = new StringWriter();
        int code = run(err, "search", "--model", folder.toString(), "--out", temp.resolve("out").toString());
        assertThat(code).isEqualTo(2);
        assertThat(err.toString().strip().lines()).hasSize(1);
        assertThat(err.toString()).contains("model.onnx").contains("not a loadable ONNX model");
    }

    @Test
    void aVerifierModelIsNotADenoiser() {
        StringWriter err = new StringWriter();
        int code = run(err, "search", "--model", TrainedModels.folder("mnist-classifier").toString(),
                "--out", temp.resolve("out").toString());
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("role is 'verifier'");
    }

    private static int run(StringWriter err, String... args) {
        picocli.CommandLine commandLine = Main.commandLine();
        commandLine.setOut(new PrintWriter(new StringWriter(), true));
        commandLine.setErr(new PrintWriter(err, true));
        return commandLine.execute(args);
    }
}

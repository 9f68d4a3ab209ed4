package io.noisesearch.onnx;

import io.noisesearch.InvalidRequestException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.noisesearch.onnx.Protobuf.concat;
import static io.noisesearch.onnx.Protobuf.field;
import static io.noisesearch.onnx.Protobuf.varintField;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** External-data files an ONNX model names are found wherever a tensor can sit, and must stay in the folder. */
class ExternalDataTest {

    @TempDir
    Path temp;

    /** A TensorProto named {@code name} whose data is in {@code location}. */
    private static byte[] externalTensor(String name, String location) {
        return concat(field(8, name),
                field(13, concat(field(1, "offset"), field(2, "0"))),
                field(13, concat(field(1, "location"), field(2, location))),
                varintField(14, 1));
    }

    /** ModelProto: ir_version, an initializer in the graph, and an If node whose then_branch has another. */
    private static byte[] model(String initializerLocation, String subgraphLocation) {
        byte[] subgraph = field(5, externalTensor("inner", subgraphLocation));
        byte[] attribute = concat(field(1, "then_branch"), field(6, subgraph), varintField(20, 5));
        byte[] node = concat(field(4, "If"), field(5, attribute));
        byte[] graph = concat(field(1, node), field(5, externalTensor("w", initializerLocation)), field(2, "g"));
        return concat(varintField(1, 8), field(7, graph));
    }

    @Test
    void locationsAreFoundInFileOrderInInitializersAndInSubgraphsOfAttributes() {
        assertThat(ExternalData.locations(model("weights.bin", "../../etc/passwd")))
                .containsExactly("../../etc/passwd", "weights.bin");
        assertThat(ExternalData.locations(concat(varintField(1, 8), field(7, field(2, "g"))))).isEmpty();
    }

    @Test
    void aLocationOutsideTheFolderIsRefusedWithoutEchoingIt() throws Exception {
        Path folder = Files.createDirectories(temp.resolve("model"));
        Path file = Files.write(folder.resolve("model.onnx"), model("weights.bin", "../secret.bin"));
        Files.write(folder.resolve("weights.bin"), new byte[8]);
        Files.write(temp.resolve("secret.bin"), new byte[8]);
        assertThatThrownBy(() -> ExternalData.requireConfined(file, folder))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("external data")
                .hasMessageContaining("must name a file inside");
        Files.write(file, model("/etc/hostname", "weights.bin"));
        assertThatThrownBy(() -> ExternalData.requireConfined(file, folder))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("must name a file inside");
    }

    @Test
    void aLinkInsideTheFolderThatLeadsOutsideIsRefused() throws Exception {
        Path folder = Files.createDirectories(temp.resolve("model"));
        Files.write(temp.resolve("secret.bin"), new byte[8]);
        Files.createSymbolicLink(folder.resolve("weights.bin"), temp.resolve("secret.bin"));
        Path file = Files.write(folder.resolve("model.onnx"), model("weights.bin", "weights.bin"));
        assertThatThrownBy(() -> ExternalData.requireConfined(file, folder))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("symbolic link");
    }

    @Test
    void locationsInsideTheFolderPass() throws Exception {
        Path folder = Files.createDirectories(temp.resolve("model"));
        Files.createDirectories(folder.resolve("data"));
        Path file = Files.write(folder.resolve("model.onnx"), model("data/w.bin", "./data/../data/w.bin"));
        ExternalData.requireConfined(file, folder);
    }

    @Test
    void aTruncatedFileIsNotAnOnnxModel() throws Exception {
        byte[] whole = model("weights.bin", "weights.bin");
        Path file = Files.write(temp.resolve("model.onnx"), java.util.Arrays.copyOf(whole, whole.length - 3));
        assertThatThrownBy(() -> ExternalData.requireConfined(file, temp))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("not a loadable ONNX model");
    }
}

package io.noisesearch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SHA-256 a manifest gives for its graphs (the model file's {@code sha256}, the text encoder's
 * {@code textEncoder.sha256}) is checked before the graph is opened: the committed shapes models carry the hashes of
 * their files, and a changed file is refused in one line naming it and the field, exit 2.
 */
class ModelHashesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path FIXTURES = Path.of("src/test/resources/shapes-models");

    @TempDir
    Path temp;

    private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    @Test
    void theCommittedShapesModelsCarryTheHashesOfTheirGraphs() throws Exception {
        Path models = Path.of("../tensorrt-plans/models");
        for (String name : List.of("shapes-ae", "shapes-flow", "shapes-eps")) {
            JsonNode manifest = JSON.readTree(models.resolve(name).resolve("manifest.json").toFile());
            assertThat(manifest.path("sha256").asText()).as(name)
                    .isEqualTo(sha256(models.resolve(name).resolve(manifest.get("file").asText())));
            if (manifest.has("textEncoder")) {
                assertThat(manifest.path("textEncoder").path("sha256").asText()).as(name).isEqualTo(sha256(
                        models.resolve(name).resolve(manifest.path("textEncoder").path("file").asText())));
            }
        }
    }

    /** The fixtures copied to {@code temp/models} with the hashes of their files in their manifests. */
    private Path hashedFixtures() throws Exception {
        Path models = temp.resolve("models");
        for (String name : List.of("tiny-shapes-ae", "tiny-shapes-flow")) {
            Path from = FIXTURES.resolve(name);
            Path to = Files.createDirectories(models.resolve(name));
            try (var files = Files.list(from)) {
                for (Path file : files.toList()) {
                    Files.copy(file, to.resolve(file.getFileName()));
                }
            }
            ObjectNode manifest = (ObjectNode) JSON.readTree(to.resolve("manifest.json").toFile());
            manifest.put("sha256", sha256(to.resolve(manifest.get("file").asText())));
            if (manifest.has("textEncoder")) {
                ObjectNode encoder = (ObjectNode) manifest.get("textEncoder");
                encoder.put("sha256", sha256(to.resolve(encoder.get("file").asText())));
            }
            JSON.writeValue(to.resolve("manifest.json").toFile(), manifest);
        }
        return models;
    }

    private CliRun generate(Path models) {
        return CliRun.of("generate", "--models-dir", models.toString(), "--model", "tiny-shapes-flow", "--prompt",
                "a red circle", "--per-prompt", "1", "--out", temp.resolve("out").toString());
    }

    @Test
    void intactFilesOpen() throws Exception {
        CliRun run = generate(hashedFixtures());

        assertThat(run.exitCode()).as(run.err()).isZero();
    }

    @ParameterizedTest(name = "{0}/{1}")
    @CsvSource({
            "tiny-shapes-flow, model.onnx, 'sha256'",
            "tiny-shapes-flow, text-encoder.onnx, 'textEncoder.sha256'",
            "tiny-shapes-ae, model.onnx, 'sha256'",
    })
    void aChangedGraphIsRefusedInOneLineNamingTheFileAndField(String model, String file, String field)
            throws Exception {
        Path models = hashedFixtures();
        Path graph = models.resolve(model).resolve(file);
        byte[] bytes = Files.readAllBytes(graph);
        bytes[bytes.length - 1] ^= 1;
        Files.write(graph, bytes);

        CliRun run = generate(models);

        assertThat(run.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(run.errLines()).singleElement().asString().contains(graph.toString(), field,
                "SHA-256 differs");
        assertThat(temp.resolve("out").resolve("samples.npz")).doesNotExist();
    }
}

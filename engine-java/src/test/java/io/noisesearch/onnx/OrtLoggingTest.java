package io.noisesearch.onnx;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** ONNX Runtime's own log lines never reach stderr, which belongs to the one-line error contract. */
class OrtLoggingTest {

    @TempDir
    Path temp;

    private static String stderrOf(String mode, Path path) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        // As scripts/noisesearch runs the tool: native access granted, so the JDK itself warns of nothing.
        Process run = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), OrtLogging.class.getName(), mode, path.toString()).start();
        assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String err = new String(run.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(run.exitValue()).as(err).isZero();
        return err;
    }

    @Test
    void aModelOnnxRuntimeWarnsAboutOpensWithoutALineOnStderr() throws Exception {
        Path folder = Files.createDirectories(temp.resolve("identity"));
        Path file = Files.write(folder.resolve("model.onnx"), Protobuf.identityWithUnusedInitializer());
        Files.writeString(folder.resolve("manifest.json"), """
                {"name": "identity", "role": "verifier", "file": "model.onnx",
                 "inputs": [{"name": "x", "shape": [-1, 4], "dtype": "float32"}],
                 "outputs": [{"name": "y", "shape": [-1, 4], "dtype": "float32"}],
                 "sample": {"channels": 1, "height": 2, "width": 2, "range": [-1, 1]}, "flopsPerSample": 4}
                """);
        assertThat(stderrOf("plain", file)).as("ONNX Runtime's defaults log the removed initializer")
                .contains("unused");
        assertThat(stderrOf("engine", folder)).isEmpty();
    }
}

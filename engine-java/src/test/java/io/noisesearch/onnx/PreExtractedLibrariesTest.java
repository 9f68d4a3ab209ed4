package io.noisesearch.onnx;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class PreExtractedLibrariesTest {

    @TempDir
    Path temp;

    private static Path library(Path folder) {
        return folder.resolve(System.mapLibraryName("onnxruntime"));
    }

    /** Flips every bit of the byte in the middle of {@code file}; its size stays. */
    private static void alter(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long at = channel.size() / 2;
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, at);
            one.put(0, (byte) ~one.get(0)).rewind();
            channel.write(one, at);
        }
    }

    @Test
    void aCopyOfTheJarsLibrariesIsVerifiedAndAMissingOrAlteredOneIsNot() throws IOException {
        Path folder = temp.resolve("native");
        assertThat(PreExtractedLibraries.verified(folder)).isFalse();
        assertThat(PreExtractedLibraries.write(folder)).isTrue();
        assertThat(PreExtractedLibraries.verified(folder)).isTrue();
        alter(library(folder));
        assertThat(PreExtractedLibraries.verified(folder)).as("one byte changed, same size").isFalse();
    }

    private static String mappedLibrary(String... jvmOptions) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), OpenAndExit.class.getName(),
                TrainedModels.folder("mnist-classifier").toString(), "maps"));
        Process run = new ProcessBuilder(command).start();
        assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(run.exitValue()).as(new String(run.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                .isZero();
        return new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void aProcessLoadsOnnxRuntimeFromTheVerifiedCopyWrittenAgainWhereAltered() throws Exception {
        Path dir = temp.resolve("build");
        Path folder = dir.resolve(PreExtractedLibraries.platform());
        String option = "-D" + PreExtractedLibraries.DIR + "=" + dir;
        assertThat(mappedLibrary(option)).as("first run: written, then loaded").isEqualTo(library(folder).toString());
        alter(library(folder));
        assertThat(mappedLibrary(option)).isEqualTo(library(folder).toString());
        assertThat(PreExtractedLibraries.verified(folder)).as("the altered copy was written again").isTrue();
        assertThat(mappedLibrary()).as("without the property ONNX Runtime extracts as before")
                .contains("onnxruntime-java").doesNotContain(dir.toString());
    }
}

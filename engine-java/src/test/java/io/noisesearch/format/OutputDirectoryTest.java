package io.noisesearch.format;

import io.noisesearch.InvalidRequestException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OutputDirectoryTest {

    @TempDir
    Path temp;

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void createsMissingFoldersAndLeavesOnlyItsLockBehind() throws IOException {
        try (OutputDirectory out = OutputDirectory.open(temp.resolve("a/b/c"), "--out")) {
            assertThat(out.path()).isDirectory();
        }
        assertThat(names(temp.resolve("a/b/c"))).containsExactly(OutputDirectory.LOCK_FILE);
    }

    @Test
    void aFileAFolderUnderAFileOrAnEmptyNameIsRefusedNamingTheOption() throws IOException {
        Path file = Files.writeString(temp.resolve("file"), "x");

        assertThatThrownBy(() -> OutputDirectory.open(file, "--out"))
                .isInstanceOf(InvalidRequestException.class).hasMessageStartingWith("--out");
        assertThatThrownBy(() -> OutputDirectory.open(file.resolve("below"), "--out"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("not writable");
        assertThatThrownBy(() -> OutputDirectory.open(Path.of(""), "--out"))
                .isInstanceOf(InvalidRequestException.class).hasMessage("--out is empty: name an output folder");
    }

    @Test
    void aSecondRunOnTheSameFolderFailsAtOnceUntilTheFirstEnds() {
        Path dir = temp.resolve("out");
        try (OutputDirectory first = OutputDirectory.open(dir, "--out")) {
            assertThatThrownBy(() -> OutputDirectory.open(dir, "--out")).isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("in use by another noisesearch run");
        }
        OutputDirectory.open(dir, "--out").close();
    }

    @Test
    void aWriteThatFailsLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path dir = temp.resolve("out");
        try (OutputDirectory out = OutputDirectory.open(dir, "--out")) {
            out.write("result.json", file -> Files.writeString(file, "old"));
            assertThatThrownBy(() -> out.write("result.json", file -> {
                Files.writeString(file, "half");
                throw new IOException("disk full");
            })).hasMessage("disk full");
            assertThat(Files.readString(dir.resolve("result.json"))).isEqualTo("old");
            assertThat(names(dir)).containsExactly(OutputDirectory.LOCK_FILE, "result.json");
        }
    }

    @Test
    void aTerminatedWriterExitsWith143AndLeavesACompleteFileAndNoTemporaryFile() throws Exception {
        Path dir = temp.resolve("out");
        Process writer = startWriter(dir);
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(writer.getInputStream(),
                StandardCharsets.UTF_8))) {
            assertThat(lines.readLine()).isEqualTo("written");
            Thread.sleep(37);
            writer.destroy(); // SIGTERM: the shutdown hooks run
            assertThat(writer.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(writer.exitValue()).isEqualTo(143);
        assertWhole(dir.resolve("data.bin"));
        assertThat(names(dir)).containsExactly(OutputDirectory.LOCK_FILE, "data.bin");
    }

    private static Process startWriter(Path dir) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), OutputWriter.class.getName(),
                dir.toString()).redirectErrorStream(true).start();
    }

    private static void assertWhole(Path file) throws IOException {
        byte[] data = Files.readAllBytes(file);
        assertThat(data).hasSize(OutputWriter.SIZE);
        for (byte b : data) {
            if (b != data[0]) {
                throw new AssertionError(file + " mixes versions " + data[0] + " and " + b);
            }
        }
    }

    @Test
    void aKilledWriterLeavesACompleteFileAndTheNextRunRemovesItsTemporaryFile() throws Exception {
        Path dir = temp.resolve("out");
        Process writer = startWriter(dir);
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(writer.getInputStream(),
                StandardCharsets.UTF_8))) {
            assertThat(lines.readLine()).isEqualTo("written");
            assertThatThrownBy(() -> OutputDirectory.open(dir, "--out"))
                    .hasMessageContaining("in use by another noisesearch run");
            Thread.sleep(37); // somewhere inside a later write
            writer.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertThat(writer.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertWhole(dir.resolve("data.bin"));
        try (OutputDirectory next = OutputDirectory.open(dir, "--out")) {
            assertThat(names(dir)).containsExactly(OutputDirectory.LOCK_FILE, "data.bin");
        }
    }
}

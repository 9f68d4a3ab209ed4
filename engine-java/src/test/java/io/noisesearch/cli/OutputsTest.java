package io.noisesearch.cli;

import io.noisesearch.format.OutputDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Outputs are written whole, by one run at a time, and only once the inputs have been checked. */
class OutputsTest {

    @TempDir
    Path temp;

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void expectOneLineUsageError(CliRun run, String named) {
        assertThat(run.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(run.errLines()).singleElement().asString().startsWith("noisesearch: ").contains(named);
    }

    @Test
    void aSecondRunOnTheSameOutFailsAtOnceWithOneLine() {
        Path dir = temp.resolve("out");
        try (OutputDirectory first = OutputDirectory.open(dir, "--out")) {
            for (String command : List.of("search", "generate", "demo")) {
                CliRun run = CliRun.of(command, "--model", "gmm-image", "--out", dir.toString());
                expectOneLineUsageError(run, "in use by another noisesearch run");
            }
        }
    }

    @Test
    void aSearchWritesItsFilesAndNoTemporaryOnes() throws IOException {
        Path dir = temp.resolve("out");
        CliRun run = CliRun.of("search", "--candidates", "2", "--out", dir.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(names(dir)).containsExactly(OutputDirectory.LOCK_FILE, "best.png", "result.json");
    }

    @Test
    void aGenerateWithBadClassesLeavesTheSamplesOfAnEarlierRunAsTheyWere() throws IOException {
        Path dir = temp.resolve("out");
        CliRun good = CliRun.of("generate", "--per-class", "1", "--classes", "1,2", "--candidates", "2", "--out",
                dir.toString());
        assertThat(good.exitCode()).as(good.err()).isZero();
        byte[] samples = Files.readAllBytes(dir.resolve("samples.npz"));
        byte[] summary = Files.readAllBytes(dir.resolve("summary.json"));

        expectOneLineUsageError(CliRun.of("generate", "--classes", "12", "--out", dir.toString()), "--classes");
        expectOneLineUsageError(CliRun.of("generate", "--classes", ",", "--out", dir.toString()), "--classes");

        assertThat(dir.resolve("samples.npz")).hasBinaryContent(samples);
        assertThat(dir.resolve("summary.json")).hasBinaryContent(summary);
    }

    @Test
    void anEmptyOutIsRefused() {
        expectOneLineUsageError(CliRun.of("search", "--out", ""), "--out is empty");
    }
}

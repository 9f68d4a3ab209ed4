package io.noisesearch.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.noisesearch.cli.Main;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Spark job in local mode on tiny sweeps: its results are profile's, to the last bit, however the evaluation set
 * is cut into work units; a re-run skips every unit; failed task attempts leave neither holes nor duplicates.
 */
class SparkSweepTest {

    /** The trained MNIST flow with the evaluation network: FID, precision / recall from the gathered features. */
    private static final String TRAINED = """
            name: spark-trained
            models: mnist-flow-s
            verifiers: classifier
            algorithms:
              - name: none
                finalSteps: 3
              - name: random
                candidates: [2, 3]
            searchSolver: euler
            searchSteps: 2
            finalSolver: euler
            finalSteps: 3
            evaluation:
              perClass: 2
              classes: [0, 1]
            """;

    /** The exact mixture: the oracle's log-density, zero-order search (not cached) beside best of N. */
    private static final String MIXTURE = """
            name: spark-mixture
            models: gmm-image
            verifiers: oracle
            algorithms:
              - name: random
                candidates: [2, 4]
              - name: zero-order
                neighbours: 2
                iterations: 1
            searchSolver: euler
            searchSteps: 3
            finalSteps: 4
            evaluation:
              perClass: 3
              classes: [1, 4]
              firstSeed: 7
            """;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static SparkSession spark;

    /** One session for every test (2 attempts per task), which the job uses and leaves running. */
    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder().master("local[2,2]").appName("SparkSweepTest")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @Test
    void trainedModelResultsEqualProfilesToTheLastDigit(@TempDir Path dir) throws IOException {
        Path sweep = write(dir, "trained.yaml", TRAINED);
        Path profiled = dir.resolve("profile");
        Path sparked = dir.resolve("spark");
        assertThat(profile(sweep, profiled)).isZero();
        assertThat(sparkJob(sweep, sparked, "--samples-per-unit", "1").exit()).isZero();
        assertSameResults(profiled, sparked);
        assertThat(lines(sparked.resolve("results.csv"))).hasSize(4);
        assertThat(sparked.resolve("index.html")).isNotEmptyFile();
        assertThat(sparked.resolve("fid-vs-gflops.png")).isNotEmptyFile();
    }

    @Test
    void mixtureResultsEqualProfilesWithWholeClassUnits(@TempDir Path dir) throws IOException {
        Path sweep = write(dir, "mixture.yaml", MIXTURE);
        Path profiled = dir.resolve("profile");
        Path sparked = dir.resolve("spark");
        assertThat(profile(sweep, profiled)).isZero();
        assertThat(sparkJob(sweep, sparked).exit()).isZero();
        assertSameResults(profiled, sparked);
    }

    @Test
    void aSecondRunSkipsEveryUnitAndDuplicatesNoRow(@TempDir Path dir) throws IOException {
        Path sweep = write(dir, "mixture.yaml", MIXTURE);
        Path out = dir.resolve("spark");
        assertThat(sparkJob(sweep, out, "--samples-per-unit", "2").exit()).isZero();
        List<String> first = withoutMeasured(out);
        List<String> rows = rowKeys(out);
        Run again = sparkJob(sweep, out, "--samples-per-unit", "2", "--resume");
        assertThat(again.exit()).isZero();
        // 2 units of configurations (random 2 and 4 from one pool; zero-order) x 2 classes x 2 seed ranges (2 + 1).
        assertThat(again.err()).contains("8 work units, 8 already in").contains("0 to run");
        assertThat(rowKeys(out)).containsExactlyInAnyOrderElementsOf(rows).doesNotHaveDuplicates().hasSize(18);
        assertThat(withoutMeasured(out)).isEqualTo(first);
    }

    @Test
    void withoutResumeAnEarlierTableIsOneLineNamingTheOption(@TempDir Path dir) throws IOException {
        Path sweep = write(dir, "mixture.yaml", MIXTURE);
        Path out = dir.resolve("spark");
        assertThat(sparkJob(sweep, out).exit()).isZero();
        Run again = sparkJob(sweep, out);
        assertThat(again.exit()).isEqualTo(2);
        assertThat(again.err().strip()).contains("--resume").doesNotContain("\n");
    }

    @Test
    void failedFirstAttemptsLoseNoRowAndDuplicateNone(@TempDir Path dir) throws IOException {
        Path sweep = write(dir, "mixture.yaml", MIXTURE);
        Path clean = dir.resolve("clean");
        Path failing = dir.resolve("failing");
        assertThat(sparkJob(sweep, clean, "--no-cache").exit()).isZero();
        Run run = sparkJob(sweep, failing, "--no-cache", "--fail-first-attempts");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(rowKeys(failing)).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(rowKeys(clean));
        assertThat(withoutMeasured(failing)).isEqualTo(withoutMeasured(clean));
    }

    @Test
    void badInputEndsWithOneLineAndExitTwo(@TempDir Path dir) throws IOException {
        Path sweep = write(dir, "bad.yaml", MIXTURE.replace("models: gmm-image", "models: no-such-model"));
        Run unknown = sparkJob(sweep, dir.resolve("out"));
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err().strip()).contains("models").contains("no-such-model").doesNotContain("\n");
        Run negative = sparkJob(write(dir, "ok.yaml", MIXTURE), dir.resolve("out2"), "--samples-per-unit", "-1");
        assertThat(negative.exit()).isEqualTo(2);
        assertThat(negative.err().strip()).contains("--samples-per-unit").doesNotContain("\n");
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run sparkJob(Path sweep, Path out, String... options) {
        List<String> args = new ArrayList<>(List.of(sweep.toString(), "--out", out.toString()));
        args.addAll(List.of(options));
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        int exit = SparkProfileCommand.execute(new PrintWriter(stdout), new PrintWriter(stderr),
                args.toArray(String[]::new));
        return new Run(exit, stdout.toString(), stderr.toString());
    }

    private static int profile(Path sweep, Path out) {
        var line = Main.commandLine();
        line.setOut(new PrintWriter(new StringWriter()));
        line.setErr(new PrintWriter(new StringWriter()));
        return line.execute("profile", sweep.toString(), "--out", out.toString());
    }

    /** results.jsonl lines and the CSV's columns up to the measured ones must match exactly, as printed. */
    private static void assertSameResults(Path profiled, Path sparked) throws IOException {
        assertThat(withoutMeasured(sparked)).isEqualTo(withoutMeasured(profiled));
        assertThat(csvUpToMeasured(sparked)).isEqualTo(csvUpToMeasured(profiled));
    }

    private static List<String> withoutMeasured(Path out) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String line : lines(out.resolve("results.jsonl"))) {
            ObjectNode node = (ObjectNode) JSON.readTree(line);
            node.remove("measured");
            lines.add(node.toString());
        }
        return lines;
    }

    private static List<String> csvUpToMeasured(Path out) throws IOException {
        List<String> lines = lines(out.resolve("results.csv"));
        int measured = List.of(lines.getFirst().split(",")).indexOf("wallMillis");
        return lines.stream().map(l -> String.join(",", List.of(l.split(",", -1)).subList(0, measured))).toList();
    }

    /** Each row of the samples table as (configuration, seed, key, score). */
    private static List<String> rowKeys(Path out) {
        List<String> keys = new ArrayList<>();
        for (Row r : spark.read().parquet(out.resolve(SampleTable.FOLDER).toString())
                .select("configuration", "seed", "key", "score").collectAsList()) {
            keys.add(r.getString(0) + "/" + r.getLong(1) + "/" + r.getLong(2) + "/" + r.getFloat(3));
        }
        return keys;
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.readAllLines(file);
    }

    private static Path write(Path dir, String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }
}

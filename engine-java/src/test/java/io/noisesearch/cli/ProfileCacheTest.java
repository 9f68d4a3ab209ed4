package io.noisesearch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

import static io.noisesearch.cli.ProfileCommandTest.deterministic;
import static io.noisesearch.cli.ProfileCommandTest.lines;
import static io.noisesearch.cli.ProfileCommandTest.profile;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The solve cache in {@code profile}: a second run on the same cache gives the same results and solves nothing it
 * solved before (its {@code measured.ran} says what ran); a sweep that adds a verifier scores the cached samples and
 * re-solves none; a changed model file misses; a damaged cache file is skipped with a warning.
 */
class ProfileCacheTest {

    private static final String GMM = """
            name: gmm cache
            models: gmm-image
            verifiers: %s
            algorithms:
              - {name: none}
              - {name: random, candidates: [2, 5]}
              - {name: prune, candidates: 4, pruneAt: 0.5, keep: 2}
              - {name: zero-order, neighbours: 2, iterations: 1, cosine: 0.95}
            searchSolver: heun
            searchSteps: 4
            finalSteps: 8
            evaluation: {perClass: 2, classes: [1, 5]}
            """;

    @TempDir
    Path temp;

    private CliRun run(String yaml, String out, String... options) throws IOException {
        CliRun run = profile(ProfileCommandTest.writeSweep(temp, yaml), temp.resolve(out), options);
        assertThat(run.exitCode()).as(run.err()).isZero();
        return run;
    }

    private static JsonNode ran(JsonNode line) {
        return line.path("measured").path("ran");
    }

    private static String algorithm(JsonNode line) {
        return line.path("configuration").path("algorithm").asText();
    }

    @Test
    void aSecondRunOnTheSameCacheGivesTheSameResultsAndSolvesOnlyWhatIsNotKeyed() throws IOException {
        String cache = temp.resolve("shared").toString();
        String yaml = GMM.formatted("oracle");
        run(yaml, "first", "--cache", cache);
        CliRun second = run(yaml, "second", "--cache", cache);
        assertThat(deterministic(temp.resolve("second"))).isEqualTo(deterministic(temp.resolve("first")));
        for (JsonNode line : lines(temp.resolve("second"))) {
            JsonNode ran = ran(line);
            switch (algorithm(line)) {
                case "none", "random" -> assertThat(List.of(ran.path("searchNfe").asLong(),
                        ran.path("finalNfe").asLong(), ran.path("verifierCalls").asLong())).as(algorithm(line))
                        .containsOnly(0L);
                // Its cuts solve partial grids, not cached; the winners' final solves are.
                case "prune" -> assertThat(ran.path("finalNfe").asLong()).isZero();
                // Neighbours depend on the pivot and the verifier: solved again.
                case "zero-order" -> assertThat(ran.path("searchNfe").asLong())
                        .isEqualTo(line.path("compute").path("searchNfe").asLong());
                default -> throw new AssertionError(algorithm(line));
            }
            assertThat(ran.path("gflops").asDouble()).isLessThanOrEqualTo(line.path("compute").path("gflops")
                    .asDouble());
        }
        assertThat(second.out()).containsPattern("GFLOPs spent for [0-9.]+ accounted, [0-9.]+ of them run");
        assertThat(Files.readString(temp.resolve("second/index.html"))).contains("Solve cache", "ran GFLOPs");
        assertThat(temp.resolve("first/cache")).doesNotExist();
    }

    @Test
    void theCacheLivesInTheOutputFolderUnlessNamedAndNoCacheKeepsNone() throws IOException {
        String yaml = GMM.formatted("oracle");
        run(yaml, "default");
        assertThat(temp.resolve("default/cache")).isDirectory();
        try (Stream<Path> files = Files.list(temp.resolve("default/cache"))) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).singleElement().asString()
                    .startsWith("solves-").endsWith(".bin");
        }
        run(yaml, "none", "--no-cache");
        assertThat(temp.resolve("none/cache")).doesNotExist();
        assertThat(deterministic(temp.resolve("none"))).isEqualTo(deterministic(temp.resolve("default")));
        for (JsonNode line : lines(temp.resolve("none"))) {
            assertThat(ran(line).path("gflops").asDouble()).isEqualTo(line.path("reuse").isMissingNode()
                    ? line.path("compute").path("gflops").asDouble()
                    : line.path("reuse").path("spent").path("gflops").asDouble());
        }
        CliRun both = profile(ProfileCommandTest.writeSweep(temp, yaml), temp.resolve("both"), "--no-cache",
                "--cache", temp.resolve("c").toString());
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.errLines()).singleElement().asString().contains("--cache", "--no-cache");
    }

    @Test
    void aSweepThatAddsAVerifierSolvesNothingAgainForTheKeyedSearches() throws IOException {
        String cache = temp.resolve("shared").toString();
        run(GMM.formatted("oracle"), "oracle", "--cache", cache);
        run(GMM.formatted("[oracle, posterior]"), "both", "--cache", cache);
        List<JsonNode> posterior = lines(temp.resolve("both")).stream()
                .filter(l -> l.path("configuration").path("verifier").asText().equals("posterior"))
                .filter(l -> List.of("none", "random").contains(algorithm(l))).toList();
        assertThat(posterior).hasSize(3);
        for (JsonNode line : posterior) {
            assertThat(ran(line).path("searchNfe").asLong()).as(algorithm(line)).isZero();
            // A winner the oracle did not choose has its final solve run now (heun x8: 15 NFEs), once.
            long finalNfe = ran(line).path("finalNfe").asLong();
            assertThat(finalNfe % 15).isZero();
            assertThat(finalNfe).isLessThan(line.path("compute").path("finalNfe").asLong());
            if (algorithm(line).equals("none")) {
                assertThat(finalNfe).isZero();
            }
        }
        assertThat(posterior.stream().mapToLong(l -> ran(l).path("verifierCalls").asLong()).sum())
                .as("the new verifier scores the cached samples").isPositive();
        assertThat(deterministic(temp.resolve("both")).stream()
                .filter(l -> l.path("configuration").path("verifier").asText().equals("oracle")).toList())
                .isEqualTo(deterministic(temp.resolve("oracle")));
    }

    @Test
    void aDamagedCacheFileIsSkippedWithAWarning() throws IOException {
        Path cache = Files.createDirectories(temp.resolve("shared"));
        Files.writeString(cache.resolve("solves-1-damaged.bin"), "NSCACHE\n but nothing else a cache holds");
        CliRun run = run(GMM.formatted("oracle"), "out", "--cache", cache.toString());
        assertThat(run.err()).contains("profile: warning: cache file", "solves-1-damaged.bin");
    }

    /** The trained flow's folder copied; a byte appended to its ONNX file (a field ONNX Runtime skips) must miss. */
    @Test
    void aChangedModelFileMisses() throws IOException {
        Path models = Files.createDirectories(temp.resolve("models"));
        for (String name : List.of("mnist-flow-s", "mnist-classifier", "mnist-eval")) {
            Path from = DemoCommandTest.trainedModels().resolve(name);
            Path to = Files.createDirectories(models.resolve(name));
            try (Stream<Path> files = Files.list(from)) {
                for (Path file : files.toList()) {
                    Files.copy(file, to.resolve(file.getFileName()));
                }
            }
        }
        String yaml = """
                models: mnist-flow-s
                verifiers: classifier
                algorithms:
                  - {name: random, candidates: 2}
                searchSteps: 2
                finalSteps: 3
                evaluation: {perClass: 1}
                """;
        String cache = temp.resolve("shared").toString();
        String[] options = {"--models-dir", models.toString(), "--cache", cache};
        run(yaml, "first", options);
        run(yaml, "same", options);
        assertThat(ran(lines(temp.resolve("same")).getFirst()).path("forwardPasses").asLong()).isZero();
        // Field 100, varint 1: a field the ONNX model's schema does not have, which its parser skips.
        Files.write(models.resolve("mnist-flow-s/model.onnx"), new byte[] {(byte) 0xA0, 0x06, 0x01},
                StandardOpenOption.APPEND);
        run(yaml, "changed", options);
        JsonNode changed = lines(temp.resolve("changed")).getFirst();
        assertThat(ran(changed).path("forwardPasses").asLong())
                .isEqualTo(changed.path("compute").path("forwardPasses").asLong()).isPositive();
    }
}

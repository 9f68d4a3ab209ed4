package io.noisesearch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.noisesearch.model.BuiltinModels;
import io.noisesearch.model.GaussianMixture;
import io.noisesearch.profile.ResultsLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code profile}: a sweep file's configurations each generate the evaluation set and are measured; results.jsonl
 * survives kills and resumes to the uninterrupted result; shards split the configurations exactly.
 */
class ProfileCommandTest {

    /** Six configurations on the exact mixture (Heun x10; search Heun x5, 9 NFEs), three samples each. */
    static final String GMM_SWEEP = """
            name: gmm tiny
            models: gmm-image
            verifiers: oracle
            algorithms:
              - {name: none, finalSteps: [5, 10]}
              - {name: random, candidates: [2, 4]}
              - {name: zero-order, neighbours: 2, iterations: 1}
              - {name: paths, paths: 1}
            searchSteps: 5
            evaluation: {perClass: 1, classes: [0, 3, 7]}
            """;

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private Path sweep(String yaml) throws IOException {
        return writeSweep(temp, yaml);
    }

    /** The sweep text as a file in {@code dir}, named by its hash so that several sweeps can sit side by side. */
    static Path writeSweep(Path dir, String yaml) throws IOException {
        Path file = dir.resolve("sweep-" + Math.abs(yaml.hashCode()) + ".yaml");
        Files.writeString(file, yaml);
        return file;
    }

    static CliRun profile(Path sweep, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("profile", sweep.toString(), "--out", out.toString(),
                "--threads", "1"));
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    static List<JsonNode> lines(Path out) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve(ResultsLog.FILE))) {
            lines.add(JSON.readTree(line));
        }
        return lines;
    }

    /**
     * The lines without what varies from run to run: wall times and memory, and what was spent where best-of-N
     * points shared a pool (which depends on which points ran together).
     */
    static List<JsonNode> deterministic(Path out) throws IOException {
        List<JsonNode> lines = lines(out);
        lines.forEach(line -> ((ObjectNode) line).remove(List.of("measured", "reuse")));
        return lines;
    }

    @Test
    void dryRunPrintsThePlannedSearchNfesOfTheClosedFormsAndWritesNothing() throws IOException {
        Path out = temp.resolve("never");
        CliRun run = profile(sweep("""
                models: gmm-image
                verifiers: oracle
                algorithms:
                  - {name: random, candidates: 4}
                  - {name: zero-order, neighbours: 2, iterations: 3}
                  - {name: paths, paths: 1}
                  - {name: random, candidates: 8, budgets: 100}
                """), out, "--dry-run");
        assertThat(run.exitCode()).as(run.err()).isZero();
        long flops = BuiltinModels.info("gmm-image").flopsPerSample();
        // Heun x10: 19 NFEs a solve. Random N = 4: 4 x 19; zero-order (1 + N K) x 19; paths N (12 + M (7 x 5 + 3)).
        assertThat(row(run.out(), "random candidates=4")).contains(" 76 ",
                String.format(Locale.ROOT, " %.4f ", 76 * flops / 1e9));
        assertThat(row(run.out(), "zero-order")).contains(" " + 7 * 19 + " ");
        assertThat(row(run.out(), "paths")).contains(" 88 ");
        assertThat(row(run.out(), "candidates=8")).contains(" 100 (of 152) ");
        assertThat(run.out()).contains("4 configurations");
        assertThat(out).doesNotExist();
    }

    @Test
    void dryRunTotalsAccountEachPointAloneAndPlanTheSpendOfPrefixReuse() throws IOException {
        CliRun run = profile(sweep("""
                models: gmm-image
                verifiers: oracle
                algorithms:
                  - none
                  - {name: random, candidates: [2, 4, 8]}
                searchSteps: 5
                finalSteps: 10
                budgets: [unlimited, 40]
                evaluation: {perClass: 1, classes: [0, 3, 7]}
                """), temp.resolve("never"), "--dry-run");
        assertThat(run.exitCode()).as(run.err()).isZero();
        // Search Heun x5: 9 NFEs a candidate; final Heun x10: 19. Per sample, alone: none 19; unlimited N = 2, 4, 8:
        // 18 + 19, 36 + 19, 72 + 19; budget 40: N = 2 and 4 as before, N = 8 capped at 40 (+ 19) and alone (its pool
        // would exceed the budget). With reuse a group costs its largest point plus one final solve (19) per other
        // point; N = 2 and 4 at budget 40 draw their whole pools, so they join the unlimited group: 91 + 4 x 19.
        long accounted = 19 + (37 + 55 + 91) + (37 + 55) + 59;
        long spent = 19 + (91 + 4 * 19) + 59;
        double perNfe = 3 * BuiltinModels.info("gmm-image").flopsPerSample() / 1e9;
        assertThat(run.out()).contains(String.format(Locale.ROOT, "%.2f accounted", accounted * perNfe),
                String.format(Locale.ROOT, "%.2f planned to spend with prefix reuse (1 best-of-N groups of 5",
                        spent * perNfe),
                String.format(Locale.ROOT, "%.2fx less", (double) accounted / spent));
    }

    private static String row(String table, String containing) {
        return table.lines().filter(l -> l.contains(containing)).findFirst().orElseThrow();
    }

    @Test
    void aTinySweepOnTheExactMixtureWritesResultsTablesPlotsAndPage() throws IOException {
        Path out = temp.resolve("out");
        CliRun run = profile(sweep(GMM_SWEEP), out);
        assertThat(run.exitCode()).as(run.err()).isZero();

        List<JsonNode> lines = lines(out);
        assertThat(lines).hasSize(6);
        assertThat(lines).extracting(l -> l.path("index").asInt()).containsExactly(0, 1, 2, 3, 4, 5);
        JsonNode random = lines.get(2);
        assertThat(random.path("configuration").path("parameters").path("candidates").asInt()).isEqualTo(2);
        assertThat(random.path("samples").asInt()).isEqualTo(3);
        assertThat(random.path("precision").asText()).isEqualTo("fp32");
        JsonNode compute = random.path("compute");
        assertThat(compute.path("plannedSearchNfe").asLong()).isEqualTo(2 * 9);
        assertThat(compute.path("searchNfe").asLong()).isEqualTo(3 * 2 * 9);
        assertThat(compute.path("finalNfe").asLong()).isEqualTo(3 * 19);
        GaussianMixture mixture = BuiltinModels.mixture("gmm-image");
        assertThat(compute.path("denoiserGflops").asDouble())
                .isCloseTo(compute.path("forwardPasses").asLong() * mixture.predictFlops() / 1e9, within(1e-12));
        assertThat(compute.path("verifierGflops").asDouble())
                .isCloseTo(compute.path("verifierCalls").asLong() * mixture.densityFlops() / 1e9, within(1e-12));
        assertThat(compute.path("denoiserGflops").asDouble() + compute.path("verifierGflops").asDouble())
                .isCloseTo(compute.path("gflops").asDouble(), within(1e-12));
        // The oracle verifier is the exact oracle: its mean score is the oracle log-density.
        JsonNode quality = random.path("quality");
        assertThat(quality.path("meanVerifierScore").asDouble())
                .isCloseTo(quality.path("meanOracleLogDensity").asDouble(), within(1e-4));
        assertThat(quality.path("fid").isNull()).isTrue();
        assertThat(lines.get(5).path("compute").path("finalNfe").asLong()).as("paths returns its searched sample")
                .isZero();

        assertThat(Files.readAllLines(out.resolve("results.csv"))).hasSize(7)
                .first().asString().startsWith("index,id,model,verifier,algorithm");
        for (String plot : List.of("oracle-log-density-vs-nfe.png", "oracle-log-density-vs-gflops.png",
                "verifier-score-vs-nfe.png", "verifier-score-vs-gflops.png")) {
            assertThat(out.resolve(plot)).exists();
            assertThat(Files.readAllBytes(out.resolve(plot))).startsWith(0x89, 'P', 'N', 'G');
        }
        assertThat(out.resolve("accuracy-vs-nfe.png")).as("mixtures have no evaluation network").doesNotExist();
        String page = Files.readString(out.resolve("index.html"));
        assertThat(page).contains("gmm tiny", "steps only (none) / oracle", "random / oracle", "paths / oracle",
                "data:image/png;base64,");
        assertThat(page).doesNotContain("src=\"http", "href=\"http");
        lines.forEach(line -> assertThat(page).contains(line.path("id").asText()));
        assertThat(run.err().lines().filter(l -> l.startsWith("profile ["))).hasSize(6)
                .allSatisfy(l -> assertThat(l).contains("elapsed", "ETA"));
        assertThat(run.out()).contains("profiled 6 configurations");
    }

    @Test
    void aTrainedModelSweepIsMeasuredByItsEvaluationNetwork() throws IOException {
        Path out = temp.resolve("mnist");
        CliRun run = profile(sweep("""
                models: mnist-flow-s
                verifiers: classifier
                algorithms:
                  - {name: none, finalSteps: 4}
                  - {name: random, candidates: 2}
                searchSteps: 2
                finalSteps: 4
                evaluation: {perClass: 1}
                """), out, "--models-dir", DemoCommandTest.trainedModels().toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<JsonNode> lines = lines(out);
        assertThat(lines).hasSize(2);
        for (JsonNode line : lines) {
            JsonNode quality = line.path("quality");
            assertThat(line.path("samples").asInt()).isEqualTo(10);
            assertThat(quality.path("accuracy").asDouble()).isBetween(0.0, 1.0);
            assertThat(quality.path("inceptionScore").asDouble()).isBetween(1.0 - 1e-6, 10.0 + 1e-6);
            assertThat(quality.path("fid").asDouble()).isFinite().isGreaterThan(-1e-6);
            assertThat(quality.path("precision").asDouble()).isBetween(0.0, 1.0);
            assertThat(quality.path("recall").asDouble()).isBetween(0.0, 1.0);
            assertThat(quality.path("perClassAccuracy")).hasSize(10);
            assertThat(quality.path("meanOracleLogDensity").isNull()).isTrue();
            assertThat(line.path("compute").path("verifierGflops").asDouble()).isPositive();
        }
        assertThat(lines.get(1).path("compute").path("searchNfe").asLong()).isEqualTo(10 * 2 * 2);
        for (String metric : List.of("accuracy", "inception-score", "fid", "precision", "recall", "verifier-score")) {
            assertThat(out.resolve(metric + "-vs-nfe.png")).exists();
            assertThat(out.resolve(metric + "-vs-gflops.png")).exists();
        }
    }

    @Test
    void resumingAfterAKillGivesTheSameResultsAsAnUninterruptedRun() throws IOException {
        Path sweep = sweep(GMM_SWEEP);
        Path whole = temp.resolve("whole");
        assertThat(profile(sweep, whole).exitCode()).isZero();
        List<String> written = Files.readAllLines(whole.resolve(ResultsLog.FILE));

        // Killed while writing the third line.
        Path cut = temp.resolve("cut");
        Files.createDirectories(cut);
        String third = written.get(2);
        Files.writeString(cut.resolve(ResultsLog.FILE), written.get(0) + "\n" + written.get(1) + "\n"
                + third.substring(0, third.length() / 2));
        CliRun resumed = profile(sweep, cut, "--resume");
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(resumed.err()).contains("2 already in results.jsonl, 4 to run");
        assertThat(deterministic(cut)).isEqualTo(deterministic(whole));

        // Killed between configurations: the last lines never written.
        Path early = temp.resolve("early");
        Files.createDirectories(early);
        Files.write(early.resolve(ResultsLog.FILE), written.subList(0, 3));
        assertThat(profile(sweep, early, "--resume").exitCode()).isZero();
        assertThat(deterministic(early)).isEqualTo(deterministic(whole));

        // Nothing left to run: the outputs are drawn again and results.jsonl stays as it was.
        CliRun again = profile(sweep, whole, "--resume");
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(Files.readAllLines(whole.resolve(ResultsLog.FILE))).isEqualTo(written);
        assertThat(whole.resolve("index.html")).exists();
    }

    @Test
    void shardsTogetherHoldExactlyTheUnshardedConfigurations() throws IOException {
        Path sweep = sweep(GMM_SWEEP);
        Path whole = temp.resolve("whole");
        Path first = temp.resolve("shard0");
        Path second = temp.resolve("shard1");
        assertThat(profile(sweep, whole).exitCode()).isZero();
        assertThat(profile(sweep, first, "--shard", "0/2").exitCode()).isZero();
        assertThat(profile(sweep, second, "--shard", "1/2").exitCode()).isZero();

        List<JsonNode> shard0 = deterministic(first);
        List<JsonNode> shard1 = deterministic(second);
        assertThat(shard0).extracting(l -> l.path("index").asInt()).containsExactly(0, 2, 4);
        assertThat(shard1).extracting(l -> l.path("index").asInt()).containsExactly(1, 3, 5);
        List<JsonNode> together = new ArrayList<>(shard0);
        together.addAll(shard1);
        assertThat(together).containsExactlyInAnyOrderElementsOf(deterministic(whole));
    }

    @Test
    void anEarlierResultsFileWithoutResumeIsOneLineNamingResume() throws IOException {
        Path sweep = sweep(GMM_SWEEP.replace("[0, 3, 7]", "[1]"));
        Path out = temp.resolve("out");
        assertThat(profile(sweep, out).exitCode()).isZero();
        CliRun again = profile(sweep, out);
        assertThat(again.exitCode()).isEqualTo(2);
        assertThat(again.errLines()).singleElement().asString().contains("--resume");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown axis        | models: gmm-image¶verifiers: oracle¶algorithms: none¶seeds: 3       | seeds: unknown key
            bad value           | models: gmm-image¶verifiers: oracle¶algorithms: [none, {name: random, candidates: 0}] | algorithms[1].candidates: must be at least 1, got 0
            empty axis          | models: gmm-image¶verifiers: []¶algorithms: none                    | verifiers: is empty
            unknown model       | models: [gmm-image, nope]¶verifiers: oracle¶algorithms: none        | models[1]: unknown model 'nope'
            unknown verifier    | models: gmm-image¶verifiers: [oracle, oracel]¶algorithms: none      | verifiers[1]: unknown verifier 'oracel'
            unsuited verifier   | models: gmm-image¶verifiers: classifier¶algorithms: none            | verifiers: model gmm-image has no classifier model
            class out of range  | models: gmm-image¶verifiers: oracle¶algorithms: none¶evaluation: {classes: [3, 12]} | evaluation.classes[1]: 12 is outside 0..9
            """)
    void aBadSweepEndsInOneLineNamingTheKeyAndExit2(String name, String yaml, String expected) throws IOException {
        Path file = sweep(yaml.replace('¶', '\n'));
        CliRun run = profile(file, temp.resolve("bad"), "--dry-run");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).singleElement().asString().startsWith("noisesearch: " + file + ": " + expected);
    }

    @Test
    void aTrainedModelsEvaluationSetNeedsMoreThanThreeSamples() throws IOException {
        Path file = sweep("models: mnist-flow-s\nverifiers: classifier\nalgorithms: none\n"
                + "evaluation: {perClass: 1, classes: [0, 1, 2]}\n");
        CliRun run = profile(file, temp.resolve("bad"), "--dry-run", "--models-dir",
                DemoCommandTest.trainedModels().toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).singleElement().asString().contains("evaluation.perClass: the evaluation network"
                + " of mnist-flow-s needs more than 3 samples, the set has 3");
    }

    /** Two random-search configurations on the exact mixture (Heun x10: 4 x 19 and 8 x 19 search NFEs). */
    private static final String OVERRIDDEN = """
            models: gmm-image
            verifiers: oracle
            algorithms: [{name: random, candidates: [4, 8]}]
            evaluation: {perClass: 1, classes: [0, 3, 7]}
            """;

    @Test
    void setReplacesAnAxisOfTheFile() throws IOException {
        CliRun run = profile(sweep(OVERRIDDEN), temp.resolve("never"), "--dry-run", "--set", "budgets=50");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(row(run.out(), "candidates=4")).contains(" 50 (of 76) ");
        assertThat(row(run.out(), "candidates=8")).contains(" 50 (of 152) ");
        assertThat(run.out()).contains("2 configurations");
    }

    @Test
    void setTakesAYamlListAndAnEvaluationKey() throws IOException {
        CliRun run = profile(sweep(OVERRIDDEN), temp.resolve("never"), "--dry-run", "--set",
                "algorithms=[{name: random, candidates: 2}]", "--set", "budgets=[unlimited, 20]", "--set",
                "evaluation.perClass=2");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("2 configurations").doesNotContain("candidates=4");
        assertThat(row(run.out(), "candidates=2")).contains(" 38 ", "  6  ");
        assertThat(run.out()).contains(" 20 (of 38) ");
    }

    @Test
    void resumeWithTheSameOverridesResumes() throws IOException {
        Path sweep = sweep(GMM_SWEEP);
        String[] set = {"--set", "evaluation.classes=[1, 2]", "--set", "algorithms=[none, {name: random, candidates: 2}]"};
        Path whole = temp.resolve("whole");
        assertThat(profile(sweep, whole, set).exitCode()).isZero();
        List<String> written = Files.readAllLines(whole.resolve(ResultsLog.FILE));
        assertThat(written).hasSize(2);

        Path cut = temp.resolve("cut");
        Files.createDirectories(cut);
        Files.writeString(cut.resolve(ResultsLog.FILE), written.getFirst() + "\n");
        List<String> resume = new ArrayList<>(List.of(set));
        resume.add("--resume");
        CliRun resumed = profile(sweep, cut, resume.toArray(String[]::new));
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(resumed.err()).contains("1 already in results.jsonl, 1 to run");
        assertThat(deterministic(cut)).isEqualTo(deterministic(whole));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown key            | seeds=3                  | --set seeds: unknown key for the sweep
            unknown evaluation key | evaluation.seeds=3       | --set evaluation.seeds: unknown key for the evaluation set
            bad value              | finalSteps=[10, 0]       | --set finalSteps[1]: must be at least 1, got 0
            bad evaluation value   | evaluation.perClass=many | --set evaluation.perClass: expected a whole number
            unknown model          | models=[gmm-image, nope] | --set models[1]: unknown model 'nope'
            not YAML               | budgets=[1, 2            | --set budgets: not valid YAML
            no value               | verifiers=               | --set verifiers: has no value
            no key                 | =3                       | --set =3: expected KEY=VALUE
            """)
    void aBadSetIsOneLineNamingTheOptionAndExit2(String name, String option, String expected) throws IOException {
        CliRun run = profile(sweep(OVERRIDDEN), temp.resolve("bad"), "--dry-run", "--set", option);
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).singleElement().asString().startsWith("noisesearch: " + expected);
    }

    @Test
    void aBadShardIsOneLineNamingTheOption() throws IOException {
        CliRun run = profile(sweep(GMM_SWEEP), temp.resolve("bad"), "--shard", "2/2");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).singleElement().asString().contains("--shard");
    }
}

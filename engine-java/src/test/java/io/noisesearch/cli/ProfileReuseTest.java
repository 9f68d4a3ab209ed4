package io.noisesearch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static io.noisesearch.cli.ProfileCommandTest.deterministic;
import static io.noisesearch.cli.ProfileCommandTest.lines;
import static io.noisesearch.cli.ProfileCommandTest.profile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Prefix reuse in {@code profile}: random searches that differ only in N (and in a budget that lets each draw its
 * whole pool) are measured from the pool of the largest, and each results line is what the configuration gives run
 * alone. Alone here: shards that hold no two members of a group (one configuration each where budgets group too),
 * merged.
 */
class ProfileReuseTest {

    /** 2 verifiers x N = 1, 3, 4 x equal and different final solvers x no budget and 27 NFEs (N = 3 x Heun x5). */
    private static final String GMM = """
            name: gmm reuse
            models: gmm-image
            verifiers: [oracle, "ensemble:oracle,posterior"]
            algorithms:
              - {name: random, candidates: [1, 3, 4]}
            searchSolver: heun
            searchSteps: 5
            finalSteps: [5, 10]
            budgets: [unlimited, 27]
            evaluation: {perClass: 2, classes: [0, 3, 7]}
            """;

    @TempDir
    Path temp;

    private Path sweep(String yaml) throws IOException {
        return ProfileCommandTest.writeSweep(temp, yaml);
    }

    /** The sweep run whole (with reuse) and as {@code shards} shards merged (each configuration alone). */
    private Path[] wholeAndAlone(String yaml, int shards, String... options) throws IOException {
        Path sweep = sweep(yaml);
        Path whole = temp.resolve("whole");
        CliRun run = profile(sweep, whole, options);
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("GFLOPs spent for");
        String[] merge = new String[3 + shards];
        merge[0] = "profile";
        merge[1] = "merge";
        merge[2] = temp.resolve("alone").toString();
        for (int k = 0; k < shards; k++) {
            Path shard = temp.resolve("shard" + k);
            String[] args = new String[options.length + 2];
            System.arraycopy(options, 0, args, 0, options.length);
            args[options.length] = "--shard";
            args[options.length + 1] = k + "/" + shards;
            CliRun part = profile(sweep, shard, args);
            assertThat(part.exitCode()).as(part.err()).isZero();
            assertThat(lines(shard)).allSatisfy(line -> assertThat(line.has("reuse")).as("alone").isFalse());
            merge[3 + k] = shard.toString();
        }
        assertThat(CliRun.of(merge).exitCode()).isZero();
        return new Path[] {whole, temp.resolve("alone")};
    }

    @Test
    void onTheExactMixtureEveryLineIsWhatTheConfigurationGivesAlone() throws IOException {
        Path[] runs = wholeAndAlone(GMM, 24);
        assertThat(deterministic(runs[0])).as("a group's lines are appended together")
                .containsExactlyInAnyOrderElementsOf(deterministic(runs[1]));

        Map<String, JsonNode> byName = lines(runs[0]).stream().collect(Collectors.toMap(
                l -> l.path("configuration").path("verifier").asText() + " N=" + l.path("configuration")
                        .path("parameters").path("candidates").asInt() + " final=" + l.path("solvers").path("last")
                        .asText() + " budget=" + l.path("configuration").path("budgetNfe").asText(),
                Function.identity()));
        JsonNode pool = byName.get("oracle N=4 final=heun x10 budget=null");
        JsonNode one = byName.get("oracle N=1 final=heun x10 budget=null");
        assertThat(pool.path("reuse").path("reused").asBoolean()).isFalse();
        assertThat(one.path("reuse").path("reused").asBoolean()).isTrue();
        assertThat(one.path("reuse").path("pool").asText()).isEqualTo(pool.path("id").asText());
        assertThat(pool.path("reuse").path("spent")).isEqualTo(pool.path("compute"));
        // Best of 1 is candidate 0: its final solve is spent only where the pool of 4 did not choose it.
        assertThat(one.path("reuse").path("spent").path("searchNfe").asLong()).isZero();
        assertThat(one.path("reuse").path("spent").path("finalNfe").asLong()).isEqualTo(19L
                * one.path("reuse").path("spent").path("verifierCalls").asLong()).isLessThanOrEqualTo(6 * 19);
        assertThat(one.path("compute").path("searchNfe").asLong()).isEqualTo(6 * 9);
        // A budget of 27 NFEs lets N = 1 and 3 draw their whole pool, not N = 4: that one runs alone; the other two
        // join the unbudgeted group, whose pool of 4 serves them.
        assertThat(byName.get("oracle N=4 final=heun x10 budget=27").has("reuse")).isFalse();
        for (String n : List.of("1", "3")) {
            JsonNode point = byName.get("oracle N=" + n + " final=heun x10 budget=27");
            assertThat(point.path("reuse").path("reused").asBoolean()).isTrue();
            assertThat(point.path("reuse").path("pool").asText()).isEqualTo(pool.path("id").asText());
        }

        double spent = 0;
        double accounted = 0;
        for (JsonNode line : lines(runs[0])) {
            JsonNode own = line.has("reuse") ? line.path("reuse").path("spent") : line.path("compute");
            spent += own.path("gflops").asDouble();
            accounted += line.path("compute").path("gflops").asDouble();
        }
        assertThat(spent).isLessThan(accounted);
        String page = Files.readString(runs[0].resolve("index.html"));
        assertThat(page).contains("Prefix reuse", String.format(java.util.Locale.ROOT, "Spent in all: %.4f GFLOPs"
                + " for %.4f accounted", spent, accounted));
        assertThat(accounted).isCloseTo(lines(runs[1]).stream()
                .mapToDouble(l -> l.path("compute").path("gflops").asDouble()).sum(), within(1e-9));
    }

    @Test
    void onTheTrainedFlowWithAnEnsembleAndACheaperSearchSolverEveryLineIsWhatItGivesAlone() throws IOException {
        Path[] runs = wholeAndAlone("""
                models: mnist-flow-s
                verifiers: [classifier, "ensemble:classifier,ssl"]
                algorithms:
                  - {name: random, candidates: [1, 2, 4]}
                searchSteps: 2
                finalSteps: 4
                evaluation: {perClass: 1}
                """, 3, "--models-dir", DemoCommandTest.trainedModels().toString());
        List<JsonNode> whole = deterministic(runs[0]);
        assertThat(whole).hasSize(6);
        assertThat(whole).containsExactlyInAnyOrderElementsOf(deterministic(runs[1]));
        assertThat(lines(runs[0])).filteredOn(l -> l.path("reuse").path("reused").asBoolean()).hasSize(4);
    }

    @Test
    void randomPointsSizedToTheirBudgetsShareOnePoolAndGiveWhatTheyGiveAlone() throws IOException {
        // Heun x5 is 9 NFEs a candidate: N = 2, 4, 8 fit their budgets whole (8 at 72 exactly); N = 16 at 64 is cut.
        Path[] runs = wholeAndAlone("""
                name: gmm budgets
                models: gmm-image
                verifiers: oracle
                algorithms:
                  - {name: random, candidates: 2, budgets: 18}
                  - {name: random, candidates: 4, budgets: 40}
                  - {name: random, candidates: 8, budgets: [72, unlimited]}
                  - {name: random, candidates: 16, budgets: 64}
                searchSolver: heun
                searchSteps: 5
                finalSteps: 10
                evaluation: {perClass: 2, classes: [0, 3, 7]}
                """, 5);
        assertThat(deterministic(runs[0])).isEqualTo(deterministic(runs[1]));
        List<JsonNode> lines = lines(runs[0]);
        String pool = lines.get(2).path("id").asText();
        for (int k : new int[] {0, 1, 3}) {
            assertThat(lines.get(k).path("reuse").path("pool").asText()).as("line %d", k).isEqualTo(pool);
            assertThat(lines.get(k).path("reuse").path("reused").asBoolean()).as("line %d", k).isTrue();
            assertThat(lines.get(k).path("reuse").path("spent").path("searchNfe").asLong()).isZero();
        }
        assertThat(lines.get(2).path("reuse").path("reused").asBoolean()).isFalse();
        assertThat(lines.get(4).has("reuse")).isFalse();
        assertThat(lines.get(4).path("compute").path("budgetExhausted").asInt()).isEqualTo(6);
        assertThat(lines.get(1).path("compute").path("searchNfe").asLong()).isEqualTo(6 * 4 * 9);
    }
}

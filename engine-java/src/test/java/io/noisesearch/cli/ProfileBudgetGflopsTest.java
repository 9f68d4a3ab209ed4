package io.noisesearch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.noisesearch.model.BuiltinModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.noisesearch.cli.ProfileCommandTest.deterministic;
import static io.noisesearch.cli.ProfileCommandTest.lines;
import static io.noisesearch.cli.ProfileCommandTest.profile;
import static io.noisesearch.cli.ProfileCommandTest.writeSweep;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code budgetGflops}: a search budget in the search's denoiser GFLOPs per sample, converted per configuration into
 * the engine's NFE budget (the most NFEs whose forward passes stay within it).
 */
class ProfileBudgetGflopsTest {

    /** The exact mixture: guidance 1 (one pass per NFE), search Heun x5 = 9 NFEs a candidate. */
    private static final long FLOPS = BuiltinModels.info("gmm-image").flopsPerSample();

    @TempDir
    Path temp;

    /** The GFLOPs of {@code nfe} forward passes of the mixture, as YAML reads it back. */
    private static String gflops(double nfe) {
        return String.valueOf(nfe * FLOPS / 1e9);
    }

    private static String sweep(String budgetAxis) {
        return """
                models: gmm-image
                verifiers: oracle
                algorithms:
                  - {name: random, candidates: 8}
                  - {name: zero-order, neighbours: 2, iterations: 4}
                searchSteps: 5
                %s
                evaluation: {perClass: 1, classes: [0, 3, 7]}
                """.formatted(budgetAxis);
    }

    /** The lines without their configuration and id, which name the budget's unit. */
    private static List<JsonNode> outcomes(Path out) throws IOException {
        List<JsonNode> lines = deterministic(out);
        lines.forEach(line -> ((ObjectNode) line).remove(List.of("id", "configuration")));
        return lines;
    }

    @Test
    void aGflopsBudgetRunsAsTheNfeBudgetItConvertsTo() throws IOException {
        Path inGflops = temp.resolve("gflops");
        Path inNfes = temp.resolve("nfes");
        // 36 NFEs' GFLOPs exactly, and 20.5 NFEs' (20 whole NFEs fit).
        CliRun a = profile(writeSweep(temp, sweep("budgetGflops: [" + gflops(36) + ", " + gflops(20.5) + "]")),
                inGflops);
        CliRun b = profile(writeSweep(temp, sweep("budgets: [36, 20]")), inNfes);
        assertThat(a.exitCode()).as(a.err()).isZero();
        assertThat(b.exitCode()).as(b.err()).isZero();

        assertThat(outcomes(inGflops)).isEqualTo(outcomes(inNfes));
        List<JsonNode> lines = lines(inGflops);
        assertThat(lines).extracting(l -> l.path("configuration").path("budgetGflops").asDouble())
                .containsExactly(36.0 * FLOPS / 1e9, 20.5 * FLOPS / 1e9, 36.0 * FLOPS / 1e9, 20.5 * FLOPS / 1e9);
        assertThat(lines).allSatisfy(l -> assertThat(l.path("configuration").path("budgetNfe").isNull()).isTrue());
        // Random N = 8 plans 72 search NFEs: the budget stops it, within the GFLOPs of the search.
        assertThat(lines.get(1).path("compute").path("searchNfe").asLong()).isEqualTo(3 * 18);
        assertThat(lines.get(1).path("compute").path("budgetExhausted").asInt()).isEqualTo(3);
        assertThat(Files.readAllLines(inGflops.resolve("results.csv")).getFirst()).contains(",budgetGflops,");
        assertThat(inGflops.resolve("verifier-score-vs-budget-gflops.png")).exists();
        assertThat(inNfes.resolve("verifier-score-vs-budget-gflops.png")).doesNotExist();
    }

    @Test
    void dryRunShowsTheConvertedNfesWithTwoPassesPerNfeUnderGuidance() throws IOException {
        CliRun run = profile(writeSweep(temp, """
                models: gmm-image
                verifiers: oracle
                algorithms: [{name: random, candidates: 8}]
                searchSteps: 5
                budgetGflops: %s
                guidance: [default, 2.0]
                """.formatted(gflops(36))), temp.resolve("never"), "--dry-run");
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> rows = run.out().lines().filter(l -> l.contains("random candidates=8")).toList();
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0)).contains(" 36 (of 72) ", "budget " + gflops(36) + " GFLOPs (36 search NFEs)");
        assertThat(rows.get(1)).contains(" 18 (of 72) ", "cfg 2.0", "(18 search NFEs)");
    }

    @Test
    void setBudgetGflopsReplacesTheFilesBudgetsAndABadOneNamesIt() throws IOException {
        Path file = writeSweep(temp, sweep("budgets: [36, 20]"));
        CliRun run = profile(file, temp.resolve("never"), "--dry-run", "--set", "budgetGflops=" + gflops(36));
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("2 configurations", "(36 search NFEs)");

        CliRun bad = profile(file, temp.resolve("bad"), "--dry-run", "--set", "budgetGflops=[1, -2]");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.errLines()).singleElement().asString()
                .startsWith("noisesearch: --set budgetGflops[1]: must be a finite number of at least 0, got -2");
    }
}

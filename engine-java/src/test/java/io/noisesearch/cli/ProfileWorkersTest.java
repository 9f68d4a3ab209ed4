package io.noisesearch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.noisesearch.profile.ResultsLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import static io.noisesearch.cli.ProfileCommandTest.deterministic;
import static io.noisesearch.cli.ProfileCommandTest.lines;
import static io.noisesearch.cli.ProfileCommandTest.profile;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code profile --workers k}: units run at once on one engine, and the files end as a run with one worker writes them
 * (apart from the measured times and memory), also after a kill and {@code --resume}, and per shard.
 */
class ProfileWorkersTest {

    /**
     * Twelve configurations on the exact mixture in eight units: best-of-N groups for each budget (N = 2 and 4 under
     * no budget and under 40 NFEs) whose members interleave in the sweep's order, and single configurations.
     */
    static final String SWEEP = """
            models: gmm-image
            verifiers: [oracle, posterior]
            algorithms:
              - {name: none, finalSteps: 5}
              - {name: random, candidates: [2, 4]}
              - {name: zero-order, neighbours: 2, iterations: 1, budgets: 40}
            searchSteps: 5
            budgets: [unlimited, 40]
            evaluation: {perClass: 1, classes: [0, 3, 7]}
            """;

    /** The columns of results.csv that vary from run to run. */
    private static final Set<String> MEASURED = Set.of("wallMillis", "searchMillis", "finalMillis",
            "evaluationMillis", "peakHeapBytes");

    @TempDir
    Path temp;

    private Path sweep() throws IOException {
        return ProfileCommandTest.writeSweep(temp, SWEEP);
    }

    /** The lines without {@code measured}; {@code reuse} stays, since the same groups ran whatever the workers. */
    private static List<JsonNode> withoutMeasured(Path out) throws IOException {
        List<JsonNode> lines = lines(out);
        lines.forEach(line -> ((ObjectNode) line).remove("measured"));
        return lines;
    }

    /** results.csv without the measured columns. */
    private static List<List<String>> csv(Path out) throws IOException {
        List<String> rows = Files.readAllLines(out.resolve("results.csv"));
        List<String> header = Arrays.asList(rows.getFirst().split(",", -1));
        int[] kept = IntStream.range(0, header.size()).filter(i -> !MEASURED.contains(header.get(i))).toArray();
        List<List<String>> table = new ArrayList<>();
        for (String row : rows) {
            String[] cells = row.split(",", -1);
            table.add(Arrays.stream(kept).mapToObj(i -> cells[i]).toList());
        }
        return table;
    }

    @Test
    void workersEndWithTheFilesOfOneWorkerInTheSweepsOrder() throws IOException {
        Path sweep = sweep();
        Path one = temp.resolve("one");
        Path three = temp.resolve("three");
        CliRun alone = profile(sweep, one);
        CliRun together = profile(sweep, three, "--workers", "3");
        assertThat(alone.exitCode()).as(alone.err()).isZero();
        assertThat(together.exitCode()).as(together.err()).isZero();
        assertThat(together.err()).contains("12 to run, 3 at once");

        assertThat(lines(one)).extracting(l -> l.path("index").asInt())
                .containsExactlyElementsOf(IntStream.range(0, 12).boxed().toList());
        assertThat(withoutMeasured(three)).isEqualTo(withoutMeasured(one));
        assertThat(lines(one)).filteredOn(l -> l.has("reuse")).hasSize(8);
        assertThat(csv(three)).isEqualTo(csv(one));
        assertThat(csv(one).getFirst()).contains("id", "parameters").doesNotContain("wallMillis");

        // A line says when its unit shared the engine: then its peak heap is the process's.
        assertThat(lines(one)).allSatisfy(l -> assertThat(l.path("measured").has("workers")).isFalse());
        assertThat(lines(three)).allSatisfy(l -> assertThat(l.path("measured").path("workers").asInt()).isEqualTo(3));
        // One progress line per configuration, whatever order the units finished in.
        assertThat(together.err().lines().filter(l -> l.startsWith("profile ["))).hasSize(12);
        assertThat(together.err()).contains("profile [12/12]");
    }

    @Test
    void aKilledRunWithWorkersResumesToTheResultsOfOneWorker() throws IOException {
        Path sweep = sweep();
        Path one = temp.resolve("one");
        assertThat(profile(sweep, one).exitCode()).isZero();
        List<String> written = Files.readAllLines(one.resolve(ResultsLog.FILE));

        // Units finished out of order, then a kill while the sixth line was written.
        Path cut = temp.resolve("cut");
        Files.createDirectories(cut);
        String partial = written.get(7).substring(0, written.get(7).length() / 3);
        Files.writeString(cut.resolve(ResultsLog.FILE), String.join("\n", written.get(9), written.get(2),
                written.get(0), written.get(6), written.get(11)) + "\n" + partial);
        CliRun resumed = profile(sweep, cut, "--resume", "--workers", "4");
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(resumed.err()).contains("5 already in results.jsonl, 7 to run, 4 at once");
        assertThat(deterministic(cut)).isEqualTo(deterministic(one));
        assertThat(csv(cut)).isEqualTo(csv(one));
    }

    @Test
    void aShardWithWorkersHoldsItsConfigurationsOfTheWholeRun() throws IOException {
        Path sweep = sweep();
        Path one = temp.resolve("one");
        Path shard = temp.resolve("shard");
        assertThat(profile(sweep, one).exitCode()).isZero();
        CliRun run = profile(sweep, shard, "--shard", "1/2", "--workers", "2");
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<JsonNode> whole = deterministic(one);
        assertThat(deterministic(shard)).isEqualTo(IntStream.range(0, 12).filter(k -> k % 2 == 1)
                .mapToObj(whole::get).toList());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "65", "many"})
    void aBadWorkersIsOneLineNamingTheOptionAndExit2(String workers) throws IOException {
        CliRun run = profile(sweep(), temp.resolve("bad"), "--workers", workers);
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).singleElement().asString().contains("--workers");
        assertThat(temp.resolve("bad")).doesNotExist();
    }
}

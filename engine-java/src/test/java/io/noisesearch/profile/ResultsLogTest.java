package io.noisesearch.profile;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.format.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** results.jsonl holds whole lines: a partial last line is cut off on resume; anything else wrong is an error. */
class ResultsLogTest {

    @TempDir
    Path dir;

    private final List<Configuration> configurations = SweepReaderTest.parse(
            "models: gmm-image\nverifiers: oracle\nalgorithms: [{name: random, candidates: [1, 2, 3]}]\n")
            .configurations();
    private final List<String> ids = configurations.stream().map(Configuration::id).toList();

    private ProfileResult result(int index) {
        Configuration c = configurations.get(index);
        return new ProfileResult(c.id(), index, c, new ProfileResult.Solvers("heun x10", "heun x10"), "fp32", 4,
                new ProfileResult.Quality(null, null, null, null, null, null, 1.5 + index, 2.0),
                new ProfileResult.Work(19L * (index + 1), 76, 0, 76, 4, 0.5, 0.25, 0.75, 0),
                new ProfileResult.Measured(10, 5, 0, 1, 1 << 20));
    }

    private String lines(int... indices) {
        StringBuilder text = new StringBuilder();
        for (int i : indices) {
            text.append(Json.line(result(i))).append('\n');
        }
        return text.toString();
    }

    @Test
    void appendedLinesReadBackAsTheSameResults() {
        try (ResultsLog log = ResultsLog.open(dir, false, "--resume", ids)) {
            log.append(result(0));
            log.append(result(1));
        }
        try (ResultsLog log = ResultsLog.open(dir, true, "--resume", ids)) {
            assertThat(log.results()).containsExactly(result(0), result(1));
            assertThat(log.contains(configurations.get(1).id())).isTrue();
            assertThat(log.contains(configurations.get(2).id())).isFalse();
        }
    }

    @Test
    void sortingPutsTheLinesInTheSweepsOrderKeepingTheirTextAndAppendsAfter() throws Exception {
        // Read back from a file whose lines finished out of order (workers), one with extra spaces a writer might keep.
        String spaced = Json.line(result(2)).replace(",", ", ");
        Files.writeString(dir.resolve(ResultsLog.FILE), spaced + "\n" + lines(0));
        try (ResultsLog log = ResultsLog.open(dir, true, "--resume", ids)) {
            log.sortBySweepOrder();
            assertThat(log.results()).containsExactly(result(0), result(2));
            log.append(result(1));
            log.sortBySweepOrder();
            assertThat(log.results()).containsExactly(result(0), result(1), result(2));
        }
        assertThat(Files.readString(dir.resolve(ResultsLog.FILE)))
                .isEqualTo(lines(0, 1) + spaced + "\n");
        assertThat(dir.resolve(ResultsLog.FILE + ".next")).doesNotExist();
    }

    @Test
    void aFileWithResultsNeedsResume() throws Exception {
        Files.writeString(dir.resolve(ResultsLog.FILE), lines(0));
        assertThatThrownBy(() -> ResultsLog.open(dir, false, "--resume", ids))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("add --resume");
    }

    @Test
    void resumingCutsAPartialLastLineAndAppendsAfterTheWholeOnes() throws Exception {
        String whole = lines(0, 1);
        String partial = Json.line(result(2));
        Files.writeString(dir.resolve(ResultsLog.FILE), whole + partial.substring(0, partial.length() / 2));
        try (ResultsLog log = ResultsLog.open(dir, true, "--resume", ids)) {
            assertThat(log.results()).containsExactly(result(0), result(1));
            assertThat(Files.readString(dir.resolve(ResultsLog.FILE))).isEqualTo(whole);
            log.append(result(2));
        }
        assertThat(Files.readString(dir.resolve(ResultsLog.FILE))).isEqualTo(lines(0, 1, 2));
    }

    @Test
    void aLastLineWithoutItsNewlineCountsAsPartial() throws Exception {
        String text = lines(0, 1);
        Files.writeString(dir.resolve(ResultsLog.FILE), text.substring(0, text.length() - 1));
        try (ResultsLog log = ResultsLog.open(dir, true, "--resume", ids)) {
            assertThat(log.results()).containsExactly(result(0));
        }
    }

    @Test
    void aBrokenLineBeforeTheLastIsAnErrorNamingTheLine() throws Exception {
        Files.writeString(dir.resolve(ResultsLog.FILE), lines(0) + "{\"id\": 3\n" + lines(1),
                StandardCharsets.UTF_8);
        assertThatThrownBy(() -> ResultsLog.open(dir, true, "--resume", ids))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("line 2 is not a result");
    }

    @Test
    void aResultOfAnotherSweepIsAnError() throws Exception {
        Files.writeString(dir.resolve(ResultsLog.FILE), lines(0, 1));
        List<String> others = List.of(configurations.get(0).id());
        assertThatThrownBy(() -> ResultsLog.open(dir, true, "--resume", others))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("line 2 holds configuration " + configurations.get(1).id());
    }

    @Test
    void resumingWithAnExtendedSweepRenumbersTheKeptLinesToItsOrder() throws Exception {
        // The earlier sweep ran N = 1 and N = 3 at indices 0 and 1; the extended one has N = 2 between them.
        ProfileResult third = result(2);
        ProfileResult earlier = new ProfileResult(third.id(), 1, third.configuration(), third.solvers(),
                third.precision(), third.samples(), third.quality(), third.compute(), third.measured());
        Files.writeString(dir.resolve(ResultsLog.FILE), lines(0) + Json.line(earlier) + "\n");
        try (ResultsLog log = ResultsLog.open(dir, true, "--resume", ids)) {
            assertThat(log.results()).containsExactly(result(0), result(2));
            log.append(result(1));
            log.sortBySweepOrder();
        }
        assertThat(Files.readString(dir.resolve(ResultsLog.FILE))).isEqualTo(lines(0, 1, 2));
        assertThat(ResultsLog.read(dir)).extracting(ProfileResult::index).containsExactly(0, 1, 2);
    }
}

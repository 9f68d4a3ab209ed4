package io.noisesearch.cli;

import io.noisesearch.profile.ResultsLog;
import io.noisesearch.profile.RunInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.noisesearch.cli.ProfileCommandTest.GMM_SWEEP;
import static io.noisesearch.cli.ProfileCommandTest.deterministic;
import static io.noisesearch.cli.ProfileCommandTest.profile;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code profile merge}: shard folders of one sweep join into what the unsharded run writes; others are refused. */
class ProfileMergeCommandTest {

    @TempDir
    Path temp;

    private Path sweep(String yaml) throws IOException {
        return ProfileCommandTest.writeSweep(temp, yaml);
    }

    private Path shard(Path sweep, String shard) {
        Path out = temp.resolve("shard-" + shard.replace('/', '-') + "-" + sweep.getFileName());
        CliRun run = profile(sweep, out, "--shard", shard);
        assertThat(run.exitCode()).as(run.err()).isZero();
        return out;
    }

    private static CliRun merge(Path out, Path... folders) {
        String[] args = new String[folders.length + 3];
        args[0] = "profile";
        args[1] = "merge";
        args[2] = out.toString();
        for (int i = 0; i < folders.length; i++) {
            args[i + 3] = folders[i].toString();
        }
        return CliRun.of(args);
    }

    @Test
    void shardsMergedAreTheUnshardedRunsResultsInTheSweepsOrder() throws IOException {
        Path sweep = sweep(GMM_SWEEP);
        Path whole = temp.resolve("whole");
        assertThat(profile(sweep, whole).exitCode()).isZero();
        Path second = shard(sweep, "1/2");
        Path first = shard(sweep, "0/2");

        Path merged = temp.resolve("merged");
        CliRun run = merge(merged, second, first);
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("merged 6 of 6 configurations from 2 folders");
        assertThat(deterministic(merged)).isEqualTo(deterministic(whole));
        for (String file : List.of("results.csv", "index.html", "oracle-log-density-vs-gflops.png", RunInfo.FILE)) {
            assertThat(merged.resolve(file)).exists();
        }
        assertThat(Files.readString(merged.resolve(RunInfo.FILE))).contains("\"1/2\", \"0/2\"");
        assertThat(Files.readString(merged.resolve("index.html"))).contains("shards 1/2, 0/2");
    }

    @Test
    void aFolderOfAnotherSweepIsOneLineNamingIt() throws IOException {
        Path first = shard(sweep(GMM_SWEEP), "0/2");
        Path other = shard(sweep(GMM_SWEEP.replace("name: gmm tiny", "name: gmm other")), "1/2");
        CliRun run = merge(temp.resolve("merged"), first, other);
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).singleElement().asString()
                .startsWith("noisesearch: " + other + ": holds sweep 'gmm other'");
        assertThat(temp.resolve("merged")).doesNotExist();

        Path changed = shard(sweep(GMM_SWEEP.replace("finalSteps: [5, 10]", "finalSteps: [5, 20]")), "1/2");
        CliRun configurations = merge(temp.resolve("merged"), first, changed);
        assertThat(configurations.exitCode()).isEqualTo(2);
        assertThat(configurations.errLines()).singleElement().asString().startsWith("noisesearch: " + changed + ":");
    }

    @Test
    void aShardTwiceAFolderWithoutRunJsonAndAnOutWithResultsAreRefused() throws IOException {
        Path sweep = sweep(GMM_SWEEP);
        Path first = shard(sweep, "0/2");
        CliRun twice = merge(temp.resolve("merged"), first, first);
        assertThat(twice.exitCode()).isEqualTo(2);
        assertThat(twice.errLines()).singleElement().asString().contains("merge each shard once");

        Path bare = Files.createDirectories(temp.resolve("bare"));
        CliRun notProfile = merge(temp.resolve("merged"), first, bare);
        assertThat(notProfile.exitCode()).isEqualTo(2);
        assertThat(notProfile.errLines()).singleElement().asString().contains(bare + ": no run.json");

        Path second = shard(sweep, "1/2");
        CliRun intoShard = merge(second, first, second);
        assertThat(intoShard.exitCode()).isEqualTo(2);
        assertThat(intoShard.errLines()).singleElement().asString().contains("is OUT itself");

        Path merged = temp.resolve("merged");
        assertThat(merge(merged, first).exitCode()).isZero();
        assertThat(ResultsLog.read(merged)).hasSize(3);
        CliRun again = merge(merged, second);
        assertThat(again.exitCode()).isEqualTo(2);
        assertThat(again.errLines()).singleElement().asString().contains("holds results.jsonl already");
    }

    @Test
    void aFolderResumedWithAnExtendedSweepMergesAsOneRunOfIt() throws IOException {
        // The first stage lacks random's entry; the extended sweep puts it before paths, which moves from 2 to 4.
        String firstStage = GMM_SWEEP.replace("  - {name: random, candidates: [2, 4]}\n", "")
                .replace("  - {name: zero-order, neighbours: 2, iterations: 1}\n", "");
        Path staged = temp.resolve("staged");
        assertThat(profile(sweep(firstStage), staged).exitCode()).isZero();
        Path extended = sweep(GMM_SWEEP);
        CliRun resumed = profile(extended, staged, "--resume");
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(resumed.err()).contains("3 already in results.jsonl, 3 to run");
        Path whole = temp.resolve("whole");
        assertThat(profile(extended, whole).exitCode()).isZero();
        assertThat(deterministic(staged)).isEqualTo(deterministic(whole));

        Path merged = temp.resolve("merged");
        CliRun run = merge(merged, staged);
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(deterministic(merged)).isEqualTo(deterministic(whole));
    }
}

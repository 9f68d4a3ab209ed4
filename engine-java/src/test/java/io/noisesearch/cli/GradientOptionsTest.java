package io.noisesearch.cli;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * First-order search's bad options, and models or verifiers without a closed-form gradient, end in exit code 2 and
 * one line naming the option, before anything is written.
 */
class GradientOptionsTest {

    @TempDir
    Path temp;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--gradient-cosine 1                                       | --gradient-cosine must lie in (-1, 1)",
            "--gradient-cosine NaN                                     | --gradient-cosine",
            "--candidates 0                                            | --candidates",
            "--iterations -1                                           | --iterations",
            "--verifier ensemble:oracle,posterior                      | --algorithm gradient: verifier ensemble",
            "--model mnist-flow-s --verifier classifier                | --algorithm gradient: model mnist-flow-s",
    })
    void refusedInOneLineWithExitCode2(String options, String message) throws Exception {
        Path out = temp.resolve("out");
        List<String> args = new ArrayList<>(List.of("search", "--algorithm", "gradient", "--out", out.toString(),
                "--models-dir", DemoCommandTest.trainedModels().toString()));
        args.addAll(List.of(options.trim().split("\\s+")));

        CliRun run = CliRun.of(args.toArray(String[]::new));

        assertThat(run.exitCode()).as(run.err()).isEqualTo(Main.EXIT_USAGE);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.errLines()[0]).startsWith("noisesearch: ").contains(message.trim());
        assertThat(run.out()).isEmpty();
        assertThat(!Files.exists(out) || !Files.exists(out.resolve("result.json"))).isTrue();
    }

    @org.junit.jupiter.api.Test
    void aSweepWithGradientOnATrainedModelIsRefusedBeforeAnythingRuns() throws Exception {
        Path sweep = temp.resolve("sweep.yaml");
        Files.writeString(sweep, "models: mnist-flow-s\nverifiers: classifier\nalgorithms: [random, gradient]\n");
        Path out = temp.resolve("profile");

        CliRun run = CliRun.of("profile", sweep.toString(), "--out", out.toString(), "--models-dir",
                DemoCommandTest.trainedModels().toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(Main.EXIT_USAGE);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.errLines()[0]).contains("algorithms[1]: gradient needs a closed-form gradient");
        assertThat(out.resolve("results.jsonl")).doesNotExist();
    }
}

package io.noisesearch.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sweeps with stochastic solvers: an algorithm that refuses a stochastic search solver, or beam's step children with
 * an ODE one, is one line naming the entry before anything runs; the noise axes plan and run.
 */
class StochasticSweepTest {

    @TempDir
    Path temp;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "[random, {name: beam, beamExpand: step, beamAt: [[0.5]]}] | searchSolver: euler"
                    + " | algorithms[1]: --beam-expand step needs a stochastic search solver",
            "[{name: zero-order, iterations: 1}] | searchSolver: euler-sde"
                    + " | algorithms[0]: zero-order needs an ODE search solver",
    })
    void aSolverTheAlgorithmCannotSearchWithIsRefusedBeforeAnythingRuns(String algorithms, String solver,
                                                                       String message) throws Exception {
        Path sweep = Files.writeString(temp.resolve("sweep.yaml"), "models: gmm-image\nverifiers: oracle\n"
                + "algorithms: " + algorithms.trim() + "\n" + solver.trim() + "\nevaluation: {perClass: 1}\n");
        Path out = temp.resolve("profile");

        CliRun run = CliRun.of("profile", sweep.toString(), "--out", out.toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(Main.EXIT_USAGE);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.errLines()[0]).contains(message.trim());
        assertThat(out.resolve("results.jsonl")).doesNotExist();
    }

    @Test
    void aBeamWhoseFirstLevelLiesBelowTheVerifiersCaptureIsRefusedBeforeAnythingRuns() throws Exception {
        Path sweep = Files.writeString(temp.resolve("sweep.yaml"), "models: mnist-flow-s\nverifiers: [classifier,"
                + " ssl@0.7]\nalgorithms: [random, {name: beam, beamAt: [[0.75, 0.5]]}]\nevaluation: {perClass: 1}\n");
        Path out = temp.resolve("profile");

        CliRun run = CliRun.of("profile", sweep.toString(), "--out", out.toString(), "--dry-run", "--models-dir",
                DemoCommandTest.trainedModels().toString());

        assertThat(run.exitCode()).as(run.err()).isEqualTo(Main.EXIT_USAGE);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.errLines()[0]).contains("algorithms[1]", "captures its x-prediction at t = 0.7",
                "--beam-at 0.75");
        assertThat(out.resolve("results.jsonl")).doesNotExist();
    }

    @Test
    void noiseAxesAndStepChildrenRunAsTheirOwnConfigurations() throws Exception {
        Path sweep = Files.writeString(temp.resolve("sweep.yaml"), """
                models: gmm-image
                verifiers: oracle
                algorithms:
                  - {name: beam, beamWidth: 2, beamChildren: 2, beamAt: [[0.5]], beamExpand: step}
                  - {name: random, candidates: 2}
                searchSolver: euler-sde
                searchSteps: 6
                finalSolver: euler-sde
                finalSteps: 6
                noiseScale: [0.5, 1.5]
                evaluation: {perClass: 1, classes: [0, 1]}
                """);
        Path out = temp.resolve("profile");

        CliRun run = CliRun.of("profile", sweep.toString(), "--out", out.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        var lines = Files.readAllLines(out.resolve("results.jsonl"));
        assertThat(lines).hasSize(4);
        assertThat(lines.getFirst()).contains("\"searchSolver\":\"euler-sde x6 noise 0.5\"", "\"beamExpand\":\"step\"");
        assertThat(lines.get(1)).contains("\"finalSolver\":\"euler-sde x6 noise 1.5\"");
    }
}

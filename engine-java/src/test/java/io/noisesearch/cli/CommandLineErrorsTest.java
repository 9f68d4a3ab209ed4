package io.noisesearch.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Bad options end in exit code 2 and one line on stderr that names the option (DESIGN.md, command line). */
class CommandLineErrorsTest {

    @TempDir
    Path temp;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "--algorithm sideways                              | --algorithm",
            "--candidates -1                                   | --candidates",
            "--candidates 0 --algorithm paths                  | --candidates",
            "--candidates many                                 | --candidates",
            "--class 10                                        | --class",
            "--class -1                                        | --class",
            "--algorithm paths --backward-step 0.05            | --backward-step",
            "--algorithm paths --forward-step 0.2 --backward-step 0.1 | --backward-step",
            "--algorithm zero-order --cosine 1.5               | --cosine",
            "--algorithm zero-order --lambda 2 --cosine 0.9    | --lambda",
            "--steps 0                                         | --steps",
            "--search-steps -3                                 | --search-steps",
            "--solver rk4                                      | --solver",
            "--device metal                                    | --device",
            "--backend metal                                   | --backend",
            "--model gmm-3d                                    | --model",
            "--verifier clip                                   | --verifier",
            "--verifier ensemble:oracle=2,posterior=0          | --verifier",
            "--verifier ensemble:oracle=-1,posterior           | --verifier",
            "--verifier ensemble:oracle=heavy,posterior        | --verifier",
            "--verifier ensemble:oracle=NaN,posterior          | --verifier",
            "--verifier ensemble:oracle=Infinity,posterior     | --verifier",
            "--verifier ensemble:oracle,                       | --verifier",
            "--verifier remote:ftp://localhost/score           | --verifier",
            "--verifier remote:http://me:pw@localhost/score    | --verifier",
            "--verifier remote:http://localhost:9/s --model gmm-2d | --verifier",
            "--budget-nfe -5                                   | --budget-nfe",
            "--batch-size 0                                    | --batch-size",
            "--no-such-option                                  | --no-such-option",
            "--cfg NaN                                         | --cfg",
            "--cfg 1e9                                         | --cfg",
            "--cfg Infinity                                    | --cfg",
            "--algorithm zero-order --cosine NaN               | --cosine",
            "--algorithm zero-order --lambda NaN               | --lambda",
            "--algorithm paths --search-start NaN              | --search-start",
            "--algorithm prune --prune-at 0.4,0.7              | --prune-at",
            "--algorithm prune --prune-at 1.5                  | --prune-at",
            "--algorithm prune --prune-at NaN                  | --prune-at",
            "--algorithm prune --prune-at 0.7,x                | --prune-at",
            "--algorithm prune --keep 0                        | --keep",
            "--algorithm prune --candidates 0                  | --candidates",
            "--algorithm smc --particles 0                     | --particles",
            "--algorithm smc --ess-threshold 0                 | --ess-threshold",
            "--algorithm smc --ess-threshold 1.5               | --ess-threshold",
            "--algorithm smc --steer-window 0.2,0.8            | --steer-window",
            "--algorithm smc --steer-window 0.5                | --steer-window",
            "--algorithm smc --resample-every 0                | --resample-every",
            "--algorithm smc --smc-lambda -1                   | --smc-lambda",
            "--algorithm smc --potential best                  | --potential",
            "--algorithm smc --resampling stratified           | --resampling",
            "--algorithm smc --solver euler-sde --stop-at-score 5 | --stop-at-score",
            "--noise-scale 0.5                                 | --noise-scale",
            "--solver heun --eta 0.3                           | --eta",
            "--solver euler-sde --noise-scale -1               | --noise-scale",
            "--solver euler-sde --noise-scale NaN              | --noise-scale",
            "--model gmm-image-vp --solver ddim --eta 2        | --eta",
            "--algorithm zero-order --solver euler-sde         | --search-solver",
            "--algorithm paths --search-solver ddpm            | --search-solver",
            "--algorithm beam --beam-width 0                   | --beam-width",
            "--algorithm beam --beam-children 0                | --beam-children",
            "--algorithm beam --beam-at 0.4,0.7                | --beam-at",
            "--algorithm beam --beam-at 0.71,0.7               | --beam-at",
            "--algorithm beam --beam-at 1.5                    | --beam-at",
            "--algorithm beam --beam-cosine 1                  | --beam-cosine",
            "--algorithm beam --beam-mode sideways             | --beam-mode",
            "--algorithm beam --beam-threshold 2               | --beam-threshold",
            "--algorithm beam --beam-mode dfs --beam-threshold NaN | --beam-threshold",
            "--algorithm beam --beam-expand jump               | --beam-expand",
            "--algorithm beam --beam-expand step               | --beam-expand",
            "--algorithm beam --beam-expand step --beam-mode dfs --solver heun | --beam-expand",
            "--algorithm beam --solver euler-sde               | --beam-expand",
            "--algorithm evolution --population 0              | --population",
            "--algorithm evolution --population 8,4            | --population",
            "--algorithm evolution --elites 8                  | --elites",
            "--algorithm evolution --elites 0                  | --elites",
            "--algorithm evolution --generations -1            | --generations",
            "--algorithm evolution --evo-cosine-start 1.5      | --evo-cosine-start",
            "--algorithm evolution --evo-cosine-end NaN        | --evo-cosine-end",
            "--algorithm evolution --evo-at 1.5                | --evo-at",
            "--algorithm evolution --evo-at 0.5,0.7,0.3        | --evo-at",
            "--algorithm evolution --evo-at 1,0.5              | --evo-at",
            "--algorithm evolution --evo-at 0.001              | --evo-at",
            "--stop-at-score NaN                               | --stop-at-score",
            "--stop-at-score Infinity                          | --stop-at-score",
            "--stop-patience 0                                 | --stop-patience",
            "--stop-margin 0.5                                 | --stop-margin",
            "--stop-patience 3 --stop-margin -1                | --stop-margin",
            "--verifier ensemble:oracle,posterior --stop-at-score 1 | --stop-at-score",
    })
    void badOptionEndsWithOneLineNamingItAndExitCode2(String options, String named) {
        List<String> args = new ArrayList<>(List.of("search", "--out", temp.resolve("out").toString()));
        args.addAll(List.of(options.trim().split("\\s+")));

        CliRun run = CliRun.of(args.toArray(String[]::new));

        assertThat(run.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.errLines()[0]).startsWith("noisesearch: ").contains(named);
        assertThat(run.out()).isEmpty();
    }

    @Test
    void outThatIsAFileIsRejectedBeforeAnyWork() throws IOException {
        Path file = Files.writeString(temp.resolve("taken"), "not a folder");

        CliRun run = CliRun.of("search", "--out", file.toString());

        assertThat(run.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(run.errLines()).singleElement().asString().contains("--out", "not a folder");
    }

    @Test
    void demoRejectsZeroSeeds() {
        CliRun run = CliRun.of("demo", "--seeds-per-class", "0", "--out", temp.toString());

        assertThat(run.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(run.errLines()).singleElement().asString().contains("--seeds-per-class");
    }

    @Test
    void theDemoTakesTheRequestOptionsOfSearchWithItsOwnDefaults() {
        String demo = CliRun.of("demo", "--help").out().replaceAll("\\s+", " ");
        String search = CliRun.of("search", "--help").out().replaceAll("\\s+", " ");
        for (String option : List.of("--model", "--verifier", "--solver", "--steps", "--search-solver",
                "--search-steps", "--cfg", "--budget-nfe", "--seed", "--batch-size", "--seeds-per-class", "--device",
                "--threads", "--models-dir")) {
            assertThat(demo).contains(option + "=");
        }
        assertThat(demo).contains("(default: mnist-flow-s)", "(default: classifier)");
        assertThat(search).contains("(default: gmm-image)", "(default: oracle)").doesNotContain("mnist-flow-s");
    }

    @picocli.CommandLine.Command(name = "explode")
    static final class Explode implements java.util.concurrent.Callable<Integer> {
        @Override
        public Integer call() {
            throw new OutOfMemoryError("Java heap space");
        }
    }

    @Test
    void jvmErrorsEndInOneLineAndExitCode1() {
        picocli.CommandLine commandLine = Main.commandLine().addSubcommand(new Explode());
        java.io.StringWriter err = new java.io.StringWriter();
        commandLine.setErr(new java.io.PrintWriter(err, true));

        int exitCode = Main.execute(commandLine, "explode");

        assertThat(exitCode).isEqualTo(Main.EXIT_INTERNAL);
        assertThat(err.toString().strip().split("\\R")).singleElement().asString()
                .isEqualTo("noisesearch: internal error: java.lang.OutOfMemoryError: Java heap space");
    }

    @Test
    void missingCommandIsAUsageError() {
        CliRun run = CliRun.of();

        assertThat(run.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(run.errLines()).singleElement().asString().contains("missing command");
    }

    @Test
    void internalFailuresAreNotBlamedOnTheUser() {
        assertThat(Main.isUserError(new IllegalArgumentException("--x"))).isTrue();
        assertThat(Main.isUserError(new io.noisesearch.InvalidRequestException("--x"))).isTrue();
        assertThat(Main.isUserError(new io.noisesearch.NativeException("ns_gaussian_noise", 2))).isFalse();
        assertThat(Main.isUserError(new IllegalStateException("bug"))).isFalse();
    }

    @Test
    void helpListsEveryOptionWithItsDefault() {
        CliRun run = CliRun.of("search", "--help");

        assertThat(run.exitCode()).isZero();
        for (String option : List.of("--model", "--class", "--algorithm", "--candidates", "--iterations", "--cosine",
                "--lambda", "--paths-width", "--search-start", "--forward-step", "--backward-step", "--path-length",
                "--prune-at", "--keep",
                "--verifier", "--solver", "--steps", "--search-solver", "--search-steps", "--cfg", "--budget-nfe",
                "--seed", "--threads", "--batch-size", "--device", "--out")) {
            assertThat(run.out()).contains(option + "=");
        }
        // Help wraps its lines; compare with the wrapping undone.
        String help = run.out().replaceAll("\\s+", " ");
        assertThat(help).contains("(default: gmm-image)", "(default: random)", "(default: 16)",
                "none, random, zero-order, paths, prune", "(default: 0.95)", "(default: 0.7,0.4)", "(default: out/search)", "(default: unlimited)");
        assertThat(help).doesNotContain("default: null");
    }
}

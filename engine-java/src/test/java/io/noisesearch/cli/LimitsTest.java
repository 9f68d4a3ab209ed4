package io.noisesearch.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Huge sizes end in exit code 2 and one line naming the option that drives them (docs/architecture.md, trust and
 * limits), before the search allocates anything: no OutOfMemoryError, no overflow, no run that never ends.
 */
class LimitsTest {

    @TempDir
    Path temp;

    private CliRun run(String command, String options) {
        List<String> args = new ArrayList<>(List.of(command, "--out", temp.resolve("out").toString()));
        args.addAll(List.of(options.trim().split("\\s+")));
        return CliRun.of(args.toArray(String[]::new));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "--candidates 2147483647                                         | --candidates 2147483647",
            "--candidates 100000000 --steps 1 --solver euler                 | --candidates 100000000",
            "--algorithm zero-order --neighbours 100000000 --iterations 0 | --neighbours (or --candidates) 100000000",
            "--algorithm zero-order --candidates 2147483647                  | --candidates) 2147483647",
            "--algorithm zero-order --iterations 2147483647                  | --iterations",
            "--algorithm zero-order --neighbours 1000 --iterations 16000000  | --iterations 16000000",
            "--algorithm paths --paths 2000000                               | --paths (or --candidates) 2000000",
            "--algorithm paths --paths-width 10000000                        | --paths-width 10000000",
            "--algorithm paths --paths-width 1000000000                      | --paths-width",
            "--algorithm paths --path-length 2147483647                      | --path-length 2147483647",
            "--batch-size 2147483647                                         | --batch-size 2147483647",
            "--batch-size 10000000                                           | --batch-size 10000000",
            "--steps 2147483647                                              | --steps 2147483647",
            "--search-steps 2147483647                                       | --search-steps 2147483647",
            "--algorithm none --solver euler --steps 600000000               | --steps 600000000",
    })
    void aHugeSizeEndsInExit2AndOneLineNamingIt(String options, String named) {
        CliRun run = run("search", options);

        assertThat(run.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.errLines()[0]).startsWith("noisesearch: ").contains(named);
        assertThat(run.out()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "--candidates 100000000 --steps 1 --solver euler | maxSearchMiB",
            "--batch-size 2147483647                         | maxSearchMiB",
            "--candidates 2147483647                         | maxRequestNfe",
    })
    void theLineSaysWhichPropertyRaisesTheLimit(String options, String property) {
        assertThat(run("search", options).errLines()).singleElement().asString()
                .contains("over the limit of", "-Dnoisesearch." + property);
    }

    @Test
    void theDemoRefusesARequestOverALimitInsteadOfSkippingEveryMethod() {
        CliRun run = run("demo", "--model gmm-image --batch-size 2147483647");

        assertThat(run.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(run.errLines()).singleElement().asString().contains("--batch-size 2147483647", "maxSearchMiB");
        assertThat(temp.resolve("out/report.json")).doesNotExist();
    }

    @ParameterizedTest(name = "{0} --threads {1}")
    @CsvSource({"search, -3", "search, 100000", "demo, -1", "demo, 100000", "generate, 100000"})
    void threadsBelowZeroOrBeyondTheCoresEndInOneLineNamingTheLimit(String command, int threads) {
        CliRun run = run(command, "--threads " + threads);

        assertThat(run.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(run.errLines()).singleElement().asString().contains("--threads must lie in 0.."
                + Runtime.getRuntime().availableProcessors(), "got " + threads);
    }

    @Test
    void threadsUpToTheCoresAreTaken() {
        int cores = Runtime.getRuntime().availableProcessors();
        assertThat(run("search", "--threads " + cores + " --candidates 2").exitCode()).isZero();
        assertThat(run("search", "--threads 0 --candidates 2").exitCode()).isZero();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "generate | --per-class 100000000                       | 953.7 GiB",
            "generate | --per-class 2147483647 --classes 0,1,2       | 6144.0 GiB",
            "demo     | --model gmm-image --seeds-per-class 2147483647 | 20480.0 GiB",
    })
    void samplesPerClassBeyondWhatTheCommandMayHoldEndInOneLineNamingIt(String command, String options,
                                                                         String detail) {
        CliRun run = run(command, options);

        assertThat(run.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(run.errLines()).singleElement().asString().startsWith("noisesearch: --per-class (--seeds-per-class)")
                .contains(detail, "maxSamplesMiB");
        assertThat(temp.resolve("out/samples.npz")).doesNotExist();
    }

    @Test
    void samplesPerClassBeyondOneNpzEntryAreRefusedWhateverTheMemoryLimit() {
        System.setProperty(SampleOptions.SAMPLES.property(), "100000");
        try {
            CliRun run = run("generate", "--per-class 1000000");

            assertThat(run.exitCode()).isEqualTo(Main.EXIT_USAGE);
            assertThat(run.errLines()).singleElement().asString()
                    .contains("--per-class (--seeds-per-class) 1000000", "2560000000 pixels", "samples.npz entry");
        } finally {
            System.clearProperty(SampleOptions.SAMPLES.property());
        }
    }
}

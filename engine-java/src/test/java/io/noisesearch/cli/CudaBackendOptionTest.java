package io.noisesearch.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Backends;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code --backend cuda} on a machine without a GPU: one line naming the option, exit code 2, no stack trace. */
class CudaBackendOptionTest {

    @TempDir
    Path temp;

    @ParameterizedTest
    @ValueSource(strings = {"cuda", "cuda:1"})
    void cudaWithoutADeviceEndsWithOneLineAndExitCode2(String backend) {
        assumeTrue(noCudaDevice(), "a CUDA device is present: --backend cuda works here");

        CliRun run = CliRun.of("search", "--model", "gmm-2d", "--candidates", "2", "--backend", backend,
                "--out", temp.resolve("out").toString());

        assertThat(run.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.errLines()[0]).startsWith("noisesearch: ").contains("--backend").contains(backend);
        assertThat(run.out()).isEmpty();
    }

    private static boolean noCudaDevice() {
        try (Backend cuda = Backends.open("cuda")) {
            return false;
        } catch (InvalidRequestException e) {
            return true;
        }
    }

    @Test
    void optionHelpStillListsTheBackends() {
        CliRun run = CliRun.of("search", "--help");
        assertThat(run.out()).contains("--backend");
    }
}

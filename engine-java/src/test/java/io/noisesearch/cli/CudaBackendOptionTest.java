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

/** {@code --device cuda} on a machine without a GPU: one line naming the option, exit code 2, no stack trace. */
class CudaBackendOptionTest {

    @TempDir
    Path temp;

    @ParameterizedTest
    @ValueSource(strings = {"cuda", "cuda:1"})
    void cudaWithoutADeviceEndsWithOneLineAndExitCode2(String device) {
        assumeTrue(noCudaDevice(), "a CUDA device is present: --device cuda works here");

        CliRun run = CliRun.of("search", "--model", "gmm-2d", "--candidates", "2", "--device", device,
                "--out", temp.resolve("out").toString());

        assertThat(run.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.errLines()[0]).startsWith("noisesearch: ").contains("--device " + device);
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
    void helpListsTheDevices() {
        CliRun run = CliRun.of("search", "--help");
        assertThat(run.out().replaceAll("\\s+", " ")).contains("--device").contains("cpu, java, cuda, auto or cuda:N");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--device", "--backend"})
    void theCpuRunsUnderTheOptionAndItsFormerName(String option) {
        CliRun run = CliRun.of("search", "--model", "gmm-2d", "--candidates", "2", option, "cpu",
                "--out", temp.resolve(option.substring(2)).toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(temp.resolve(option.substring(2)).resolve("result.json")).exists();
    }
}

package io.noisesearch.backend;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.noisesearch.InvalidRequestException;
import java.util.Optional;

/** Whether this machine can run the CUDA backend; GPU tests are skipped, never passed, where it cannot. */
final class CudaDevice {

    static final String SKIPPED = "no CUDA device: GPU test not run";

    private static final Optional<String> ABSENCE = probe();

    private CudaDevice() {
    }

    static boolean absent() {
        return ABSENCE.isPresent();
    }

    /** Skips the calling test, with the reason, where there is no device. */
    static void require() {
        assumeTrue(ABSENCE.isEmpty(), () -> SKIPPED + " (" + ABSENCE.orElse("") + ")");
    }

    private static Optional<String> probe() {
        try (Backend cuda = Backends.open("cuda")) {
            return Optional.empty();
        } catch (InvalidRequestException e) {
            return Optional.of(e.getMessage());
        }
    }
}

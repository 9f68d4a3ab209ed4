package io.noisesearch.tensorrt;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Backends;
import io.noisesearch.model.ModelRepository;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The repository's tensorrt-plans folder as the tests see it, and whether this machine can run TensorRT tests: a
 * CUDA device, TensorRT's natives and the plans built for this GPU. Tests tagged {@code tensorrt} are skipped,
 * never passed, where it cannot.
 */
final class TensorRtFixture {

    static final String SKIPPED = "TensorRT not available: TensorRT test not run";

    static final Path ROOT = locate();
    static final ModelRepository MODELS = new ModelRepository(ROOT.resolve("models"));

    private TensorRtFixture() {
    }

    /** The CUDA backend where a device and TensorRT are present; otherwise skips the calling test with the reason. */
    static Backend requireDeviceAndTensorRt() {
        Optional<String> absence = TensorRt.absence();
        assumeTrue(absence.isEmpty(), () -> SKIPPED + " (" + absence.orElse("") + ")");
        try {
            return Backends.open("cuda");
        } catch (InvalidRequestException e) {
            assumeTrue(false, () -> SKIPPED + " (" + e.getMessage() + ")");
            throw e;
        }
    }

    /** The plan of {@code model} for the backend's GPU; skips the calling test where it was not built. */
    static Path requirePlan(Backend cuda, String model) {
        PlanLocator.Lookup lookup = PlanLocator.forModels(MODELS).find(cuda, MODELS.folder(model));
        if (!lookup.found()) {
            cuda.close();
        }
        assumeTrue(lookup.found(), () -> SKIPPED + " (" + lookup.missing()
                + "; build plans with tensorrt-plans/build-plans.sh)");
        return lookup.plan();
    }

    private static Path locate() {
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("tensorrt-plans/models"))) {
                return p.resolve("tensorrt-plans");
            }
        }
        throw new IllegalStateException("tensorrt-plans/models not found above " + here);
    }
}

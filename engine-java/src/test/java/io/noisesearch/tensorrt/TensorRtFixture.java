package io.noisesearch.tensorrt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
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

    /** A plan's fp16 tolerance against golden outputs, per element: |plan - golden| <= ABSOLUTE + RELATIVE |golden|. */
    static final double ABSOLUTE = 3e-2;
    static final double RELATIVE = 3e-2;

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

    /** {@code actual} is within the fp16 tolerance of {@code expected}, element by element; a NaN never is. */
    static void assertWithinFp16(String what, float[] actual, float[] expected) {
        assertThat(actual).as(what).hasSameSizeAs(expected);
        double worst = Double.NEGATIVE_INFINITY;
        int at = -1;
        for (int i = 0; i < actual.length; i++) {
            double excess = Math.abs(actual[i] - expected[i]) - (ABSOLUTE + RELATIVE * Math.abs(expected[i]));
            if (Double.isNaN(excess) || excess > worst) {
                worst = Double.isNaN(excess) ? Double.POSITIVE_INFINITY : excess;
                at = i;
            }
        }
        assertThat(worst).as("%s: largest excess over the fp16 tolerance (element %d)", what, at)
                .isLessThanOrEqualTo(0);
    }

    /** The values of a golden.json tensor's "data". */
    static float[] floats(JsonNode data) {
        float[] values = new float[data.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) data.get(i).asDouble();
        }
        return values;
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

package io.noisesearch.tensorrt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import io.noisesearch.engine.Engine;
import io.noisesearch.onnx.OnnxDenoiser;
import io.noisesearch.verify.Verifiers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.foreign.Arena;

/**
 * On a backend whose memory Java cannot read, a trained model and its verifier models need TensorRT plans; without
 * one the engine ends in one line that says what is missing and how to build plans.
 */
class EngineWithoutPlanTest {

    /** A device backend in name only: enough for the engine to choose a model runtime, nothing runs on it. */
    private static final class DeviceOnlyBackend implements Backend {
        @Override
        public String name() {
            return "device-only";
        }

        @Override
        public boolean hostAccessible() {
            return false;
        }

        @Override
        public Batch allocate(Arena arena, int rows, int dim) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Batch upload(Arena arena, float[] values, int rows, int dim) {
            throw new UnsupportedOperationException();
        }

        @Override
        public float[] download(Batch batch) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Kernels openStream(int threads) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aTrainedModelWithoutAPlanIsOneLineNamingWhatIsMissingAndHowToBuildPlans() {
        try (Engine engine = Engine.open(new DeviceOnlyBackend(), 1, 1, TensorRtFixture.MODELS)) {
            assertThatThrownBy(() -> engine.model("mnist-flow-s")).isInstanceOf(InvalidRequestException.class)
                    .hasMessage("--model mnist-flow-s: ONNX Runtime models need a host backend, not device-only, and"
                            + " TensorRT plans run on the cuda backend, not device-only; build plans with"
                            + " tensorrt-plans/build-plans.sh");
        }
    }

    /**
     * The denoiser cannot open on this backend (above), so one opened on the host stands in for it: the verifier's
     * model is the next thing the engine opens, from its own plan.
     */
    @ParameterizedTest
    @CsvSource({"classifier, classifier, mnist-classifier", "ssl, ssl, mnist-ssl", "oracle-is, evaluator, mnist-eval"})
    void aVerifierModelWithoutAPlanIsOneLineNamingWhatIsMissingAndHowToBuildPlans(String verifier, String role,
                                                                                 String model) {
        try (Engine engine = Engine.open(new DeviceOnlyBackend(), 1, 1, TensorRtFixture.MODELS);
             OnnxDenoiser trained = new OnnxDenoiser(TensorRtFixture.MODELS.folder("mnist-flow-s"), 1)) {
            assertThatThrownBy(() -> Verifiers.create(verifier, trained, r -> engine.auxiliary(trained, r)))
                    .isInstanceOf(InvalidRequestException.class)
                    .hasMessage("--verifier: the " + role + " model " + model + ": ONNX Runtime models need a host"
                            + " backend, not device-only, and TensorRT plans run on the cuda backend, not device-only;"
                            + " build plans with tensorrt-plans/build-plans.sh");
        }
    }

    @Test
    void theFolderOfAVerifierModelIsFoundWithoutOpeningIt() {
        try (Engine engine = Engine.open(new DeviceOnlyBackend(), 1, 1, TensorRtFixture.MODELS);
             OnnxDenoiser trained = new OnnxDenoiser(TensorRtFixture.MODELS.folder("mnist-flow-s"), 1)) {
            assertThat(engine.auxiliaryFolder(trained, "evaluator"))
                    .isEqualTo(TensorRtFixture.MODELS.folder("mnist-eval").toAbsolutePath().normalize());
        }
    }
}

package io.noisesearch.onnx;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.noisesearch.InvalidRequestException;
import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.JavaBackend;
import io.noisesearch.backend.Kernels;
import io.noisesearch.model.ModelIdentity;
import io.noisesearch.model.Precision;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The committed int8 variants of mnist-flow-s and mnist-flow-l (scripts/quantize) against their fp32 models: the QDQ graph ONNX Runtime
 * fuses into int8 convolutions, weights and biases that reconstruct the fp32 ones within half a quantization step,
 * predictions close to fp32 along solver trajectories, and a variant file that is refused when it was changed.
 */
class QuantizedModelTest {

    private static final Path FOLDER = TrainedModels.folder("mnist-flow-s");
    private static final int FLOAT = 1;
    private static final int INT8 = 3;
    private static final int INT32 = 6;

    @TempDir
    Path temp;

    @ParameterizedTest
    @ValueSource(strings = {"mnist-flow-s", "mnist-flow-l"})
    void everyConvolutionButThePredictionsRunsOnQuantizedInputsWeightsBiasesAndOutputs(String model) throws Exception {
        Path folder = TrainedModels.folder(model);
        OnnxGraph fp32 = OnnxGraph.read(folder.resolve("model.onnx"));
        OnnxGraph int8 = OnnxGraph.read(folder.resolve("model.int8.onnx"));
        List<OnnxGraph.Node> convs = int8.ofType("Conv");
        assertThat(convs).hasSameSizeAs(fp32.ofType("Conv"));
        int quantized = 0;
        for (OnnxGraph.Node conv : convs) {
            if (conv.outputs().equals(int8.outputs())) {
                assertThat(int8.initializers().get(conv.inputs().get(1)).type()).as("the last conv's weight")
                        .isEqualTo(FLOAT);
                continue;
            }
            quantized++;
            OnnxGraph.Node input = int8.producer(conv.inputs().get(0));
            assertThat(input.op()).as(conv.name()).isEqualTo("DequantizeLinear");
            OnnxGraph.Node quantize = int8.producer(input.inputs().get(0));
            assertThat(quantize.op()).as(conv.name() + " input").isEqualTo("QuantizeLinear");
            OnnxGraph.Node weight = int8.producer(conv.inputs().get(1));
            assertThat(weight.op()).isEqualTo("DequantizeLinear");
            assertThat(weight.ints()).containsEntry("axis", 0L);
            assertThat(int8.initializers().get(weight.inputs().get(0)).type()).isEqualTo(INT8);
            OnnxGraph.Node bias = int8.producer(conv.inputs().get(2));
            assertThat(int8.initializers().get(bias.inputs().get(0)).type()).isEqualTo(INT32);
            assertThat(int8.consumers(conv.outputs().getFirst())).extracting(OnnxGraph.Node::op)
                    .as(conv.name() + " output").containsExactly("QuantizeLinear");
        }
        assertThat(quantized).isEqualTo(convs.size() - 1);
        assertThat(int8.ofType("QuantizeLinear")).isNotEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"mnist-flow-s", "mnist-flow-l"})
    void weightsArePerChannelSymmetricInt8WithinHalfAStepOfTheFp32Weights(String model) throws Exception {
        Path folder = TrainedModels.folder(model);
        OnnxGraph fp32 = OnnxGraph.read(folder.resolve("model.onnx"));
        OnnxGraph int8 = OnnxGraph.read(folder.resolve("model.int8.onnx"));
        for (OnnxGraph.Node conv : int8.ofType("Conv")) {
            OnnxGraph.Node dq = int8.producer(conv.inputs().get(1));
            if (dq == null) {
                continue;
            }
            OnnxGraph.Tensor q = int8.initializers().get(dq.inputs().get(0));
            OnnxGraph.Tensor scale = int8.initializers().get(dq.inputs().get(1));
            OnnxGraph.Tensor zero = int8.initializers().get(dq.inputs().get(2));
            OnnxGraph.Tensor w = fp32.initializers().get(fp32.nodes().stream()
                    .filter(n -> n.name().equals(conv.name())).findFirst().orElseThrow().inputs().get(1));
            int channels = (int) w.dims()[0];
            int perChannel = (int) (w.size() / channels);
            assertThat(q.dims()).isEqualTo(w.dims());
            assertThat(scale.size()).as("one scale per output channel").isEqualTo(channels);
            for (int c = 0; c < channels; c++) {
                assertThat(zero.at(c)).as("symmetric").isZero();
                double s = scale.at(c);
                double largest = 0;
                for (int i = c * perChannel; i < (c + 1) * perChannel; i++) {
                    largest = Math.max(largest, Math.abs(q.at(i)));
                    // Half a step, up to float32's rounding of w / s (a few ulps of 127).
                    assertThat(Math.abs(q.at(i) * s - w.at(i))).as("%s weight %d", conv.name(), i)
                            .isLessThanOrEqualTo(s / 2 + 127 * s * 0x1p-20);
                }
                assertThat(largest).as("the channel's largest weight is +-127").isEqualTo(127);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mnist-flow-s", "mnist-flow-l"})
    void biasesAreInt32AtTheInputScaleTimesTheWeightScale(String model) throws Exception {
        Path folder = TrainedModels.folder(model);
        OnnxGraph fp32 = OnnxGraph.read(folder.resolve("model.onnx"));
        OnnxGraph int8 = OnnxGraph.read(folder.resolve("model.int8.onnx"));
        for (OnnxGraph.Node conv : int8.ofType("Conv")) {
            OnnxGraph.Node bias = int8.producer(conv.inputs().get(2));
            if (bias == null) {
                continue;
            }
            OnnxGraph.Tensor q = int8.initializers().get(bias.inputs().get(0));
            OnnxGraph.Tensor scale = int8.initializers().get(bias.inputs().get(1));
            double inputScale = int8.initializers().get(int8.producer(conv.inputs().get(0)).inputs().get(1)).at(0);
            OnnxGraph.Tensor weightScale = int8.initializers().get(int8.producer(conv.inputs().get(1)).inputs().get(1));
            OnnxGraph.Tensor b = fp32.initializers().get(fp32.nodes().stream()
                    .filter(n -> n.name().equals(conv.name())).findFirst().orElseThrow().inputs().get(2));
            for (int c = 0; c < b.size(); c++) {
                assertThat(scale.at(c)).isEqualTo((double) ((float) inputScale * (float) weightScale.at(c)));
                assertThat(Math.abs(q.at(c) * scale.at(c) - b.at(c))).isLessThanOrEqualTo(scale.at(c) / 2 * (1 + 1e-9));
            }
        }
    }

    /**
     * Euler x10 trajectories of fp32 for every class and the null class; at each grid time both models predict on the
     * same x_t. Measured when the variants were made: relative RMS 0.036 (mnist-flow-s) and 0.032 (mnist-flow-l) over
     * held-out trajectories (scripts/quantize).
     */
    @ParameterizedTest
    @ValueSource(strings = {"mnist-flow-s", "mnist-flow-l"})
    void int8PredictionsFollowFp32AlongSolverTrajectories(String model) {
        Path folder = TrainedModels.folder(model);
        Backend backend = new JavaBackend();
        int rows = 4;
        int steps = 10;
        double diff2 = 0;
        double ref2 = 0;
        try (Arena arena = Arena.ofConfined(); Kernels kernels = backend.openStream(1);
             OnnxDenoiser fp32 = new OnnxDenoiser(folder, 1, Precision.FP32);
             OnnxDenoiser int8 = new OnnxDenoiser(folder, 1, Precision.INT8)) {
            int dim = fp32.info().dim();
            Batch x = backend.allocate(arena, rows, dim);
            Batch a = backend.allocate(arena, rows, dim);
            Batch b = backend.allocate(arena, rows, dim);
            double[] grid = fp32.info().schedule().grid(1, 0, steps);
            for (int label = 0; label <= fp32.info().classes(); label++) {
                kernels.gaussianNoise(x, 11, (long) label * rows);
                for (int i = 0; i < steps; i++) {
                    fp32.predict(kernels, x, grid[i], label, a);
                    int8.predict(kernels, x, grid[i], label, b);
                    float[] va = a.data().toArray(ValueLayout.JAVA_FLOAT);
                    float[] vb = b.data().toArray(ValueLayout.JAVA_FLOAT);
                    float[] xs = x.data().toArray(ValueLayout.JAVA_FLOAT);
                    for (int e = 0; e < va.length; e++) {
                        diff2 += ((double) vb[e] - va[e]) * ((double) vb[e] - va[e]);
                        ref2 += (double) va[e] * va[e];
                        xs[e] += (float) ((grid[i + 1] - grid[i]) * va[e]);
                    }
                    x.data().copyFrom(java.lang.foreign.MemorySegment.ofArray(xs));
                }
            }
            assertThat(int8.info().precision()).isEqualTo(Precision.INT8);
        }
        double relativeRms = Math.sqrt(diff2 / ref2);
        assertThat(relativeRms).as("int8 computes with other numbers").isGreaterThan(1e-3).isLessThan(0.06);
    }

    @Test
    void theSolveCachesModelIdentityDiffersPerPrecision() {
        try (OnnxDenoiser fp32 = new OnnxDenoiser(FOLDER, 1, Precision.FP32);
             OnnxDenoiser int8 = new OnnxDenoiser(FOLDER, 1, Precision.INT8);
             OnnxDenoiser again = new OnnxDenoiser(FOLDER, 1, Precision.INT8)) {
            assertThat(ModelIdentity.of(int8)).isNotEqualTo(ModelIdentity.of(fp32)).isEqualTo(ModelIdentity.of(again));
        }
    }

    /** A copy of the mnist-flow-s folder, its manifest edited by {@code edit}. */
    private Path copy(Consumer<ObjectNode> edit) throws Exception {
        return TrainedModels.copy("mnist-flow-s", List.of("model.onnx", "model.int8.onnx"), temp.resolve("model"),
                edit);
    }

    @Test
    void aChangedInt8FileIsRefusedBeforeOnnxRuntimeReadsIt() throws Exception {
        Path folder = copy(m -> { });
        byte[] bytes = Files.readAllBytes(folder.resolve("model.int8.onnx"));
        bytes[bytes.length / 2] ^= 1;
        Files.write(folder.resolve("model.int8.onnx"), bytes);
        assertThatThrownBy(() -> OnnxModel.open(folder, 1, Precision.INT8)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("model.int8.onnx").hasMessageContaining("SHA-256")
                .hasMessageContaining("variants.int8.sha256");
        OnnxModel.open(folder, 1, Precision.FP32).close();
    }

    @Test
    void aVariantFileOutsideTheFolderIsRefused() throws Exception {
        Path folder = copy(m -> ((ObjectNode) m.get("variants").get("int8")).put("file", "../model.int8.onnx"));
        assertThatThrownBy(() -> OnnxModel.open(folder, 1, Precision.INT8)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("'variants.int8.file'").hasMessageContaining("inside");
    }

    @Test
    void aModelWithoutTheVariantNamesThePrecisionOption() throws Exception {
        Path folder = copy(m -> m.remove("variants"));
        assertThatThrownBy(() -> OnnxModel.open(folder, 1, Precision.INT8)).isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("--precision int8: model mnist-flow-s has no int8 variant");
    }

    @Test
    void aManifestsVariantsAreChecked() throws Exception {
        Path badHash = copy(m -> ((ObjectNode) m.get("variants").get("int8")).put("sha256", "abc"));
        assertThatThrownBy(() -> OnnxModel.open(badHash, 1, Precision.INT8))
                .hasMessageContaining("field 'variants.int8.sha256' must be");
        Files.walk(badHash).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        Path fp32 = copy(m -> ((ObjectNode) m.get("variants")).set("fp32", m.get("variants").get("int8")));
        assertThatThrownBy(() -> OnnxModel.open(fp32, 1, Precision.FP32)).hasMessageContaining("field 'variants'");
    }
}

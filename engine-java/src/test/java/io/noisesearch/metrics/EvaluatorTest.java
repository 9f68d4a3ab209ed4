package io.noisesearch.metrics;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Backends;
import io.noisesearch.onnx.OnnxModel;
import io.noisesearch.format.NpyArray;
import io.noisesearch.format.Npz;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The Evaluator on a tiny evaluation network committed under src/test/resources/tiny-eval (same inputs and outputs
 * as mnist-eval, 32 features, 96% test accuracy; made by scripts/train/make_test_fixtures.py): its reference.npz
 * holds the PyTorch features of reference-digits.npz (20 real test digits per class); heldout-digits.npz holds
 * 20 other test digits per class.
 */
class EvaluatorTest {

    static Backend backend;
    static OnnxModel network;
    static Evaluator evaluator;
    static float[][] reference;
    static long[] referenceLabels;
    static float[][] heldout;
    static long[] heldoutLabels;

    @TempDir
    Path temp;

    /** arr_0 uint8 [N,28,28,1] as rows in [-1, 1] (x = p / 127.5 - 1). */
    static float[][] images(Npz npz) {
        NpyArray a = npz.get("arr_0", NpyArray.Dtype.UINT8, 4);
        int n = (int) a.dim(0);
        float[][] x = new float[n][784];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 784; j++) {
                x[i][j] = a.uint8At(i * 784 + j) / 127.5f - 1f;
            }
        }
        return x;
    }

    @BeforeAll
    static void open() {
        Path folder = TinyEval.folder();
        backend = Backends.open("cpu");
        network = OnnxModel.open(folder, 1);
        evaluator = Evaluator.of(network, backend);
        Npz r = Npz.read(folder.resolve("reference-digits.npz"));
        reference = images(r);
        referenceLabels = r.get("labels").int64();
        Npz h = Npz.read(folder.resolve("heldout-digits.npz"));
        heldout = images(h);
        heldoutLabels = h.get("labels").int64();
    }

    @AfterAll
    static void close() {
        if (network != null) {
            network.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    static float[][] noise(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[][] x = new float[n][784];
        for (float[] row : x) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) random.nextDouble(-1, 1);
            }
        }
        return x;
    }

    @Test
    void featuresOnOnnxRuntimeMatchThePyTorchReferenceFeatures() {
        assertThat(evaluator.featureDim()).isEqualTo(32);
        assertThat(evaluator.classes()).isEqualTo(10);
        float[][] features = evaluator.features(reference);
        float[][] torch = evaluator.referenceFeatures();
        assertThat(features.length).isEqualTo(torch.length).isEqualTo(200);
        for (int i = 0; i < features.length; i++) {
            for (int j = 0; j < features[i].length; j++) {
                assertThat(features[i][j]).as("row %d feature %d", i, j).isCloseTo(torch[i][j], within(1e-4f));
            }
        }
        assertThat(evaluator.referenceLabels()).containsExactly(referenceLabels);
    }

    @Test
    void batchesOfAnySizeGiveTheSameOutputs() {
        float[][] all = new float[reference.length + heldout.length][];
        System.arraycopy(reference, 0, all, 0, reference.length);
        System.arraycopy(heldout, 0, all, reference.length, heldout.length);
        Evaluator.Outputs together = evaluator.run(all); // 400 images: a batch of 256 and one of 144
        Evaluator.Outputs alone = evaluator.run(new float[][] {all[300]});
        Evaluator.Outputs first = evaluator.run(java.util.Arrays.copyOf(all, 3));
        for (int j = 0; j < 32; j++) {
            assertThat(together.features()[300][j]).isCloseTo(alone.features()[0][j], within(1e-5f));
            assertThat(together.features()[2][j]).isCloseTo(first.features()[2][j], within(1e-5f));
        }
        float sum = 0;
        for (float p : together.probabilities()[300]) {
            sum += p;
        }
        assertThat(sum).isCloseTo(1f, within(1e-5f));
    }

    @Test
    void realDigitsAreRecognisedUnlikeShuffledLabels() {
        Evaluator.Evaluation real = evaluator.evaluate(heldout, heldoutLabels);
        long[] shuffled = heldoutLabels.clone();
        SplittableRandom random = new SplittableRandom(3);
        for (int i = shuffled.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            long t = shuffled[i];
            shuffled[i] = shuffled[j];
            shuffled[j] = t;
        }
        Evaluator.Evaluation wrong = evaluator.evaluate(heldout, shuffled);

        assertThat(real.count()).isEqualTo(200);
        assertThat(real.accuracy()).isGreaterThan(0.85).isGreaterThan(wrong.accuracy() + 0.5);
        assertThat(wrong.accuracy()).isLessThan(0.3);
        assertThat(real.perClassAccuracy()).hasSize(10);
        double mean = 0;
        for (double a : real.perClassAccuracy()) {
            assertThat(a).isBetween(0.0, 1.0);
            mean += a / 10;
        }
        assertThat(mean).as("20 per class: the mean of the per-class accuracies is the accuracy")
                .isCloseTo(real.accuracy(), within(1e-12));
        // The label does not change the other metrics.
        assertThat(wrong.fid()).isEqualTo(real.fid());
        assertThat(wrong.inceptionScore()).isEqualTo(real.inceptionScore());
    }

    @Test
    void fidOfTheReferenceDigitsAgainstThemselvesIsZero() {
        Evaluator.Evaluation self = evaluator.evaluate(reference, referenceLabels);
        Evaluator.Evaluation held = evaluator.evaluate(heldout, heldoutLabels);
        Evaluator.Evaluation noise = evaluator.evaluate(noise(200, 7), referenceLabels);

        assertThat(noise.fid()).isGreaterThan(10 * held.fid());
        assertThat(Math.abs(self.fid())).isLessThan(1e-6 * noise.fid());
        assertThat(held.fid()).isPositive();
        // Precision and recall of a set against itself: every point lies in its own ball.
        assertThat(self.precision()).isEqualTo(1.0);
        assertThat(self.recall()).isEqualTo(1.0);
        assertThat(held.precision()).isGreaterThan(0.7);
        assertThat(held.recall()).isGreaterThan(0.7);
        assertThat(noise.precision()).isLessThan(0.1);
        assertThat(noise.recall()).isLessThan(0.1);
    }

    @Test
    void inceptionScoreOfRealDigitsIsHighAndOfNoiseLow() {
        Evaluator.Evaluation real = evaluator.evaluate(heldout, heldoutLabels);
        Evaluator.Evaluation noise = evaluator.evaluate(noise(200, 11), heldoutLabels);
        Evaluator.Evaluation oneDigit = evaluator.evaluate(java.util.Arrays.copyOf(heldout, 20),
                java.util.Arrays.copyOf(heldoutLabels, 20)); // twenty zeros: confident, not diverse

        assertThat(real.inceptionScore()).isBetween(1.0, 10.0).isGreaterThan(6.0);
        assertThat(oneDigit.inceptionScore()).isBetween(1.0, 2.0);
        assertThat(noise.inceptionScore()).isBetween(1.0, 10.0).isLessThan(real.inceptionScore());
        assertThat(oneDigit.perClassAccuracy()[0]).isGreaterThan(0.8);
        assertThat(oneDigit.perClassAccuracy()[1]).isNaN();
    }

    @Test
    void badRequestsAreRejected() {
        assertThatThrownBy(() -> evaluator.evaluate(heldout, new long[3]))
                .hasMessage("200 images but 3 labels");
        long[] labels = heldoutLabels.clone();
        labels[5] = 10;
        assertThatThrownBy(() -> evaluator.evaluate(heldout, labels))
                .hasMessageContaining("label 10 at index 5 is outside 0..9");
        assertThatThrownBy(() -> evaluator.evaluate(java.util.Arrays.copyOf(heldout, 3), new long[3]))
                .hasMessageContaining("more than 3 images");
        assertThatThrownBy(() -> evaluator.features(new float[][] {new float[10]}))
                .hasMessageContaining("image 0 has 10 values").hasMessageContaining("= 784");
    }

    @Test
    void missingReferenceFeaturesNameTheFileAndTheCommand() throws IOException {
        Path folder = temp.resolve("eval");
        Files.createDirectories(folder);
        Files.copy(TinyEval.folder().resolve("manifest.json"), folder.resolve("manifest.json"));
        Files.copy(TinyEval.folder().resolve("model.onnx"), folder.resolve("model.onnx"));
        try (OnnxModel model = OnnxModel.open(folder, 1)) {
            assertThatThrownBy(() -> Evaluator.of(model, backend)).isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining(folder.resolve("reference.npz").toString())
                    .hasMessageContaining("scripts/train/reference_features.py");
        }

        Npz.write(folder.resolve("reference.npz"), java.util.Map.of(
                "features", NpyArray.ofFloat32(new float[5 * 16], 5, 16),
                "labels", NpyArray.ofInt64(new long[5], 5)));
        try (OnnxModel model = OnnxModel.open(folder, 1)) {
            assertThatThrownBy(() -> Evaluator.of(model, backend)).isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("entry 'features': shape (5, 16) but the model's features have 32"
                            + " dimensions");
        }
    }
}

package io.noisesearch.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.noisesearch.schedule.Coefficients;
import io.noisesearch.schedule.Prediction;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Every host kernel against the plain-Java reference on random inputs: bit for bit where the math is IEEE-exact
 * operations only, within 1e-5 relative for the mixture kernels (whose exp and log come from different libraries).
 */
class HostKernelsTest extends HostAndJavaTest {

    private final SplittableRandom random = new SplittableRandom(20250501);

    private Batch random(int rows, int dim) {
        float[] values = new float[rows * dim];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextDouble() * 4 - 2);
        }
        return host.upload(arena, values, rows, dim);
    }

    private Batch copyOf(Batch b) {
        return host.upload(arena, host.download(b), b.rows(), b.dim());
    }

    private Batch empty(Batch like) {
        return host.allocate(arena, like.rows(), like.dim());
    }

    private void assertSame(Batch actual, Batch expected) {
        assertThat(host.download(actual)).containsExactly(host.download(expected));
    }

    @Test
    void philoxReproducesTheRandom123KnownAnswersNatively() {
        int[] counters = {0, 0, 0, 0, -1, -1, -1, -1, 0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344};
        int[] keys = {0, 0, -1, -1, 0xa4093822, 0x299f31d0};
        int[] out = new int[12];
        hostKernels.philox(counters, keys, out);
        assertThat(out).containsExactly(0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8, 0x408f276d, 0x41c83b0e,
                0xa20bc7c6, 0x6d5451fd, 0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1);
    }

    @Test
    void elementwiseUpdatesMatchTheReferenceBitForBit() {
        Batch x = random(7, 131);
        Batch a = random(7, 131);
        Batch b = random(7, 131);
        Batch nativeOut = empty(x);
        Batch javaOut = empty(x);

        hostKernels.eulerStep(x, a, nativeOut, -0.03125f);
        reference.eulerStep(x, a, javaOut, -0.03125f);
        assertSame(nativeOut, javaOut);

        hostKernels.heunStep(x, a, b, nativeOut, 0.1f);
        reference.heunStep(x, a, b, javaOut, 0.1f);
        assertSame(nativeOut, javaOut);

        hostKernels.cfgCombine(a, b, nativeOut, 4.5f);
        reference.cfgCombine(a, b, javaOut, 4.5f);
        assertSame(nativeOut, javaOut);

        hostKernels.copy(x, nativeOut);
        assertSame(nativeOut, x);
    }

    @Test
    void predictionConversionsAndDdimMatchTheReferenceBitForBit() {
        Batch x = random(5, 67);
        Batch pred = random(5, 67);
        Coefficients now = new Coefficients(0.7f, 0.3f, -1f, 1f);
        Coefficients next = new Coefficients(0.8f, 0.2f, -1f, 1f);
        for (Prediction from : Prediction.values()) {
            for (Prediction to : Prediction.values()) {
                Batch nativeOut = empty(x);
                Batch javaOut = empty(x);
                hostKernels.convertPrediction(x, pred, nativeOut, from, to, now);
                reference.convertPrediction(x, pred, javaOut, from, to, now);
                assertSame(nativeOut, javaOut);
            }
            Batch nativeOut = empty(x);
            Batch javaOut = empty(x);
            hostKernels.ddimStep(x, pred, nativeOut, from, now, next);
            reference.ddimStep(x, pred, javaOut, from, now, next);
            assertSame(nativeOut, javaOut);
        }
    }

    @Test
    void conversionsRoundTripThroughEveryPredictionType() {
        Batch x = random(3, 40);
        Batch velocity = random(3, 40);
        Coefficients at = new Coefficients(0.6f, 0.4f, -1f, 1f);
        Batch eps = empty(x);
        Batch back = empty(x);
        hostKernels.convertPrediction(x, velocity, eps, Prediction.VELOCITY, Prediction.EPSILON, at);
        hostKernels.convertPrediction(x, eps, back, Prediction.EPSILON, Prediction.VELOCITY, at);
        float[] expected = host.download(velocity);
        float[] actual = host.download(back);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).isCloseTo(expected[i], within(1e-5f));
        }
    }

    @Test
    void rowReductionsAndGatherMatchTheReferenceBitForBit() {
        Batch a = random(9, 1001);
        Batch b = random(9, 1001);
        float[] nativeOut = new float[9];
        float[] javaOut = new float[9];
        hostKernels.rowDot(a, b, nativeOut);
        reference.rowDot(a, b, javaOut);
        assertThat(nativeOut).containsExactly(javaOut);
        hostKernels.rowNorm(a, nativeOut);
        reference.rowNorm(a, javaOut);
        assertThat(nativeOut).containsExactly(javaOut);
        hostKernels.rowCosine(a, b, nativeOut);
        reference.rowCosine(a, b, javaOut);
        assertThat(nativeOut).containsExactly(javaOut);

        int[] survivors = {8, 2, 2, 0};
        Batch nativeRows = host.allocate(arena, 4, 1001);
        Batch javaRows = host.allocate(arena, 4, 1001);
        hostKernels.gatherRows(a, survivors, nativeRows);
        reference.gatherRows(a, survivors, javaRows);
        assertSame(nativeRows, javaRows);
        assertSame(nativeRows.row(0), a.row(8));
    }

    @Test
    void zeroOrderNeighboursMatchTheReferenceAndKeepNormAndCosine() {
        Batch pivot = random(1, 257);
        Batch directions = random(16, 257);
        Batch nativeOut = empty(directions);
        Batch javaOut = empty(directions);
        hostKernels.zeroOrderNeighbours(pivot, directions, nativeOut, 0.95f);
        reference.zeroOrderNeighbours(pivot, directions, javaOut, 0.95f);
        assertSame(nativeOut, javaOut);

        float[] pivotNorm = new float[1];
        hostKernels.rowNorm(pivot, pivotNorm);
        float[] norms = new float[16];
        hostKernels.rowNorm(nativeOut, norms);
        float[] cosines = new float[16];
        Batch pivots = host.allocate(arena, 16, 257);
        hostKernels.gatherRows(pivot, new int[16], pivots);
        hostKernels.rowCosine(nativeOut, pivots, cosines);
        for (int r = 0; r < 16; r++) {
            assertThat(norms[r]).isCloseTo(pivotNorm[0], within(1e-5f * pivotNorm[0]));
            assertThat(cosines[r]).isCloseTo(0.95f, within(1e-5f));
        }
    }

    @Test
    void zeroOrderNeighboursMayOverwriteTheirDirections() {
        Batch pivot = random(1, 33);
        Batch directions = random(4, 33);
        Batch separate = empty(directions);
        hostKernels.zeroOrderNeighbours(pivot, directions, separate, 0.5f);
        hostKernels.zeroOrderNeighbours(pivot, directions, directions, 0.5f);
        assertSame(directions, separate);
    }

    @Test
    void forwardNoiseMatchesTheReferenceBitForBit() {
        Batch x = random(6, 103);
        Batch expected = copyOf(x);
        hostKernels.forwardNoise(x, 11, 500, 0.9f, 0.43588989f);
        reference.forwardNoise(expected, 11, 500, 0.9f, 0.43588989f);
        assertSame(x, expected);
    }

    @Test
    void mixtureKernelsMatchTheReferenceWithinLibmRounding() {
        int dim = 24;
        int components = 6;
        MixtureTensors mixture = mixture(dim, components, 2);
        Batch x = random(10, dim);
        for (int label = 0; label <= 2; label++) {
            float[] nativeDensity = new float[10];
            float[] javaDensity = new float[10];
            hostKernels.gmmLogDensity(x, nativeDensity, mixture, label);
            reference.gmmLogDensity(x, javaDensity, mixture, label);
            assertClose(nativeDensity, javaDensity);
            for (Prediction type : Prediction.values()) {
                Batch nativeOut = empty(x);
                Batch javaOut = empty(x);
                Coefficients at = new Coefficients(0.55f, 0.45f, -1f, 1f);
                hostKernels.gmmPredict(x, nativeOut, mixture, label, at, type);
                reference.gmmPredict(x, javaOut, mixture, label, at, type);
                assertClose(host.download(nativeOut), host.download(javaOut));
            }
        }
    }

    @Test
    void mixturePredictionOfARowDoesNotDependOnTheOtherRowsInTheCall() {
        MixtureTensors mixture = mixture(16, 5, 1);
        Batch x = random(8, 16);
        Batch all = empty(x);
        Coefficients at = new Coefficients(0.3f, 0.7f, -1f, 1f);
        hostKernels.gmmPredict(x, all, mixture, 0, at, Prediction.VELOCITY);
        for (int r = 0; r < 8; r++) {
            Batch one = host.allocate(arena, 1, 16);
            hostKernels.gmmPredict(x.row(r), one, mixture, 0, at, Prediction.VELOCITY);
            assertSame(one, all.row(r));
        }
    }

    /** Two classes over the components, some components outside each class (log weight -inf). */
    private MixtureTensors mixture(int dim, int components, int classes) {
        Batch means = random(components, dim);
        float[] variances = new float[components];
        float[] logWeights = new float[(classes + 1) * components];
        for (int k = 0; k < components; k++) {
            variances[k] = (float) (0.05 + random.nextDouble() * 0.3);
            for (int c = 0; c <= classes; c++) {
                boolean member = c == classes || k % classes == c;
                logWeights[c * components + k] = member ? (float) Math.log(0.2 + random.nextDouble())
                        : Float.NEGATIVE_INFINITY;
            }
        }
        return new MixtureTensors(means, host.upload(arena, variances, 1, components),
                host.upload(arena, logWeights, classes + 1, components), components, classes);
    }

    private static void assertClose(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).isCloseTo(expected[i], within(1e-5f * Math.max(1f, Math.abs(expected[i]))));
        }
    }
}

package io.noisesearch.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.noisesearch.model.BuiltinModels;
import io.noisesearch.model.GaussianMixture;
import io.noisesearch.schedule.Coefficients;
import io.noisesearch.schedule.Prediction;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every CUDA kernel against the host library on the same inputs: noise bit for bit (the noise contract), solver
 * and perturbation kernels within 1e-6 relative, the mixture kernels within 1e-5 (exp and log of different math
 * libraries, as in HostKernelsTest). Needs a GPU: skipped, with the reason, where there is none.
 */
@Tag("gpu")
class CudaKernelsGpuTest extends HostAndDeviceTest {

    private static final double SOLVER_TOLERANCE = 1e-6;
    private static final double MIXTURE_TOLERANCE = 1e-5;

    private final SplittableRandom random = new SplittableRandom(20251126);

    /** The same random values on both backends. */
    private record Pair(Batch host, Batch device) {
    }

    private Pair random(int rows, int dim) {
        float[] values = new float[rows * dim];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextDouble() * 4 - 2);
        }
        return new Pair(host.upload(arena, values, rows, dim), cuda.upload(arena, values, rows, dim));
    }

    private Pair empty(int rows, int dim) {
        return new Pair(host.allocate(arena, rows, dim), cuda.allocate(arena, rows, dim));
    }

    private void assertBitIdentical(Pair p) {
        assertThat(cuda.download(p.device())).isEqualTo(host.download(p.host()));
    }

    /** |device - host| <= tolerance * max(|host|, rms of the host batch): relative, with the batch as scale. */
    private void assertClose(Pair p, double tolerance) {
        assertClose(cuda.download(p.device()), host.download(p.host()), tolerance);
    }

    private static void assertClose(float[] actual, float[] expected, double tolerance) {
        assertThat(actual).hasSameSizeAs(expected);
        double squares = 0;
        for (float e : expected) {
            squares += (double) e * e;
        }
        double rms = Math.sqrt(squares / Math.max(1, expected.length));
        for (int i = 0; i < expected.length; i++) {
            double scale = Math.max(Math.abs(expected[i]), rms);
            assertThat((double) actual[i]).as("element %d", i).isCloseTo(expected[i],
                    org.assertj.core.api.Assertions.within(tolerance * scale));
        }
    }

    @Test
    void philoxReproducesTheRandom123KnownAnswersOnTheDevice() {
        int[] counters = {0, 0, 0, 0, -1, -1, -1, -1, 0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344};
        int[] keys = {0, 0, -1, -1, 0xa4093822, 0x299f31d0};
        int[] out = new int[12];
        onDevice.philox(counters, keys, out);
        assertThat(out).containsExactly(0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8, 0x408f276d, 0x41c83b0e,
                0xa20bc7c6, 0x6d5451fd, 0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1);
    }

    @Test
    void noiseIsBitIdenticalToTheHostLibrary() {
        for (int dim : new int[] {1, 3, 256, 1031}) {
            Pair noise = empty(37, dim);
            onHost.gaussianNoise(noise.host(), 0x1234_5678_9abcL, 0x0300_0002_0000_0000L);
            onDevice.gaussianNoise(noise.device(), 0x1234_5678_9abcL, 0x0300_0002_0000_0000L);
            assertBitIdentical(noise);
        }
        Pair x = random(64, 256);
        onHost.forwardNoise(x.host(), 99, 5L << 56, 0.8f, 0.35f);
        onDevice.forwardNoise(x.device(), 99, 5L << 56, 0.8f, 0.35f);
        assertBitIdentical(x);
    }

    @Test
    void largeAndUnalignedNoiseBatchesAreBitIdenticalToTheHostLibrary() {
        // More Philox blocks than one pass of the grid covers (several rounds per lane), on the vector path
        // (dim % 4 == 0), the scalar path, and a slice whose rows start off a 16-byte boundary.
        for (int[] shape : new int[][] {{8300, 1024}, {4100, 1025}}) {
            Pair noise = empty(shape[0], shape[1]);
            onHost.gaussianNoise(noise.host(), 77, 1L << 56);
            onDevice.gaussianNoise(noise.device(), 77, 1L << 56);
            assertBitIdentical(noise);
            onHost.forwardNoise(noise.host(), 78, 2L << 56, 0.6f, 0.8f);
            onDevice.forwardNoise(noise.device(), 78, 2L << 56, 0.6f, 0.8f);
            assertBitIdentical(noise);
        }
        Pair whole = random(9, 1031);
        Pair slice = new Pair(whole.host().rows(1, 7), whole.device().rows(1, 7));
        onHost.forwardNoise(slice.host(), 5, 9, 0.5f, 0.5f);
        onDevice.forwardNoise(slice.device(), 5, 9, 0.5f, 0.5f);
        assertBitIdentical(whole);
    }

    @Test
    void solverKernelsMatchTheHostWithinOneInAMillion() {
        Pair x = random(33, 257);
        Pair v1 = random(33, 257);
        Pair v2 = random(33, 257);
        Pair out = empty(33, 257);
        onHost.eulerStep(x.host(), v1.host(), out.host(), -0.03125f);
        onDevice.eulerStep(x.device(), v1.device(), out.device(), -0.03125f);
        assertClose(out, SOLVER_TOLERANCE);

        onHost.heunStep(x.host(), v1.host(), v2.host(), out.host(), -0.1f);
        onDevice.heunStep(x.device(), v1.device(), v2.device(), out.device(), -0.1f);
        assertClose(out, SOLVER_TOLERANCE);

        onHost.cfgCombine(v1.host(), v2.host(), out.host(), 3.5f);
        onDevice.cfgCombine(v1.device(), v2.device(), out.device(), 3.5f);
        assertClose(out, SOLVER_TOLERANCE);

        Coefficients now = new Coefficients(0.6f, 0.8f, -1f, 1f);
        Coefficients next = new Coefficients(0.7f, 0.71414284f, -1f, 1f);
        for (Prediction type : Prediction.values()) {
            onHost.ddimStep(x.host(), v1.host(), out.host(), type, now, next);
            onDevice.ddimStep(x.device(), v1.device(), out.device(), type, now, next);
            assertClose(out, SOLVER_TOLERANCE);
            for (Prediction to : Prediction.values()) {
                onHost.convertPrediction(x.host(), v1.host(), out.host(), type, to, now);
                onDevice.convertPrediction(x.device(), v1.device(), out.device(), type, to, now);
                assertClose(out, SOLVER_TOLERANCE);
            }
        }
    }

    @Test
    void perturbationAndRowKernelsMatchTheHostWithinOneInAMillion() {
        Pair pivot = random(1, 256);
        Pair directions = random(40, 256);
        Pair out = empty(40, 256);
        onHost.zeroOrderNeighbours(pivot.host(), directions.host(), out.host(), 0.93f);
        onDevice.zeroOrderNeighbours(pivot.device(), directions.device(), out.device(), 0.93f);
        assertClose(out, SOLVER_TOLERANCE);

        int[] indices = {39, 0, 7, 7, 12};
        Pair gathered = empty(indices.length, 256);
        onHost.gatherRows(directions.host(), indices, gathered.host());
        onDevice.gatherRows(directions.device(), indices, gathered.device());
        assertBitIdentical(gathered);

        float[] hostScores = new float[40];
        float[] deviceScores = new float[40];
        onHost.rowDot(directions.host(), out.host(), hostScores);
        onDevice.rowDot(directions.device(), out.device(), deviceScores);
        assertClose(deviceScores, hostScores, SOLVER_TOLERANCE);
        onHost.rowNorm(directions.host(), hostScores);
        onDevice.rowNorm(directions.device(), deviceScores);
        assertClose(deviceScores, hostScores, SOLVER_TOLERANCE);
        onHost.rowCosine(directions.host(), out.host(), hostScores);
        onDevice.rowCosine(directions.device(), out.device(), deviceScores);
        assertClose(deviceScores, hostScores, SOLVER_TOLERANCE);

        Pair copy = empty(40, 256);
        onHost.copy(directions.host(), copy.host());
        onDevice.copy(directions.device(), copy.device());
        assertBitIdentical(copy);
    }

    @Test
    void mixtureKernelsMatchTheHostWithinTheMathLibraries() {
        GaussianMixture mixture = BuiltinModels.mixture("gmm-image");
        MixtureTensors onHostMixture = tensors(host, mixture);
        MixtureTensors onDeviceMixture = tensors(cuda, mixture);
        Pair x = random(24, mixture.dim());
        Pair out = empty(24, mixture.dim());
        Coefficients at = new Coefficients(0.55f, 0.45f, -1f, 1f);
        for (int label : new int[] {0, 3, mixture.classes()}) {
            onHost.gmmPredict(x.host(), out.host(), onHostMixture, label, at, Prediction.VELOCITY);
            onDevice.gmmPredict(x.device(), out.device(), onDeviceMixture, label, at, Prediction.VELOCITY);
            assertClose(out, MIXTURE_TOLERANCE);
            float[] hostDensity = new float[24];
            float[] deviceDensity = new float[24];
            onHost.gmmLogDensity(x.host(), hostDensity, onHostMixture, label);
            onDevice.gmmLogDensity(x.device(), deviceDensity, onDeviceMixture, label);
            assertClose(deviceDensity, hostDensity, MIXTURE_TOLERANCE);
        }
    }

    @Test
    void mixtureGradientKernelsMatchTheHostWithinTheMathLibraries() {
        GaussianMixture mixture = BuiltinModels.mixture("gmm-image");
        MixtureTensors onHostMixture = tensors(host, mixture);
        MixtureTensors onDeviceMixture = tensors(cuda, mixture);
        Pair x = random(24, mixture.dim());
        Pair c = random(24, mixture.dim());
        Pair out = empty(24, mixture.dim());
        Coefficients at = new Coefficients(0.55f, 0.45f, -1f, 1f);
        for (int label : new int[] {0, 3, mixture.classes()}) {
            onHost.gmmVjp(x.host(), c.host(), out.host(), onHostMixture, label, at, at.dalpha(), at.dsigma());
            onDevice.gmmVjp(x.device(), c.device(), out.device(), onDeviceMixture, label, at, at.dalpha(), at.dsigma());
            assertClose(out, MIXTURE_TOLERANCE);
            onHost.gmmScore(x.host(), out.host(), onHostMixture, label, at);
            onDevice.gmmScore(x.device(), out.device(), onDeviceMixture, label, at);
            assertClose(out, MIXTURE_TOLERANCE);
        }
    }

    @Test
    void aCapturedGraphReplaysTheSameSolverStepsAsDirectCalls() {
        Pair x = random(128, 256);
        Pair v = random(128, 256);
        Batch direct = cuda.upload(arena, cuda.download(x.device()), 128, 256);
        for (int i = 0; i < 4; i++) {
            onDevice.eulerStep(direct, v.device(), direct, -0.05f);
        }
        MemorySegment graph = onDevice.captureGraph(arena, () -> {
            for (int i = 0; i < 4; i++) {
                onDevice.eulerStep(x.device(), v.device(), x.device(), -0.05f);
            }
        });
        onDevice.replay(graph);
        onDevice.synchronize();
        assertThat(cuda.download(x.device())).containsExactly(cuda.download(direct));
    }

    @Test
    void eventsTimeTheStream() {
        DeviceFunctions device = cuda.device();
        MemorySegment start = device.event(arena);
        MemorySegment end = device.event(arena);
        Pair x = random(1024, 1024);
        device.record(onDevice.stream(), start);
        onDevice.gaussianNoise(x.device(), 1, 0);
        device.record(onDevice.stream(), end);
        assertThat(device.elapsedMillis(start, end)).isPositive();
    }

    @Test
    void streamsCloseCleanlyWhileKernelsAreTimed() {
        // Regression: a stream that never ran a timed call, closed while timing is on, once recorded its end event
        // on the destroyed stream (a SIGSEGV in libcuda when the backend closed).
        try (CudaBackend timed = (CudaBackend) Backends.open("cuda")) {
            timed.timeKernels(true);
            timed.openStream(0).close();
            Kernels stream = timed.openStream(0);
            try (Arena local = Arena.ofConfined()) {
                Batch x = timed.allocate(local, 64, 64);
                stream.gaussianNoise(x, 1, 0);
                Batch expected = host.allocate(local, 64, 64);
                onHost.gaussianNoise(expected, 1, 0);
                onHost.synchronize();
                assertThat(timed.download(stream, x)).as("downloaded on the stream that wrote it")
                        .isEqualTo(host.download(expected));
                assertThat(timed.kernelMillis()).isPositive();
            }
            stream.close();
            stream.close();
        }
    }

    private MixtureTensors tensors(Backend backend, GaussianMixture mixture) {
        int k = mixture.components();
        return new MixtureTensors(backend.upload(arena, mixture.flatMeans(), k, mixture.dim()),
                backend.upload(arena, mixture.variances().clone(), 1, k),
                backend.upload(arena, mixture.logWeightTable(), mixture.classes() + 1, k), k, mixture.classes());
    }
}

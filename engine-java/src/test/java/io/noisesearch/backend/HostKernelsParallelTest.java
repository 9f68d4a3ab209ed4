package io.noisesearch.backend;

import io.noisesearch.schedule.Coefficients;
import io.noisesearch.schedule.Prediction;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Calls large enough to be split over two threads (the host kernels run calls under 2^20 element operations
 * on one thread) give the same bits as the sequential Java reference.
 */
class HostKernelsParallelTest {

    private static final int ROWS = 1100;
    private static final int DIM = 1000;

    private final Backend host = new HostBackend();
    private final Backend java = new JavaBackend();

    @Test
    void splitCallsMatchTheSequentialReference() {
        SplittableRandom random = new SplittableRandom(5);
        try (Arena arena = Arena.ofConfined(); Kernels two = host.openStream(2); Kernels reference = java.openStream(1)) {
            Batch x = upload(arena, random, ROWS, DIM);
            Batch v = upload(arena, random, ROWS, DIM);
            Batch w = upload(arena, random, ROWS, DIM);
            Batch pivot = upload(arena, random, 1, DIM);
            Batch a = host.allocate(arena, ROWS, DIM);
            Batch b = host.allocate(arena, ROWS, DIM);

            two.heunStep(x, v, w, a, 0.125f);
            reference.heunStep(x, v, w, b, 0.125f);
            assertThat(host.download(a)).isEqualTo(host.download(b));

            Coefficients at = new Coefficients(0.6f, 0.4f, -1f, 1f);
            two.convertPrediction(x, v, a, Prediction.VELOCITY, Prediction.X0, at);
            reference.convertPrediction(x, v, b, Prediction.VELOCITY, Prediction.X0, at);
            assertThat(host.download(a)).isEqualTo(host.download(b));

            two.zeroOrderNeighbours(pivot, v, a, 0.9f);
            reference.zeroOrderNeighbours(pivot, v, b, 0.9f);
            assertThat(host.download(a)).isEqualTo(host.download(b));

            two.forwardNoise(a, 3, 17, 0.8f, 0.6f);
            reference.forwardNoise(b, 3, 17, 0.8f, 0.6f);
            assertThat(host.download(a)).isEqualTo(host.download(b));

            int[] indices = IntStream.range(0, ROWS).map(i -> (i * 7919) % ROWS).toArray();
            two.gatherRows(x, indices, a);
            reference.gatherRows(x, indices, b);
            assertThat(host.download(a)).isEqualTo(host.download(b));

            float[] dotsTwo = new float[ROWS];
            float[] dotsReference = new float[ROWS];
            two.rowCosine(x, v, dotsTwo);
            reference.rowCosine(x, v, dotsReference);
            assertThat(dotsTwo).isEqualTo(dotsReference);
        }
    }

    private Batch upload(Arena arena, SplittableRandom random, int rows, int dim) {
        float[] values = new float[rows * dim];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextDouble() * 4 - 2);
        }
        return host.upload(arena, values, rows, dim);
    }
}

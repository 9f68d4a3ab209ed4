package io.noisesearch.onnx;

import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.JavaBackend;
import io.noisesearch.backend.Kernels;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What cross-request batching relies on in ONNX Runtime: requests placed as the batcher places them (even row counts
 * at even offsets, one odd count last) and run in one call with per-row times and labels get the bits each gets
 * alone with its own time and label.
 */
class MergedRowsTest {

    private static float[] floats(Batch batch) {
        return batch.data().toArray(ValueLayout.JAVA_FLOAT);
    }

    private static void assertMergedEqualsAlone(String model, int threads, int[] rowsPerRequest) {
        Backend backend = new JavaBackend();
        try (Arena arena = Arena.ofConfined(); Kernels kernels = backend.openStream(1);
             OnnxDenoiser denoiser = new OnnxDenoiser(TrainedModels.folder(model), threads)) {
            int dim = denoiser.info().dim();
            int total = Arrays.stream(rowsPerRequest).sum();
            Batch x = backend.allocate(arena, total, dim);
            kernels.gaussianNoise(x, 11, total);
            double[] times = new double[total];
            int[] labels = new int[total];
            int offset = 0;
            for (int i = 0; i < rowsPerRequest.length; i++) {
                Arrays.fill(times, offset, offset + rowsPerRequest[i], 0.05 + 0.9 * i / rowsPerRequest.length);
                Arrays.fill(labels, offset, offset + rowsPerRequest[i], i % (denoiser.info().classes() + 1));
                offset += rowsPerRequest[i];
            }
            Batch merged = backend.allocate(arena, total, dim);
            denoiser.predictRows(kernels, x, times, labels, merged);
            offset = 0;
            for (int rows : rowsPerRequest) {
                Batch alone = backend.allocate(arena, rows, dim);
                denoiser.predict(kernels, x.rows(offset, rows), times[offset], labels[offset], alone);
                assertThat(floats(merged.rows(offset, rows))).as("%s: %d rows at offset %d of %d", model, rows, offset,
                        total).isEqualTo(floats(alone));
                offset += rows;
            }
        }
    }

    @Test
    void mergedRequestsOfEvenCountsAndOneOddLastGetTheirBitsAlone() {
        int[][] placements = {{16, 16, 16, 16, 16, 16, 16, 16, 16, 16}, {2, 4, 16, 6, 5}, {8, 8, 1}, {2, 2, 2, 3}};
        for (int[] placement : placements) {
            assertMergedEqualsAlone("mnist-flow-s", 0, placement);
            assertMergedEqualsAlone("mnist-flow-s", 1, placement);
        }
        assertMergedEqualsAlone("mnist-flow-l", 0, placements[1]);
    }
}

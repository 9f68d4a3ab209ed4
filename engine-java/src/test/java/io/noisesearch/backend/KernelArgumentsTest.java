package io.noisesearch.backend;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.noisesearch.schedule.Coefficients;
import io.noisesearch.schedule.Prediction;
import java.lang.foreign.Arena;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Malformed calls are refused in Java with a message naming the shapes, by the reference and the host alike. */
class KernelArgumentsTest {

    static Stream<Backend> backends() {
        return Stream.of(new JavaBackend(), new HostBackend());
    }

    @ParameterizedTest
    @MethodSource("backends")
    void mismatchedShapesAreRejectedWithTheShapes(Backend backend) {
        try (Arena arena = Arena.ofConfined(); Kernels k = backend.openStream(1)) {
            Batch x = backend.allocate(arena, 4, 8);
            Batch wide = backend.allocate(arena, 4, 9);
            Batch tall = backend.allocate(arena, 5, 8);
            assertThatThrownBy(() -> k.eulerStep(x, wide, x, 0.1f))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("eulerStep")
                    .hasMessageContaining("[4, 8]").hasMessageContaining("[4, 9]");
            assertThatThrownBy(() -> k.heunStep(x, x, tall, x, 0.1f)).hasMessageContaining("[5, 8]");
            assertThatThrownBy(() -> k.ddimStep(x, x, wide, Prediction.X0, coefficients(), coefficients()))
                    .hasMessageContaining("ddimStep");
            assertThatThrownBy(() -> k.rowDot(x, x, new float[3])).hasMessageContaining("length 3");
            assertThatThrownBy(() -> k.copy(x, tall)).hasMessageContaining("copy");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void badNeighbourAndGatherArgumentsAreRejected(Backend backend) {
        try (Arena arena = Arena.ofConfined(); Kernels k = backend.openStream(1)) {
            Batch pivot = backend.allocate(arena, 1, 8);
            Batch directions = backend.allocate(arena, 3, 8);
            assertThatThrownBy(() -> k.zeroOrderNeighbours(directions, directions, directions, 0.9f))
                    .hasMessageContaining("pivot [3, 8]");
            assertThatThrownBy(() -> k.zeroOrderNeighbours(pivot, directions, directions, 1.5f))
                    .hasMessageContaining("cosine 1.5");
            Batch out = backend.allocate(arena, 2, 8);
            assertThatThrownBy(() -> k.gatherRows(directions, new int[] {0, 3}, out))
                    .hasMessageContaining("index 3").hasMessageContaining("[3, 8]");
            assertThatThrownBy(() -> k.gatherRows(directions, new int[] {0, 1}, directions.rows(0, 2)))
                    .hasMessageContaining("overlaps");
            assertThatThrownBy(() -> k.philox(new int[4], new int[1], new int[4])).hasMessageContaining("philox");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void mixtureArgumentsAreChecked(Backend backend) {
        try (Arena arena = Arena.ofConfined(); Kernels k = backend.openStream(1)) {
            MixtureTensors mixture = new MixtureTensors(backend.allocate(arena, 2, 4), backend.allocate(arena, 1, 2),
                    backend.allocate(arena, 2, 2), 2, 1);
            Batch x = backend.allocate(arena, 3, 5);
            assertThatThrownBy(() -> k.gmmLogDensity(x, new float[3], mixture, 0))
                    .hasMessageContaining("[3, 5]").hasMessageContaining("4 dimensions");
            Batch fits = backend.allocate(arena, 3, 4);
            assertThatThrownBy(() -> k.gmmPredict(fits, fits, mixture, 2, coefficients(), Prediction.EPSILON))
                    .hasMessageContaining("label 2");
        }
    }

    private static Coefficients coefficients() {
        return new Coefficients(0.5f, 0.5f, -1f, 1f);
    }
}

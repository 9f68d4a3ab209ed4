package io.noisesearch.search;

import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ZeroOrderSearchTest extends EngineFixture {

    @Test
    void pivotScoreNeverDecreases() {
        for (int seed = 0; seed < 20; seed++) {
            SearchResult result = engine.search(SearchRequest.of("gmm-image", seed % 10,
                    new ZeroOrderSearch(4, 6, 0.9, Double.NaN), "oracle", seed));
            float pivot = result.trace().get(0).scores()[0];
            for (TraceEntry step : result.trace().subList(1, result.trace().size())) {
                float bestNeighbour = Float.NEGATIVE_INFINITY;
                for (float s : step.scores()) {
                    bestNeighbour = Math.max(bestNeighbour, s);
                }
                assertThat(step.rejected()).isEqualTo(!(bestNeighbour > pivot));
                float next = step.rejected() ? pivot : bestNeighbour;
                assertThat(next).isGreaterThanOrEqualTo(pivot);
                pivot = next;
            }
            assertThat(result.score()).isEqualTo(pivot);
        }
    }

    @Test
    void searchNfeFollowsTheFormula() {
        SearchResult result = engine.search(SearchRequest.of("gmm-image", 3,
                new ZeroOrderSearch(4, 5, 0.95, Double.NaN), "oracle", 1));
        assertThat(result.compute().searchNfe()).isEqualTo((1 + 4 * 5) * 19L).isEqualTo(result.searchNfePlanned());
    }

    /**
     * The lineage regenerates the pivot: replaying it from the seed with the kernels gives a noise with the
     * first pivot's norm and, at every accepted step, the set cosine to the previous pivot.
     */
    @Test
    void lineageReplaysPivotsOnTheSphereAtTheSetCosine() {
        float cosine = 0.9f;
        SearchResult result = engine.search(SearchRequest.of("gmm-image", 6,
                new ZeroOrderSearch(4, 8, cosine, Double.NaN), "oracle", 42));
        List<Long> lineage = result.lineage();
        assertThat(lineage.size()).isGreaterThan(1);
        assertLineageStaysOnTheSphere(42, lineage, key -> cosine);
    }

    @Test
    void lambdaSetsTheL2StepToThePivot() {
        double lambda = 3.0;
        SearchResult result = engine.search(SearchRequest.of("gmm-image", 0,
                new ZeroOrderSearch(4, 8, Double.NaN, lambda), "oracle", 9));
        List<Long> lineage = result.lineage();
        assertThat(lineage.size()).isGreaterThan(1);
        Backend backend = engine.backend();
        try (Arena arena = Arena.ofConfined(); Kernels kernels = backend.openStream(0)) {
            Batch pivot = backend.allocate(arena, 1, 256);
            Batch candidate = backend.allocate(arena, 1, 256);
            kernels.gaussianNoise(pivot, 9, lineage.get(0));
            kernels.gaussianNoise(candidate, 9, lineage.get(1));
            float[] norm = new float[1];
            kernels.rowNorm(pivot, norm);
            float cosine = (float) (1 - lambda * lambda / (2.0 * norm[0] * norm[0]));
            kernels.zeroOrderNeighbours(pivot, candidate, candidate, cosine);
            float[] p = backend.download(pivot);
            float[] c = backend.download(candidate);
            double distance = 0;
            for (int i = 0; i < p.length; i++) {
                distance += (p[i] - c[i]) * (double) (p[i] - c[i]);
            }
            assertThat(Math.sqrt(distance)).isCloseTo(lambda, within(1e-3));
        }
    }
}

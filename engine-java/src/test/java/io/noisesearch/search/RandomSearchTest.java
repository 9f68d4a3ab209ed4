package io.noisesearch.search;

import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RandomSearchTest extends EngineFixture {

    private static double meanOracleScore(int candidates, int requests) {
        double sum = 0;
        for (int seed = 0; seed < requests; seed++) {
            SearchResult result = engine.search(SearchRequest.of("gmm-image", seed % 10,
                    new RandomSearch(candidates), "oracle", seed));
            sum += result.score();
        }
        return sum / requests;
    }

    @Test
    void meanOracleScoreRisesWithCandidates() {
        double one = meanOracleScore(1, 200);
        double four = meanOracleScore(4, 200);
        double sixteen = meanOracleScore(16, 200);
        assertThat(four).isGreaterThan(one);
        assertThat(sixteen).isGreaterThan(four);
    }

    @Test
    void winnerIsTheArgmaxOfItsPoolAndSpendsNSolves() {
        SearchResult result = engine.search(SearchRequest.of("gmm-image", 4, new RandomSearch(16), "oracle", 11));
        TraceEntry pool = result.trace().get(0);
        float max = Float.NEGATIVE_INFINITY;
        for (float s : pool.scores()) {
            max = Math.max(max, s);
        }
        assertThat(result.score()).isEqualTo(max);
        assertThat(pool.keys()).hasSize(16);
        assertThat(result.compute().searchNfe()).isEqualTo(16L * 19);
        assertThat(result.compute().finalNfe()).isZero();
        assertThat(result.finalReused()).isTrue();
    }

    @Test
    void cheaperSearchSolverThenFullFinalSolveOfTheWinner() {
        SearchRequest request = SearchRequest.of("gmm-image", 2, new RandomSearch(8), "oracle", 5)
                .withSolvers(new SolverSettings(SolverKind.EULER, 6), new SolverSettings(SolverKind.HEUN, 20));
        SearchResult result = engine.search(request);
        assertThat(result.compute().searchNfe()).isEqualTo(8L * 6);
        assertThat(result.compute().finalNfe()).isEqualTo(39);
        assertThat(result.finalReused()).isFalse();
        // Re-solving the winning key alone with the final solver gives the same sample: the key names the noise.
        SearchResult alone = engine.search(SearchRequest.of("gmm-image", 2, new NoSearch(), "oracle", 5)
                .withSolvers(null, new SolverSettings(SolverKind.HEUN, 20)));
        long winnerIndex = result.key() - SearchContext.key(Stage.RANDOM, 0, 0);
        if (winnerIndex == 0) {
            assertThat(result.sample()).containsExactly(alone.sample());
        } else {
            assertThat(result.sample()).isNotEqualTo(alone.sample());
        }
    }

    @Test
    void guidanceCostsForwardPassesNotNfes() {
        SearchRequest request = SearchRequest.of("gmm-image", 1, new RandomSearch(4), "oracle", 3).withGuidance(1.5);
        SearchResult result = engine.search(request);
        assertThat(result.compute().searchNfe()).isEqualTo(4L * 19);
        assertThat(result.compute().forwardPasses()).isEqualTo(2L * 4 * 19);
    }
}

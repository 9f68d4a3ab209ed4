package io.noisesearch.search;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** A budget of search NFEs is never exceeded; the search stops and returns the best found so far. */
class BudgetTest extends EngineFixture {

    @Test
    void noAlgorithmExceedsItsBudget() {
        List<SearchAlgorithm> algorithms = List.of(new RandomSearch(32), new ZeroOrderSearch(4, 10, 0.9, Double.NaN),
                new PathSearch(4, 4, 0.5, 0.05, 0.1, 2), new PruneSearch(64, List.of(0.7, 0.4), 4));
        for (SearchAlgorithm algorithm : algorithms) {
            for (long budget : new long[] {0, 18, 19, 100, 333}) {
                SearchResult result = engine.search(SearchRequest.of("gmm-image", 3, algorithm, "oracle", 8)
                        .withBudget(budget));
                String what = algorithm.id() + " budget " + budget;
                assertThat(result.compute().searchNfe()).as(what).isLessThanOrEqualTo(budget);
                assertThat(result.budgetExhausted()).as(what).isTrue();
                assertThat(result.sample()).as(what).hasSize(256);
                assertThat(Float.isFinite(result.score())).as(what).isTrue();
            }
        }
    }

    @Test
    void randomSearchUnderBudgetKeepsTheCandidatesThatFit() {
        SearchResult result = engine.search(SearchRequest.of("gmm-image", 3, new RandomSearch(32), "oracle", 8)
                .withBudget(100));
        assertThat(result.trace().get(0).keys()).hasSize(100 / 19);
        assertThat(result.compute().searchNfe()).isEqualTo(5 * 19L);
    }

    @Test
    void aSufficientBudgetIsNotReportedAsExhausted() {
        SearchResult result = engine.search(SearchRequest.of("gmm-image", 3, new RandomSearch(4), "oracle", 8)
                .withBudget(4 * 19));
        assertThat(result.budgetExhausted()).isFalse();
        assertThat(result.compute().searchNfe()).isEqualTo(4 * 19L);
    }

    @Test
    void aBudgetTooSmallForOneCandidateFallsBackToTheUnsearchedNoise() {
        SearchResult none = engine.search(SearchRequest.of("gmm-image", 3, new NoSearch(), "oracle", 8));
        SearchResult starved = engine.search(SearchRequest.of("gmm-image", 3, new RandomSearch(16), "oracle", 8)
                .withBudget(10));
        assertThat(starved.compute().searchNfe()).isZero();
        assertThat(starved.compute().finalNfe()).isEqualTo(19);
        assertThat(starved.sample()).containsExactly(none.sample());
    }
}

package io.noisesearch.search;

import io.noisesearch.engine.Engine;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Same request and seed: the same winner bit for bit, whatever the thread count or internal batch size. */
class DeterminismTest {

    private static final List<SearchAlgorithm> ALGORITHMS = List.of(
            new RandomSearch(12),
            new ZeroOrderSearch(5, 3, 0.9, Double.NaN),
            new PathSearch(3, 3, 0.4, 0.05, 0.15, 2),
            new PruneSearch(12, List.of(0.7, 0.4), 3));

    @Test
    void sameWinnerAcrossRunsThreadsAndBatchSizes() {
        try (Engine oneThread = Engine.open("host", 1); Engine twoThreads = Engine.open("host", 2)) {
            for (SearchAlgorithm algorithm : ALGORITHMS) {
                for (String verifier : List.of("oracle", "ensemble:oracle,posterior")) {
                    SearchRequest request = SearchRequest.of("gmm-image", 7, algorithm, verifier, 1234);
                    SearchResult reference = oneThread.search(request);
                    for (Engine engine : List.of(oneThread, twoThreads)) {
                        for (int batchSize : new int[] {1, 4, 256}) {
                            SearchResult again = engine.search(request.withBatchSize(batchSize));
                            String what = algorithm.id() + "/" + verifier + " batch " + batchSize;
                            assertThat(again.key()).as(what).isEqualTo(reference.key());
                            assertThat(again.score()).as(what).isEqualTo(reference.score());
                            assertThat(again.sample()).as(what).containsExactly(reference.sample());
                            assertThat(again.lineage()).as(what).isEqualTo(reference.lineage());
                        }
                    }
                }
            }
        }
    }

    @Test
    void differentSeedsGiveDifferentSamples() {
        try (Engine engine = Engine.open("host", 0)) {
            SearchResult a = engine.search(SearchRequest.of("gmm-image", 7, new RandomSearch(4), "oracle", 1));
            SearchResult b = engine.search(SearchRequest.of("gmm-image", 7, new RandomSearch(4), "oracle", 2));
            assertThat(a.sample()).isNotEqualTo(b.sample());
        }
    }

    @Test
    void javaReferenceBackendPicksTheSameWinnerAsTheHostLibrary() {
        try (Engine host = Engine.open("host", 0); Engine java = Engine.open("java", 0)) {
            for (SearchAlgorithm algorithm : ALGORITHMS) {
                SearchRequest request = SearchRequest.of("gmm-image", 2, algorithm, "oracle", 77);
                SearchResult a = host.search(request);
                SearchResult b = java.search(request);
                assertThat(b.key()).as(algorithm.id()).isEqualTo(a.key());
                assertThat(b.lineage()).as(algorithm.id()).isEqualTo(a.lineage());
            }
        }
    }
}

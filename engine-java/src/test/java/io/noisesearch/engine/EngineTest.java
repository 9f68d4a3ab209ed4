package io.noisesearch.engine;

import io.noisesearch.NonFiniteOutputException;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.backend.Backends;
import io.noisesearch.backend.Kernels;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.search.NoSearch;
import io.noisesearch.search.RandomSearch;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.SearchResult;
import io.noisesearch.verify.Scores;
import io.noisesearch.verify.Verifier;
import io.noisesearch.verify.VerifierInput;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EngineTest {

    @Test
    void concurrentRequestsGiveTheSameResultsAsSequentialOnes() throws Exception {
        try (Engine engine = Engine.open(Backends.open("host"), 1, 4)) {
            List<SearchRequest> requests = new ArrayList<>();
            for (int seed = 0; seed < 16; seed++) {
                requests.add(SearchRequest.of("gmm-image", seed % 10, new RandomSearch(6), "oracle", seed));
            }
            List<CompletableFuture<SearchResult>> futures = requests.stream().map(engine::submit).toList();
            for (int i = 0; i < requests.size(); i++) {
                SearchResult sequential = engine.search(requests.get(i));
                SearchResult concurrent = futures.get(i).get();
                assertThat(concurrent.key()).isEqualTo(sequential.key());
                assertThat(concurrent.sample()).containsExactly(sequential.sample());
            }
        }
    }

    /** How a stand-in verifier scores. */
    private interface Scoring {
        void score(Kernels kernels, VerifierInput input, float[][] out, int offset);
    }

    /** A one-member verifier named {@code name} that scores with {@code scoring}. */
    private static Verifier stand(String name, Scoring scoring) {
        return new Verifier() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public List<String> members() {
                return List.of(name);
            }

            @Override
            public long flopsPerSample() {
                return 0;
            }

            @Override
            public void score(Kernels kernels, VerifierInput input, float[][] out, int offset) {
                scoring.score(kernels, input, out, offset);
            }
        };
    }

    @Test
    void searchesReuseTheirLanesAndGiveTheResultsOfAFreshEngine() {
        SearchRequest first = SearchRequest.of("gmm-image", 2, new RandomSearch(6), "oracle", 5).withBatchSize(4);
        SearchRequest second = SearchRequest.of("gmm-image", 7, new RandomSearch(6), "oracle", 6).withBatchSize(4);
        SearchResult fresh;
        try (Engine engine = Engine.open("host", 1)) {
            fresh = engine.search(second);
        }
        try (Engine engine = Engine.open("host", 1)) {
            assertThat(engine.idleLanes()).isZero();
            engine.search(first);
            assertThat(engine.idleLanes()).isEqualTo(1);
            SearchResult reused = engine.search(second);
            assertThat(engine.idleLanes()).as("one search at a time: one lane").isEqualTo(1);
            assertThat(reused.key()).isEqualTo(fresh.key());
            assertThat(reused.sample()).isEqualTo(fresh.sample());
            assertThat(reused.compute().searchNfe()).isEqualTo(fresh.compute().searchNfe());
        }
    }

    @Test
    void solvingTheWinnersKeyGivesWhatTheSearchReturnedAndTheTraceKeepsItsMembersScores() {
        SolverSettings search = new SolverSettings(SolverKind.HEUN, 5);
        SolverSettings last = new SolverSettings(SolverKind.HEUN, 10);
        try (Engine engine = Engine.open("host", 1)) {
            SearchRequest request = SearchRequest.of("gmm-image", 6, new RandomSearch(8),
                    "ensemble:oracle,posterior", 21).withSolvers(search, last);
            SearchResult searched = engine.search(request);
            SearchResult solved = engine.solve(request, searched.key());
            assertThat(solved.sample()).containsExactly(searched.sample());
            assertThat(solved.memberScores()).containsExactly(searched.memberScores());
            assertThat(solved.key()).isEqualTo(searched.key());
            assertThat(solved.compute().searchNfe()).isZero();
            assertThat(solved.compute().finalNfe()).isEqualTo(last.fullNfe());
            assertThat(solved.compute().verifierCalls()).isEqualTo(1);
            Scores members = searched.trace().getFirst().memberScores();
            assertThat(members.members()).isEqualTo(2);
            assertThat(members.size()).isEqualTo(8);
        }
    }

    @Test
    void nonFiniteSamplesUnderAGuidanceScaleTheCallerChoseNameTheScale() {
        Verifier infinite = stand("infinite", (kernels, input, out, offset) ->
                Verifier.requireFinite("infinite", new float[] {Float.POSITIVE_INFINITY}, 0, 1));
        SearchRequest request = SearchRequest.of("gmm-image", 2, new RandomSearch(2), "oracle", 5);
        try (Engine engine = Engine.open("host", 1)) {
            assertThatThrownBy(() -> engine.search(request.withGuidance(250), infinite))
                    .isInstanceOf(InvalidRequestException.class).hasMessageStartingWith("--cfg 250.0: ");
            assertThatThrownBy(() -> engine.search(request, infinite)).isInstanceOf(NonFiniteOutputException.class);
            assertThatThrownBy(() -> engine.search(request.withGuidance(1), infinite))
                    .isInstanceOf(NonFiniteOutputException.class);
        }
    }

    @Test
    void theFirstSearchRunsOnTheLaneOpenedWithTheEngine() {
        try (Engine engine = Engine.open("host", 1)) {
            Lane first = engine.firstLane();
            assertThat(engine.idleLanes()).isZero();
            engine.search(SearchRequest.of("gmm-image", 2, new RandomSearch(2), "oracle", 5));
            assertThat(engine.idleLanes()).isEqualTo(1);
            assertThat(engine.nextIdleLane()).isSameAs(first);
        }
    }

    @Test
    void aFailedSearchDoesNotGiveItsLaneBack() {
        try (Engine engine = Engine.open("host", 1)) {
            engine.search(SearchRequest.of("gmm-image", 2, new RandomSearch(2), "oracle", 5));
            assertThat(engine.idleLanes()).isEqualTo(1);
            Verifier failing = stand("failing", (kernels, input, out, offset) -> {
                throw new IllegalStateException("verifier failed");
            });
            assertThatThrownBy(() -> engine.search(SearchRequest.of("gmm-image", 2, new RandomSearch(2), "oracle", 5),
                    failing)).hasMessageContaining("verifier failed");
            assertThat(engine.idleLanes()).as("the lane of the failed search was closed").isZero();
        }
    }

    @Test
    void closingWaitsForTheSearchesInFlightAndRefusesLaterOnes() throws Exception {
        Engine engine = Engine.open("host", 1);
        java.util.concurrent.CountDownLatch scoring = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Verifier oracle = io.noisesearch.verify.Verifiers.create("oracle", engine.model("gmm-image"));
        Verifier slow = stand("slow", (kernels, input, out, offset) -> {
            scoring.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            oracle.score(kernels, input, out, offset); // reads the model's tensors: must not be freed yet
        });
        SearchRequest request = SearchRequest.of("gmm-image", 2, new RandomSearch(4), "oracle", 9);
        CompletableFuture<SearchResult> search = CompletableFuture.supplyAsync(() -> engine.search(request, slow));
        scoring.await();
        CompletableFuture<Void> closing = CompletableFuture.runAsync(engine::close);
        Thread.sleep(200);
        assertThat(closing).as("close waits for the search in flight").isNotDone();
        release.countDown();
        closing.get();
        assertThat(search.get().sample()).as("the search finished on live memory").hasSize(256);
        assertThatThrownBy(() -> engine.search(request)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void badRequestsNameTheProblem() {
        try (Engine engine = Engine.open("host", 0)) {
            assertThatThrownBy(() -> engine.search(SearchRequest.of("gmm-image", 10, new NoSearch(), "oracle", 0)))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("--class 10");
            assertThatThrownBy(() -> engine.search(SearchRequest.of("no-such-model", 0, new NoSearch(), "oracle", 0)))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("no-such-model");
            assertThatThrownBy(() -> engine.search(SearchRequest.of("gmm-image", 0, new NoSearch(), "psychic", 0)))
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("psychic");
        }
    }

    @Test
    void aClosedEngineRefusesWork() {
        Engine engine = Engine.open("host", 0);
        engine.search(SearchRequest.of("gmm-2d", 0, new NoSearch(), "oracle", 0));
        engine.close();
        engine.close();
        assertThatThrownBy(() -> engine.search(SearchRequest.of("gmm-2d", 0, new NoSearch(), "oracle", 0)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void vpModelSearchesWithDdim() {
        try (Engine engine = Engine.open("host", 0)) {
            SearchResult none = engine.search(SearchRequest.of("gmm-image-vp", 4, new NoSearch(), "oracle", 3));
            SearchResult searched = engine.search(SearchRequest.of("gmm-image-vp", 4, new RandomSearch(16), "oracle", 3));
            assertThat(none.compute().finalNfe()).isEqualTo(20);
            assertThat(searched.score()).isGreaterThanOrEqualTo(none.score());
            assertThat(Float.isFinite(none.score())).isTrue();
        }
    }
}

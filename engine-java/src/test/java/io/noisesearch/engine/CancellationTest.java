package io.noisesearch.engine;

import io.noisesearch.backend.Backends;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.ForwardingBackend;
import io.noisesearch.search.PathSearch;
import io.noisesearch.search.PruneSearch;
import io.noisesearch.search.RandomSearch;
import io.noisesearch.search.SearchAlgorithm;
import io.noisesearch.search.SearchControl;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.SearchResult;
import io.noisesearch.search.ZeroOrderSearch;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A cancelled search ends at its next batch boundary with a CancellationException, every batch it allocated
 * released and its lane kept for the next search; the control is driven by a clock the test owns (no sleeping).
 */
class CancellationTest {

    /** A backend that remembers every batch it hands out, to check that their memory was released. */
    private static final class TrackingBackend extends ForwardingBackend {
        private final List<Batch> batches = new ArrayList<>();

        TrackingBackend() {
            super(Backends.open("host"));
        }

        synchronized List<Batch> batches() {
            return List.copyOf(batches);
        }

        synchronized void forget() {
            batches.clear();
        }

        private synchronized Batch track(Batch batch) {
            batches.add(batch);
            return batch;
        }

        @Override
        public Batch allocate(Arena arena, int rows, int dim) {
            return track(inner.allocate(arena, rows, dim));
        }

        @Override
        public Batch upload(Arena arena, float[] values, int rows, int dim) {
            return track(inner.upload(arena, values, rows, dim));
        }
    }

    /**
     * A control with no reachable deadline whose clock (read at every batch boundary) cancels it at reading
     * {@code at}; {@code readings} counts the readings.
     */
    private static SearchControl cancelledAt(long at, AtomicLong readings) {
        AtomicReference<SearchControl> self = new AtomicReference<>();
        SearchControl control = SearchControl.startingNow(Duration.ofHours(1), () -> {
            long n = readings.incrementAndGet();
            if (n == at) {
                self.get().cancel("test");
            }
            return n;
        });
        self.set(control);
        return control;
    }

    @Test
    void aCancelledSearchStopsAtTheNextBoundaryAndReleasesItsBatchesAndKeepsItsLane() {
        TrackingBackend backend = new TrackingBackend();
        List<SearchAlgorithm> algorithms = List.of(new RandomSearch(64), new ZeroOrderSearch(8, 6, 0.9, Double.NaN),
                new PathSearch(4, 4, 0.5, 0.05, 0.1, 2), new PruneSearch(64, List.of(0.7, 0.4), 4));
        try (Engine engine = Engine.open(backend, 1, 1)) {
            for (SearchAlgorithm algorithm : algorithms) {
                SearchRequest request = SearchRequest.of("gmm-image", 3, algorithm, "oracle", 8).withBatchSize(8);
                SearchResult whole = engine.search(request);
                assertThat(whole.deadlineReached()).isFalse();
                for (long at : new long[] {2, 5, 17, 40}) {
                    backend.forget();
                    AtomicLong readings = new AtomicLong();
                    SearchControl control = cancelledAt(at, readings);
                    String what = algorithm.id() + " cancelled at reading " + at;
                    assertThatThrownBy(() -> engine.search(request, control)).as(what)
                            .isInstanceOf(CancellationException.class).hasMessageContaining("test");
                    // The reading that cancelled was a boundary's; the next boundary threw before reading the clock.
                    assertThat(readings.get()).as(what).isEqualTo(at);
                    assertThat(backend.batches()).as(what).isNotEmpty()
                            .allSatisfy(b -> assertThat(b.data().scope().isAlive()).as(what).isFalse());
                    assertThat(engine.idleLanes()).as(what).isEqualTo(1);
                }
                SearchResult again = engine.search(request);
                assertThat(again.sample()).as(algorithm.id() + " after cancellations").containsExactly(whole.sample());
            }
        }
    }

    @Test
    void aSearchCancelledBeforeItStartsTakesNoLane() {
        TrackingBackend backend = new TrackingBackend();
        try (Engine engine = Engine.open(backend, 1, 1)) {
            engine.model("gmm-image");
            backend.forget();
            SearchControl control = SearchControl.none();
            control.cancel("client_disconnected");
            assertThatThrownBy(() -> engine.search(SearchRequest.of("gmm-image", 3, new RandomSearch(4), "oracle", 8),
                    control)).isInstanceOf(CancellationException.class).hasMessageContaining("client_disconnected");
            assertThat(backend.batches()).isEmpty();
        }
    }

    @Test
    void cancellingASubmittedSearchEndsIt() {
        try (Engine engine = Engine.open(Backends.open("host"), 1, 1)) {
            var future = engine.submit(SearchRequest.of("gmm-image", 3, new RandomSearch(100_000), "oracle", 8)
                    .withBatchSize(8));
            future.cancel(true);
            assertThat(future).isCancelled();
            // Close waits for the search in flight: it returns because the search stopped at a batch boundary.
        }
    }
}

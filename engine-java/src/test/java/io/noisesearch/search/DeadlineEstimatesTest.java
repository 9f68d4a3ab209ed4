package io.noisesearch.search;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A deadline search costed from shared call times ({@link CallTimes}), on a clock the test drives (one tick per
 * reading) and with call times the test injects: a request whose time left is below its minimal answer is refused
 * before anything runs, a search stops while its fallback's estimated calls still fit, and every call that ran is
 * recorded.
 */
class DeadlineEstimatesTest extends EngineFixture {

    private static final long TICK = 1_000_000;
    private static final String MODEL = "gmm-image";

    /** A clock that moves one tick at every reading. */
    private static final class Ticking {
        final AtomicLong now = new AtomicLong();

        SearchControl control(Long deadlineTicks, CallTimes times) {
            return SearchControl.startingAt(0, deadlineTicks == null ? null : Duration.ofNanos(deadlineTicks * TICK),
                    0, () -> now.addAndGet(TICK)).withEstimates(times);
        }

        long ticks() {
            return now.get() / TICK;
        }
    }

    /** Times in which each call of one row took {@code ticks}. */
    private static CallTimes oneRowCallsOf(long ticks) {
        CallTimes times = new CallTimes();
        for (int i = 0; i < CallTimes.MIN_CALLS; i++) {
            times.recordCall(MODEL, 1, ticks * TICK, 0);
        }
        return times;
    }

    private static SearchRequest request() {
        return request(new RandomSearch(400), 3, 11, EULER_10, HEUN_10).withBatchSize(8);
    }

    @Test
    void aDeadlineBelowTheMinimalAnswerIsRefusedBeforeAnythingRuns() {
        long fallback = HEUN_10.fullNfe() * 10;
        CallTimes times = oneRowCallsOf(10);
        Ticking clock = new Ticking();
        assertThatThrownBy(() -> engine.search(request(), clock.control(fallback - 5, times)))
                .isInstanceOf(DeadlineUnmeetableException.class)
                .hasMessageStartingWith("--deadline-ms: ")
                .hasMessageContaining(String.format(java.util.Locale.ROOT, "below the %.1f ms estimated", (double) fallback))
                .satisfies(e -> assertThat(((DeadlineUnmeetableException) e).minimalNanos()).isEqualTo(fallback * TICK));
        // nothing ran: no call was timed, and the clock was read only to check the deadline
        assertThat(times.recorded(MODEL, 8)).isZero();
        assertThat(times.recorded(MODEL, 1)).isEqualTo(CallTimes.MIN_CALLS);
        assertThat(clock.ticks()).isLessThan(5);

        SearchResult answered = engine.search(request(), new Ticking().control(fallback + 400, times));
        assertThat(answered.compute().finalNfe()).isEqualTo(HEUN_10.fullNfe());
    }

    @Test
    void theSearchStopsWhileItsFallbackStillFitsAtItsEstimatedCallTime() {
        long deadline = 800;
        for (long perCall : new long[] {1, 20}) {
            Ticking clock = new Ticking();
            SearchResult result = engine.search(request(), clock.control(deadline, oneRowCallsOf(perCall)));
            String what = "one-row calls of " + perCall + " ticks";
            assertThat(result.deadlineReached()).as(what).isTrue();
            assertThat(result.compute().searchNfe()).as(what).isPositive();
            assertThat(result.compute().finalNfe()).as(what).isEqualTo(HEUN_10.fullNfe());
            // The final solve's calls took about a tick each here; had each taken the estimate, the answer would
            // still have come by the deadline (a few readings of bookkeeping aside).
            long atEstimate = clock.ticks() + HEUN_10.fullNfe() * (perCall - 1);
            assertThat(atEstimate).as(what).isLessThanOrEqualTo(deadline + 3);
            // and it equals the search under the budget of the work it completed
            SearchResult budgeted = engine.search(request().withBudget(result.compute().searchNfe()));
            assertThat(result.key()).as(what).isEqualTo(budgeted.key());
            assertThat(result.sample()).as(what).containsExactly(budgeted.sample());
        }
    }

    @Test
    void aSlowerFallbackStopsTheSearchEarlier() {
        long deadline = 800;
        SearchResult fast = engine.search(request(), new Ticking().control(deadline, oneRowCallsOf(1)));
        SearchResult slow = engine.search(request(), new Ticking().control(deadline, oneRowCallsOf(20)));
        assertThat(slow.compute().searchNfe()).isLessThan(fast.compute().searchNfe());
    }

    @Test
    void aSlowSharedEstimateOfTheBatchCallKeepsMoreForTheNextCall() {
        // This search's own calls take about a tick; other searches timed calls of its batch shape at 30 ticks (a
        // loaded moment; a full window, which this search's few calls do not outweigh): the next call is kept at the
        // longer of the two, so the search stops earlier.
        long deadline = 150;
        CallTimes loaded = oneRowCallsOf(1);
        for (int i = 0; i < CallTimes.WINDOW; i++) {
            loaded.recordCall(MODEL, 8, 30 * TICK, 0);
        }
        assertStopsEarlierThanOnOneTickCalls(loaded, deadline);
    }

    /** Under {@code times} a deadline search stops earlier than under one-row calls of a tick, but after some work. */
    private void assertStopsEarlierThanOnOneTickCalls(CallTimes times, long deadline) {
        SearchResult quiet = engine.search(request(), new Ticking().control(deadline, oneRowCallsOf(1)));
        SearchResult busy = engine.search(request(), new Ticking().control(deadline, times));
        assertThat(busy.deadlineReached()).isTrue();
        assertThat(busy.compute().searchNfe()).isPositive().isLessThan(quiet.compute().searchNfe());
    }

    @Test
    void aWholeFinalSolveSlowerThanItsCallsSetsTheMinimalAnswerAndStopsTheSearchEarlier() {
        // One-row calls of a tick each, but final solves that took 300 ticks whole (their calls slowed together):
        // the minimal answer is the whole solve's estimate, and the search keeps it for its fallback.
        long deadline = 800;
        CallTimes correlated = oneRowCallsOf(1);
        for (int i = 0; i < CallTimes.WINDOW; i++) {
            correlated.recordFinish(MODEL, HEUN_10.fullNfe(), 300 * TICK, 0);
        }
        assertThat(engine.minimalAnswerNanos(request(), new Ticking().control(100L, correlated)))
                .isEqualTo(300 * TICK);
        assertThat(engine.minimalAnswerNanos(request(), new Ticking().control(100L, oneRowCallsOf(1))))
                .isEqualTo(HEUN_10.fullNfe() * TICK);
        assertStopsEarlierThanOnOneTickCalls(correlated, deadline);
    }

    @Test
    void aFinalSolveThatRanIsTimedWhole() {
        CallTimes times = new CallTimes();
        Ticking clock = new Ticking();
        for (int i = 0; i < CallTimes.MIN_CALLS; i++) {
            engine.search(request(new RandomSearch(8), 3, 11 + i, EULER_10, HEUN_10), clock.control(null, times));
        }
        // each whole solve: at least a reading a call (a tick), so no shorter than its calls
        assertThat(times.finish(MODEL, HEUN_10.fullNfe(), clock.now.get()))
                .isGreaterThanOrEqualTo(HEUN_10.fullNfe() * TICK);
    }

    @Test
    void everyCallThatRanIsTimed() {
        CallTimes times = new CallTimes();
        Ticking clock = new Ticking();
        SearchResult result = engine.search(request(new RandomSearch(40), 3, 11, EULER_10, HEUN_10).withBatchSize(8),
                clock.control(null, times));
        assertThat(times.recorded(MODEL, 8)).isEqualTo(result.compute().searchNfe() / 8);
        assertThat(times.recorded(MODEL, 1)).isEqualTo(result.compute().finalNfe());
        // without a deadline the clock is read once a call and once a batch boundary: a one-row call took a tick
        assertThat(times.call(MODEL, 1, clock.now.get())).isEqualTo(TICK);
    }

    @Test
    void withoutEstimatesACallIsCostedFromTheModelsFlops() {
        long cold = CallTimes.cold(engine.model(MODEL).info().flopsPerSample(), 1);
        assertThat(new CallTimes().callOrCold(engine.model(MODEL).info(), 1, 0)).isEqualTo(cold).isPositive();
        assertThat(engine.minimalAnswerNanos(request(), new Ticking().control(100L, new CallTimes())))
                .isEqualTo(HEUN_10.fullNfe() * cold);
        assertThat(engine.minimalAnswerNanos(request(), new Ticking().control(100L, oneRowCallsOf(3))))
                .isEqualTo(HEUN_10.fullNfe() * 3 * TICK);
        // once the injected times are too old, the cold cost again
        Ticking later = new Ticking();
        later.now.set(CallTimes.MAX_AGE_NANOS);
        assertThat(engine.minimalAnswerNanos(request(), later.control(100L, oneRowCallsOf(3))))
                .isEqualTo(HEUN_10.fullNfe() * cold);
    }
}

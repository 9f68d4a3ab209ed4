package io.noisesearch.search;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The shared call-time estimates: a nearest-rank quantile of a window, by rows, with a cold cost from FLOPs. */
class CallTimesTest {

    @Test
    void noEstimateBeforeItsFirstCallsThenTheNinetiethPercentileOfTheWindow() {
        CallTimes times = new CallTimes();
        for (int i = 1; i < CallTimes.MIN_CALLS; i++) {
            times.recordCall("m", 4, i);
            assertThat(times.call("m", 4)).isEqualTo(-1);
        }
        times.recordCall("m", 4, 100);
        // 1, 2, 3, 100: rank ceil(0.9 * 4) = 4
        assertThat(times.call("m", 4)).isEqualTo(100);
        CallTimes many = new CallTimes();
        for (int i = 1; i <= 10; i++) {
            many.recordCall("m", 1, i * 10L);
        }
        assertThat(many.call("m", 1)).isEqualTo(90);
        assertThat(many.recorded("m", 1)).isEqualTo(10);
    }

    @Test
    void theWindowFollowsTheLatestCalls() {
        CallTimes times = new CallTimes();
        for (int i = 0; i < CallTimes.WINDOW; i++) {
            times.recordCall("m", 1, 1_000);
        }
        assertThat(times.call("m", 1)).isEqualTo(1_000);
        for (int i = 0; i < CallTimes.WINDOW; i++) {
            times.recordCall("m", 1, 7);
        }
        assertThat(times.call("m", 1)).isEqualTo(7);
        assertThat(times.recorded("m", 1)).isEqualTo(2L * CallTimes.WINDOW);
    }

    @Test
    void aCallIsCostedFromTheFewestRowsAtLeastItsOwnThenFromFlops() {
        CallTimes times = new CallTimes();
        for (int i = 0; i < CallTimes.MIN_CALLS; i++) {
            times.recordCall("m", 16, 500);
            times.recordCall("m", 4, 200);
            times.recordCall("m", 2, 5);
        }
        times.recordCall("m", 1, 1);
        // one call of 1 row: not enough calls of 1 row, so the next larger shape's estimate
        assertThat(times.call("m", 1)).isEqualTo(5);
        assertThat(times.call("m", 3)).isEqualTo(200);
        assertThat(times.call("m", 16)).isEqualTo(500);
        assertThat(times.call("m", 17)).isEqualTo(-1);
        assertThat(times.call("other", 1)).isEqualTo(-1);
        // 2 passes of 1e9 FLOPs a row over 3 rows at 25 GFLOP/s
        assertThat(CallTimes.cold(1_000_000_000L, 3)).isEqualTo(240_000_000L);
        assertThat(CallTimes.cold(Long.MAX_VALUE, Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void decodesAreTheirOwnKind() {
        CallTimes times = new CallTimes();
        for (int i = 0; i < CallTimes.MIN_CALLS; i++) {
            times.recordDecode("m", 30);
        }
        assertThat(times.decode("m")).isEqualTo(30);
        assertThat(times.call("m", 1)).isEqualTo(-1);
        assertThat(times.decode("other")).isEqualTo(-1);
    }

    @Test
    void sumsSaturate() {
        assertThat(CallTimes.sum(1, 25, 4, 2)).isEqualTo(103);
        assertThat(CallTimes.sum(1, Long.MAX_VALUE / 2, 4, 0)).isEqualTo(Long.MAX_VALUE);
        assertThat(CallTimes.sum(Long.MAX_VALUE - 1, 1, 1, 1)).isEqualTo(Long.MAX_VALUE);
    }
}

package io.noisesearch.search;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shared call-time estimates: a nearest-rank quantile of a window of recent times that expire, by rows (an
 * untimed shape scaled from the nearest timed one), with a cold cost from FLOPs.
 */
class CallTimesTest {

    private static final long AGE = CallTimes.MAX_AGE_NANOS;

    @Test
    void noEstimateBeforeItsFirstCallsThenTheNinetiethPercentileOfTheWindow() {
        CallTimes times = new CallTimes();
        for (int i = 1; i < CallTimes.MIN_CALLS; i++) {
            times.recordCall("m", 4, i, 0);
            assertThat(times.call("m", 4, 0)).isEqualTo(-1);
        }
        times.recordCall("m", 4, 100, 0);
        // 1, 2, 3, 100: rank ceil(0.9 * 4) = 4
        assertThat(times.call("m", 4, 0)).isEqualTo(100);
        CallTimes many = new CallTimes();
        for (int i = 1; i <= 10; i++) {
            many.recordCall("m", 1, i * 10L, 0);
        }
        assertThat(many.call("m", 1, 0)).isEqualTo(90);
        assertThat(many.recorded("m", 1)).isEqualTo(10);
    }

    @Test
    void theWindowFollowsTheLatestCalls() {
        CallTimes times = new CallTimes();
        for (int i = 0; i < CallTimes.WINDOW; i++) {
            times.recordCall("m", 1, 1_000, 0);
        }
        assertThat(times.call("m", 1, 0)).isEqualTo(1_000);
        for (int i = 0; i < CallTimes.WINDOW; i++) {
            times.recordCall("m", 1, 7, 0);
        }
        assertThat(times.call("m", 1, 0)).isEqualTo(7);
        assertThat(times.recorded("m", 1)).isEqualTo(2L * CallTimes.WINDOW);
    }

    @Test
    void timesExpireSoThatABurstOfLoadDoesNotOutliveItself() {
        CallTimes times = new CallTimes();
        for (int i = 0; i < CallTimes.MIN_CALLS; i++) {
            times.recordCall("m", 1, 1_000, 0);
            times.recordDecode("m", 50, 0);
        }
        for (int i = 0; i < 2; i++) {
            times.recordCall("m", 1, 3, AGE);
        }
        assertThat(times.call("m", 1, AGE)).isEqualTo(1_000);
        assertThat(times.decode("m", AGE)).isEqualTo(50);
        // one nanosecond later the first four are too old, and two fresh times are too few
        assertThat(times.call("m", 1, AGE + 1)).isEqualTo(-1);
        assertThat(times.decode("m", AGE + 1)).isEqualTo(-1);
        for (int i = 0; i < 2; i++) {
            times.recordCall("m", 1, 5, AGE + 1);
        }
        assertThat(times.call("m", 1, AGE + 1)).isEqualTo(5);
    }

    @Test
    void anUntimedShapeIsScaledFromTheNearestTimedOneThenCostedFromFlops() {
        CallTimes times = new CallTimes();
        for (int i = 0; i < CallTimes.MIN_CALLS; i++) {
            times.recordCall("m", 64, 6_400, 0);
            times.recordCall("m", 4, 200, 0);
        }
        times.recordCall("m", 1, 1, 0);
        assertThat(times.call("m", 4, 0)).isEqualTo(200);
        // 1 row: too few calls of its own; 4 rows is nearest (ratio 4 against 64), a quarter of it
        assertThat(times.call("m", 1, 0)).isEqualTo(50);
        // 16 rows lies as near 4 as 64 (ratio 4 each way): the smaller, scaled up
        assertThat(times.call("m", 16, 0)).isEqualTo(800);
        assertThat(times.call("m", 128, 0)).isEqualTo(12_800);
        assertThat(times.call("other", 1, 0)).isEqualTo(-1);
        // 2 passes of 1e9 FLOPs a row over 3 rows at 25 GFLOP/s
        assertThat(CallTimes.cold(1_000_000_000L, 3)).isEqualTo(240_000_000L);
        assertThat(CallTimes.cold(Long.MAX_VALUE, Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void decodesAreTheirOwnKind() {
        CallTimes times = new CallTimes();
        for (int i = 0; i < CallTimes.MIN_CALLS; i++) {
            times.recordDecode("m", 30, 0);
        }
        assertThat(times.decode("m", 0)).isEqualTo(30);
        assertThat(times.call("m", 1, 0)).isEqualTo(-1);
        assertThat(times.decode("other", 0)).isEqualTo(-1);
    }

    @Test
    void finalSolvesAreTheirOwnKindPerCallCount() {
        CallTimes times = new CallTimes();
        for (int i = 1; i <= 200; i++) {
            times.recordFinish("m", 25, 10 * i, 0);
        }
        // the window keeps the last 64 (1370..2000); their 99th percentile by nearest rank: the 64th, where calls
        // of the same times would give the 90th (the 58th)
        assertThat(times.finish("m", 25, 0)).isEqualTo(2000);
        assertThat(times.finish("m", 10, 0)).isEqualTo(-1);
        assertThat(times.finish("other", 25, 0)).isEqualTo(-1);
        assertThat(times.call("m", 1, 0)).isEqualTo(-1);
        assertThat(times.finish("m", 25, CallTimes.MAX_AGE_NANOS + 1)).isEqualTo(-1);
        for (int i = 1; i <= 200; i++) {
            times.recordCall("m", 25, 10 * i, 0);
        }
        assertThat(times.call("m", 25, 0)).isEqualTo(1940);
    }

    @Test
    void sumsSaturate() {
        assertThat(CallTimes.sum(1, 25, 4, 2)).isEqualTo(103);
        assertThat(CallTimes.sum(1, Long.MAX_VALUE / 2, 4, 0)).isEqualTo(Long.MAX_VALUE);
        assertThat(CallTimes.sum(Long.MAX_VALUE - 1, 1, 1, 1)).isEqualTo(Long.MAX_VALUE);
    }
}

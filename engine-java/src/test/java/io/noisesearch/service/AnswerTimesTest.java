package io.noisesearch.service;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The time kept for an answer is the nearest-rank 90th percentile of its kind's last 16 answers after the first (the
 * first alone until a second comes), those at most 10 s old.
 */
class AnswerTimesTest {

    private static final long AGE = AnswerTimes.MAX_AGE_NANOS;

    @Test
    void nothingIsKeptBeforeTheFirstAnswerOfAKind() {
        AnswerTimes times = new AnswerTimes();
        assertThat(times.estimate("mnist-flow-s/NONE", 0)).isZero();
        times.record("gmm-image/NONE", 5, 0);
        assertThat(times.estimate("mnist-flow-s/NONE", 0)).isZero();
        assertThat(times.estimate("gmm-image/NONE", 0)).isEqualTo(5);
    }

    @Test
    void theColdFirstAnswerCountsOnlyUntilASecondComes() {
        AnswerTimes times = new AnswerTimes();
        times.record("k", 700, 0);
        assertThat(times.estimate("k", 0)).isEqualTo(700);
        times.record("k", 3, 0);
        assertThat(times.estimate("k", 0)).isEqualTo(3);
    }

    @Test
    void theEstimateIsTheNinetiethPercentileOfTheWindow() {
        AnswerTimes times = new AnswerTimes();
        times.record("k", 500, 0);
        // 1..10 recorded out of order after the first: rank ceil(0.9 * 10) = 9
        for (long value : new long[] {7, 3, 10, 1, 9, 2, 8, 4, 6, 5}) {
            times.record("k", value, 0);
        }
        assertThat(times.estimate("k", 0)).isEqualTo(9);
        // one slow answer among 16 does not set the estimate: rank ceil(0.9 * 16) = 15 of 15 ones and a 1000
        AnswerTimes window = new AnswerTimes();
        window.record("k", 1, 0);
        window.record("k", 1000, 0);
        for (int i = 0; i < 15; i++) {
            window.record("k", 1, 0);
        }
        assertThat(window.estimate("k", 0)).isEqualTo(1);
    }

    @Test
    void onlyTheLastSixteenAnswersCount() {
        AnswerTimes times = new AnswerTimes();
        for (int i = 0; i <= AnswerTimes.WINDOW; i++) {
            times.record("k", 100, 0);
        }
        assertThat(times.estimate("k", 0)).isEqualTo(100);
        for (int i = 0; i < AnswerTimes.WINDOW; i++) {
            times.record("k", 2, 0);
        }
        assertThat(times.estimate("k", 0)).isEqualTo(2);
        times.record("k", -5, 0);
        assertThat(times.estimate("k", 0)).isEqualTo(2);
    }

    @Test
    void answersExpireSoThatSlowOnesDoNotKeepRefusingRequests() {
        AnswerTimes times = new AnswerTimes();
        times.record("k", 700, 0);
        assertThat(times.estimate("k", AGE)).isEqualTo(700);
        assertThat(times.estimate("k", AGE + 1)).isZero();
        times.record("k", 50, 0);
        times.record("k", 4, AGE);
        assertThat(times.estimate("k", AGE)).isEqualTo(50);
        assertThat(times.estimate("k", AGE + 1)).isEqualTo(4);
        assertThat(times.estimate("k", 2 * AGE + 1)).isZero();
    }
}

package io.noisesearch.service;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The time kept for an answer is the nearest-rank 90th percentile of its kind's last 16 answers. */
class AnswerTimesTest {

    @Test
    void nothingIsKeptBeforeTheFirstAnswerOfAKind() {
        AnswerTimes times = new AnswerTimes();
        assertThat(times.estimate("mnist-flow-s/NONE")).isZero();
        times.record("gmm-image/NONE", 5);
        assertThat(times.estimate("mnist-flow-s/NONE")).isZero();
        assertThat(times.estimate("gmm-image/NONE")).isEqualTo(5);
    }

    @Test
    void theEstimateIsTheNinetiethPercentileOfTheWindow() {
        AnswerTimes times = new AnswerTimes();
        // 1..10 recorded out of order: rank ceil(0.9 * 10) = 9
        for (long value : new long[] {7, 3, 10, 1, 9, 2, 8, 4, 6, 5}) {
            times.record("k", value);
        }
        assertThat(times.estimate("k")).isEqualTo(9);
        // one slow answer among 16 does not set the estimate: rank ceil(0.9 * 16) = 15 of 15 ones and a 1000
        AnswerTimes window = new AnswerTimes();
        window.record("k", 1000);
        for (int i = 0; i < 15; i++) {
            window.record("k", 1);
        }
        assertThat(window.estimate("k")).isEqualTo(1);
    }

    @Test
    void onlyTheLastSixteenAnswersCount() {
        AnswerTimes times = new AnswerTimes();
        for (int i = 0; i < AnswerTimes.WINDOW; i++) {
            times.record("k", 100);
        }
        assertThat(times.estimate("k")).isEqualTo(100);
        for (int i = 0; i < AnswerTimes.WINDOW; i++) {
            times.record("k", 2);
        }
        assertThat(times.estimate("k")).isEqualTo(2);
        times.record("k", -5);
        assertThat(times.estimate("k")).isEqualTo(2);
    }
}

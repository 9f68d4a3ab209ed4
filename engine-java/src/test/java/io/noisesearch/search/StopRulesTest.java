package io.noisesearch.search;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The stopping rules on constructed score sequences: where each one fires, by its definition. */
class StopRulesTest {

    /** The 0-based evaluation at which the rules fire on the sequence, or -1. */
    private static long firedAt(StopRules rules, float... scores) {
        StopRules.Tracker tracker = rules.tracker();
        for (float score : scores) {
            tracker.observe(score);
        }
        return tracker.firedAt();
    }

    @Test
    void aTargetFiresAtTheFirstScoreThatReachesIt() {
        StopRules target = new StopRules(2.0, 0, 0);
        assertThat(firedAt(target, 0.5f, 1.9f, 2.0f, 3f)).isEqualTo(2);
        assertThat(firedAt(target, 3f)).isZero();
        assertThat(firedAt(target, 0.5f, 1.9f, 1.99f)).isEqualTo(-1);
        StopRules.Tracker tracker = target.tracker();
        assertThat(tracker.observe(1f)).isNull();
        assertThat(tracker.observe(2.5f)).isEqualTo(StopReason.TARGET);
        // Once fired, the rule names no later evaluation.
        assertThat(tracker.observe(9f)).isNull();
        assertThat(tracker.fired()).isEqualTo(StopReason.TARGET);
        assertThat(tracker.evaluations()).isEqualTo(3);
    }

    @Test
    void aPlateauFiresAfterPatienceEvaluationsWithoutAnImprovementAboveTheMargin() {
        StopRules plateau = new StopRules(Double.NaN, 3, 0.1);
        // Reference 1.0 (first); 1.05, 1.08 and 0.2 are not above 1.1: three without improvement -> fires at index 3.
        assertThat(firedAt(plateau, 1.0f, 1.05f, 1.08f, 0.2f, 5f)).isEqualTo(3);
        // 1.25 > 1.0 + 0.1 improves and resets the reference: then 1.3, 1.34, 1.0 -> fires at index 4.
        assertThat(firedAt(plateau, 1.0f, 1.25f, 1.3f, 1.34f, 1.0f)).isEqualTo(4);
        // Improvements keep coming: never fires.
        assertThat(firedAt(plateau, 1f, 2f, 3f, 4f, 5f, 6f)).isEqualTo(-1);
        // A margin of 0: an equal score is no improvement.
        assertThat(firedAt(new StopRules(Double.NaN, 2, 0), 1f, 1f, 1f)).isEqualTo(2);
        assertThat(firedAt(new StopRules(Double.NaN, 1, 0), 1f, 0.5f)).isEqualTo(1);
    }

    @Test
    void theFirstRuleToFireIsTheOneReported() {
        StopRules both = new StopRules(5.0, 2, 0);
        StopRules.Tracker tracker = both.tracker();
        tracker.observe(1f);
        tracker.observe(0f);
        assertThat(tracker.observe(0f)).isEqualTo(StopReason.PLATEAU);
        assertThat(tracker.observe(6f)).isNull();
        assertThat(tracker.fired()).isEqualTo(StopReason.PLATEAU);
        assertThat(firedAt(both, 1f, 6f)).isEqualTo(1);
    }

    @Test
    void badRulesAreOneLineNamingTheOption() {
        assertThatThrownBy(() -> new StopRules(Double.POSITIVE_INFINITY, 0, 0)).hasMessageContaining("--stop-at-score");
        assertThatThrownBy(() -> new StopRules(Double.NaN, -1, 0)).hasMessageContaining("--stop-patience");
        assertThatThrownBy(() -> new StopRules(Double.NaN, 2, -0.5)).hasMessageContaining("--stop-margin");
        assertThatThrownBy(() -> new StopRules(Double.NaN, 0, 0.5)).hasMessageContaining("--stop-margin");
        assertThat(StopRules.NONE.any()).isFalse();
    }
}

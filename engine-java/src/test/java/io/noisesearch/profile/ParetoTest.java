package io.noisesearch.profile;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ParetoTest {

    private static Pareto.Point p(double compute, double quality) {
        return new Pareto.Point(compute, quality);
    }

    @Test
    void theFrontierKeepsThePointsThatNoCheaperOrEqualPointBeats() {
        List<Pareto.Point> points = List.of(p(10, 0.5), p(20, 0.4), p(20, 0.7), p(40, 0.7), p(80, 0.9), p(5, 0.1));
        assertThat(Pareto.frontier(points, true)).containsExactly(p(5, 0.1), p(10, 0.5), p(20, 0.7), p(80, 0.9));
    }

    @Test
    void forALowerIsBetterMetricTheFrontierFalls() {
        List<Pareto.Point> points = List.of(p(10, 30), p(20, 35), p(40, 12), p(80, 12), p(160, 8));
        assertThat(Pareto.frontier(points, false)).containsExactly(p(10, 30), p(40, 12), p(160, 8));
    }
}

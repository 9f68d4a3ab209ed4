package io.noisesearch.schedule;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class ScheduleTest {

    @Test
    void rectifiedFlowForwardKernelReachesTheMarginalOfTheLaterTime() {
        RectifiedFlow flow = new RectifiedFlow(1);
        double t = 0.3;
        double t2 = 0.55;
        Schedule.Transition k = flow.forward(t, t2);
        // x_t2 = a ((1-t) x0 + t e) + s z must equal (1-t2) x0 + t2 e' in distribution.
        assertThat(k.a() * (1 - t)).isCloseTo(1 - t2, within(1e-6));
        assertThat(k.a() * k.a() * t * t + k.s() * k.s()).isCloseTo(t2 * t2, within(1e-6));
    }

    @Test
    void vpForwardKernelsCompose() {
        VariancePreserving vp = new VariancePreserving(VariancePreserving.Betas.LINEAR);
        Schedule.Transition first = vp.forward(0.2, 0.35);
        Schedule.Transition second = vp.forward(0.35, 0.6);
        Schedule.Transition direct = vp.forward(0.2, 0.6);
        assertThat(first.a() * second.a()).isCloseTo(direct.a(), within(1e-6f));
        double composedVariance = second.a() * second.a() * first.s() * first.s() + second.s() * second.s();
        assertThat(composedVariance).isCloseTo(direct.s() * direct.s(), within(1e-6));
    }

    @Test
    void vpMatchesDdpmAtDiscreteSteps() {
        VariancePreserving vp = new VariancePreserving(VariancePreserving.Betas.LINEAR);
        double abar = 1;
        for (int i = 1; i <= 10; i++) {
            abar *= 1 - (1e-4 + (0.02 - 1e-4) * (i - 1) / 999.0);
        }
        assertThat(vp.abar(10 / 1000.0)).isCloseTo(abar, within(1e-12));
        assertThat(vp.at(0).alpha()).isEqualTo(1f);
        assertThat(vp.at(0).sigma()).isEqualTo(0f);
    }

    @Test
    void cosineBetasKeepSomeSignalAtTheEnd() {
        VariancePreserving vp = new VariancePreserving(VariancePreserving.Betas.COSINE);
        assertThat(vp.abar(1)).isGreaterThan(0).isLessThan(1e-3);
    }

    @Test
    void derivativesMatchFiniteDifferences() {
        for (Schedule schedule : new Schedule[] {new RectifiedFlow(1),
                new VariancePreserving(VariancePreserving.Betas.LINEAR)}) {
            double t = 0.4123;
            double h = 1e-4;
            Coefficients c = schedule.at(t);
            double alphaSlope = (schedule.at(t + h).alpha() - (double) schedule.at(t - h).alpha()) / (2 * h);
            double sigmaSlope = (schedule.at(t + h).sigma() - (double) schedule.at(t - h).sigma()) / (2 * h);
            assertThat((double) c.dalpha()).as(schedule.describe()).isCloseTo(alphaSlope, within(2e-3));
            assertThat((double) c.dsigma()).as(schedule.describe()).isCloseTo(sigmaSlope, within(2e-3));
        }
    }

    @Test
    void shiftedGridSpendsMoreStepsAtHighNoise() {
        double[] plain = new RectifiedFlow(1).grid(1, 0, 4);
        double[] shifted = new RectifiedFlow(3).grid(1, 0, 4);
        assertThat(plain).containsExactly(1, 0.75, 0.5, 0.25, 0);
        assertThat(shifted[0]).isEqualTo(1);
        assertThat(shifted[2]).isCloseTo(3 * 0.5 / (1 + 2 * 0.5), within(1e-12));
        assertThat(shifted[4]).isEqualTo(0);
    }

    @Test
    void heunCountsTwoEvaluationsPerStepButOneOnTheLast() {
        assertThat(new SolverSettings(SolverKind.HEUN, 10).fullNfe()).isEqualTo(19);
        assertThat(new SolverSettings(SolverKind.HEUN, 10).nfe(new RectifiedFlow(1).grid(1, 0, 10))).isEqualTo(19);
        assertThat(new SolverSettings(SolverKind.HEUN, 3).nfe(new RectifiedFlow(1).grid(0.9, 0.5, 3))).isEqualTo(6);
        assertThat(new SolverSettings(SolverKind.EULER, 7).fullNfe()).isEqualTo(7);
    }

    @Test
    void rejectsImpossibleSettings() {
        assertThatThrownBy(() -> new RectifiedFlow(0)).hasMessageContaining("shift");
        assertThatThrownBy(() -> new SolverSettings(SolverKind.EULER, 0)).hasMessageContaining("steps");
        assertThatThrownBy(() -> new RectifiedFlow(1).forward(0.5, 0.4)).hasMessageContaining("t2");
    }
}

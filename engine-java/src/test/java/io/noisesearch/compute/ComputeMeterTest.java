package io.noisesearch.compute;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ComputeMeterTest {

    @Test
    void countsWhatItIsTold() {
        ComputeMeter meter = new ComputeMeter();
        meter.denoiserEvaluation(16, 2, 1000);
        meter.enter(Phase.FINAL);
        meter.denoiserEvaluation(1, 1, 1000);
        meter.verifierEvaluation(17, 10);

        Compute compute = meter.snapshot();

        assertThat(compute.searchNfe()).isEqualTo(16);
        assertThat(compute.finalNfe()).isEqualTo(1);
        assertThat(compute.totalNfe()).isEqualTo(17);
        assertThat(compute.forwardPasses()).isEqualTo(33);
        assertThat(compute.flops()).isEqualTo(33 * 1000 + 17 * 10);
        assertThat(compute.verifierCalls()).isEqualTo(17);
    }

    @Test
    void countsSaturateInsteadOfWrapping() {
        ComputeMeter meter = new ComputeMeter();
        meter.denoiserEvaluation(Long.MAX_VALUE / 2 + 1, 2, 1_000_000_000_000_000L);
        meter.denoiserEvaluation(Long.MAX_VALUE / 2 + 1, 2, 1);
        meter.verifierEvaluation(Long.MAX_VALUE, Long.MAX_VALUE);
        meter.verifierEvaluation(Long.MAX_VALUE, 1);
        meter.enter(Phase.FINAL);
        meter.denoiserEvaluation(Long.MAX_VALUE, 1, 1);

        Compute compute = meter.snapshot();

        assertThat(compute.searchNfe()).isEqualTo(Long.MAX_VALUE);
        assertThat(compute.forwardPasses()).isEqualTo(Long.MAX_VALUE);
        assertThat(compute.flops()).isEqualTo(Long.MAX_VALUE);
        assertThat(compute.verifierCalls()).isEqualTo(Long.MAX_VALUE);
        assertThat(compute.totalNfe()).isEqualTo(Long.MAX_VALUE);
    }
}

package io.noisesearch.service;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ServiceErrorTest {

    @Test
    void optionNamesBecomeFieldNamesAndTheFirstIsTheField() {
        ServiceError error = ServiceError.fromEngine(422, "limit_exceeded",
                "--candidates 5 with --search-steps 10: over --budget-nfe");
        assertThat(error.body().field()).isEqualTo("candidates");
        assertThat(error.body().message()).isEqualTo("candidates 5 with searchSteps 10: over budgetNfe");
        assertThat(ServiceError.fromEngine(400, "invalid_request", "no option here").body().field()).isNull();
    }

    @Test
    void serverPathsAndLineBreaksDoNotReachTheClient() {
        ServiceError error = ServiceError.fromEngine(400, "invalid_request",
                "--verifier: /srv/models/mnist-flow-s/manifest.json names model 'x',\n  but it is missing");
        assertThat(error.body().message())
                .isEqualTo("verifier: (a server file) names model 'x', but it is missing")
                .doesNotContain("/srv");
    }
}

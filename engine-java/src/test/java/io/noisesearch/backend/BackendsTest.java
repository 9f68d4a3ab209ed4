package io.noisesearch.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.noisesearch.InvalidRequestException;
import org.junit.jupiter.api.Test;

class BackendsTest {

    @Test
    void opensTheJavaAndHostBackendsByName() {
        try (Backend java = Backends.open("java"); Backend host = Backends.open("host")) {
            assertThat(java.name()).isEqualTo("java");
            assertThat(host.name()).isEqualTo("host");
            assertThat(host.hostAccessible()).isTrue();
        }
    }

    @Test
    void cudaAndUnknownNamesAreUserErrors() {
        assertThatThrownBy(() -> Backends.open("cuda")).isInstanceOf(InvalidRequestException.class)
                .hasMessage("the CUDA backend is not available in this build");
        assertThatThrownBy(() -> Backends.open("tpu")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("'tpu'");
    }
}

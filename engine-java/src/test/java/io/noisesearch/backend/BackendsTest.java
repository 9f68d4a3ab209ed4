package io.noisesearch.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.noisesearch.InvalidRequestException;
import org.junit.jupiter.api.Tag;
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
    void cudaWithoutADeviceIsAOneLineUserErrorNamingTheOption() {
        assumeTrue(CudaDevice.absent(), "a CUDA device is present: the no-device error cannot occur here");
        for (String name : new String[] {"cuda", "cuda:0", "cuda:1"}) {
            assertThatThrownBy(() -> Backends.open(name)).isInstanceOf(InvalidRequestException.class)
                    .hasMessageStartingWith("--backend " + name + ": no CUDA device (")
                    .hasMessageNotContaining("\n");
        }
    }

    @Test
    void autoFallsBackToTheHostWithoutADevice() {
        assumeTrue(CudaDevice.absent(), "a CUDA device is present: auto takes it");
        try (Backend auto = Backends.open("auto")) {
            assertThat(auto.name()).isEqualTo("host");
        }
    }

    @Test
    @Tag("gpu")
    void autoTakesTheDeviceWhenThereIsOne() {
        CudaDevice.require();
        try (Backend auto = Backends.open("auto")) {
            assertThat(auto.name()).isEqualTo("cuda");
        }
    }

    @Test
    void unknownNamesAndBadDeviceNumbersAreUserErrors() {
        assertThatThrownBy(() -> Backends.open("tpu")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("'tpu'").hasMessageContaining("--backend");
        assertThatThrownBy(() -> Backends.open("cuda:x")).isInstanceOf(InvalidRequestException.class)
                .hasMessage("--backend cuda:x: 'x' is not a device number");
    }
}

package io.noisesearch.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.noisesearch.InvalidRequestException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class BackendsTest {

    @Test
    void opensTheJavaAndCpuBackendsByName() {
        try (Backend java = Backends.open("java"); Backend cpu = Backends.open("cpu"); Backend host = Backends.open("host")) {
            assertThat(java.name()).isEqualTo("java");
            assertThat(cpu.name()).isEqualTo("host");
            assertThat(cpu.hostAccessible()).isTrue();
            assertThat(host.name()).as("host is the former name of cpu").isEqualTo("host");
        }
    }

    @Test
    void cudaWithoutADeviceIsAOneLineUserErrorNamingTheOption() {
        assumeTrue(CudaDevice.absent(), "a CUDA device is present: the no-device error cannot occur here");
        for (String name : new String[] {"cuda", "cuda:0", "cuda:1"}) {
            assertThatThrownBy(() -> Backends.open(name)).isInstanceOf(InvalidRequestException.class)
                    .hasMessageStartingWith("--device " + name + ": no CUDA device (")
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
                .hasMessageContaining("'tpu'").hasMessageContaining("--device");
        assertThatThrownBy(() -> Backends.open("cuda:x")).isInstanceOf(InvalidRequestException.class)
                .hasMessage("--device cuda:x: 'x' is not a device number");
    }
}

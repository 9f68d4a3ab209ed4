package io.noisesearch.backend;

import java.lang.foreign.Arena;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What a test comparing CUDA kernels with the host library's opens for each test: both backends, a stream on each
 * and an arena. The test is skipped, with the reason, where there is no CUDA device.
 */
abstract class HostAndDeviceTest {

    protected Backend host;
    protected CudaBackend cuda;
    protected Arena arena;
    protected Kernels onHost;
    protected CudaKernels onDevice;

    @BeforeEach
    void openHostAndDevice() {
        CudaDevice.require();
        host = new HostBackend();
        cuda = (CudaBackend) Backends.open("cuda");
        arena = Arena.ofConfined();
        onHost = host.openStream(0);
        onDevice = (CudaKernels) cuda.openStream(0);
    }

    @AfterEach
    void closeHostAndDevice() {
        if (onDevice != null) { // null where the test was skipped
            onDevice.close();
            onHost.close();
            arena.close();
            cuda.close();
            host.close();
        }
    }
}

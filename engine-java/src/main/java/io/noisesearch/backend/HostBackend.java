package io.noisesearch.backend;

/** Native kernels on the CPU: libnoisesearch_host.so (OpenMP), on host memory. */
public final class HostBackend extends HostMemoryBackend {

    @Override
    public String name() {
        return "host";
    }

    @Override
    public Kernels openStream(int threads) {
        return new HostKernels(threads);
    }
}

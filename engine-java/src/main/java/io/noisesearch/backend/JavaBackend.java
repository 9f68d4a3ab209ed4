package io.noisesearch.backend;

/** The plain-Java reference backend: slow, sequential, and the specification the native backends are tested against. */
public final class JavaBackend extends HostMemoryBackend {

    @Override
    public String name() {
        return "java";
    }

    /** The reference is sequential: the thread count does not change what it computes, so it is ignored. */
    @Override
    public Kernels openStream(int threads) {
        return new JavaKernels();
    }
}

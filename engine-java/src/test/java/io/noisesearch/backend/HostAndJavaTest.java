package io.noisesearch.backend;

import java.lang.foreign.Arena;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What a test comparing the host library's kernels with the plain-Java reference opens for each test: a stream on
 * each backend and an arena.
 */
abstract class HostAndJavaTest {

    protected final Backend host = new HostBackend();
    protected final Backend java = new JavaBackend();
    protected Arena arena;
    protected Kernels hostKernels;
    protected Kernels reference;

    @BeforeEach
    void openHostAndJava() {
        arena = Arena.ofConfined();
        hostKernels = host.openStream(0);
        reference = java.openStream(1);
    }

    @AfterEach
    void closeHostAndJava() {
        hostKernels.close();
        reference.close();
        arena.close();
    }
}

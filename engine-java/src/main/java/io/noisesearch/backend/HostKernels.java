package io.noisesearch.backend;

import java.lang.foreign.MemorySegment;

/**
 * One host stream (an OpenMP thread count) of libnoisesearch_host.so. Java arrays go to the kernels as heap
 * segments through critical downcalls: no copy and no allocation per call.
 */
final class HostKernels extends NativeKernels {

    HostKernels(int threads) {
        super(KernelFunctions.host(), threads);
    }

    @Override
    MemorySegment input(MemorySegment values) {
        return values;
    }

    @Override
    MemorySegment output(MemorySegment values) {
        return values;
    }

    @Override
    void complete(MemorySegment written, MemorySegment values) {
    }
}

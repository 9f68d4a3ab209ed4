package io.noisesearch.bench;

import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Backends;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Host kernels on 64 MiB batches against the memory-copy baseline (docs/results.md, "Host kernels"). Besides the
 * time per call, each benchmark reports {@code mebibytes}: the MiB the kernel reads plus writes, per second, so
 * every kernel's bandwidth compares directly with ns_copy's.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class KernelBenchmark {

    private static final int ROWS = 4096;
    private static final int DIM = 4096;
    private static final long MIB_PER_BATCH = (long) ROWS * DIM * Batch.FLOAT_BYTES >> 20;

    /** OpenMP threads of the stream: 1, or 0 for all cores. */
    @Param({"1", "0"})
    public int threads;

    private Backend backend;
    private Arena arena;
    private Kernels kernels;
    private Batch x;
    private Batch v1;
    private Batch v2;
    private Batch out;
    private long seed;

    /** Bytes touched, counted per call and reported as a rate next to the call rate. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Traffic {
        public long mebibytes;
    }

    @Setup(Level.Trial)
    public void open() {
        backend = Backends.open("host");
        arena = Arena.ofShared();
        kernels = backend.openStream(threads);
        x = backend.allocate(arena, ROWS, DIM);
        v1 = backend.allocate(arena, ROWS, DIM);
        v2 = backend.allocate(arena, ROWS, DIM);
        out = backend.allocate(arena, ROWS, DIM);
        kernels.gaussianNoise(x, 1, 0);
        kernels.gaussianNoise(v1, 2, 0);
        kernels.gaussianNoise(v2, 3, 0);
        kernels.copy(x, out);
    }

    @TearDown(Level.Trial)
    public void close() {
        kernels.close();
        arena.close();
        backend.close();
    }

    @Benchmark
    public void copy(Traffic traffic) {
        kernels.copy(x, out);
        traffic.mebibytes += 2 * MIB_PER_BATCH;
    }

    /** Writes only; a new seed per call so no call can reuse another's work. */
    @Benchmark
    public void gaussianNoise(Traffic traffic) {
        kernels.gaussianNoise(out, seed++, 0);
        traffic.mebibytes += MIB_PER_BATCH;
    }

    @Benchmark
    public void eulerStep(Traffic traffic) {
        kernels.eulerStep(x, v1, out, 0.01f);
        traffic.mebibytes += 3 * MIB_PER_BATCH;
    }

    @Benchmark
    public void heunStep(Traffic traffic) {
        kernels.heunStep(x, v1, v2, out, 0.01f);
        traffic.mebibytes += 4 * MIB_PER_BATCH;
    }
}

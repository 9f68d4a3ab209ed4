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
 * Host noise (the noise contract's Philox4x32-10 + exact Gaussian transform) in elements per second: the engine's
 * side of the noise yardstick (host noise >= torch.randn on the same CPU). Two shapes: one search chunk of MNIST
 * candidates ([64, 784]) and a large batch ([4096, 4096]) where per-call overhead vanishes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class NoiseBenchmark {

    /** rows x dim of the batch written per call. */
    @Param({"64x784", "4096x4096"})
    public String shape;

    /** OpenMP threads of the stream (0: all cores). */
    @Param({"1", "2"})
    public int threads;

    private Backend backend;
    private Arena arena;
    private Kernels kernels;
    private Batch out;
    private long seed;

    /** Noise values written, reported per second. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Work {
        public long elements;
    }

    @Setup(Level.Trial)
    public void open() {
        String[] parts = shape.split("x");
        backend = Backends.open("host");
        arena = Arena.ofShared();
        kernels = backend.openStream(threads);
        out = backend.allocate(arena, Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
    }

    @TearDown(Level.Trial)
    public void close() {
        kernels.close();
        arena.close();
        backend.close();
    }

    /** A new seed per call so no call can reuse another's work. */
    @Benchmark
    public void gaussianNoise(Work work) {
        kernels.gaussianNoise(out, seed++, 0);
        work.elements += out.elements();
    }
}

package io.noisesearch.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.SplittableRandom;
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
 * The practical peak of this CPU for the model benchmarks: a square float32 matrix product C = A B through ONNX
 * Runtime (MLAS), with the session options the engine gives its models (intra-op threads = --threads, all cores for
 * 0; one inter-op thread) and inputs and output in direct buffers, as the engine binds them. {@code gflop} per second
 * (2 n^3 per product) is the denominator of the summary's "% of peak".
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class PeakBenchmark {

    /** n of the n x n x n product. */
    @Param({"2048"})
    public int size;

    @Param({"1", "2"})
    public int threads;

    private OrtSession session;
    private OnnxTensor a;
    private OnnxTensor b;
    private OnnxTensor c;
    private Map<String, OnnxTensor> inputs;
    private Map<String, OnnxValue> outputs;
    private double gflopPerCall;

    /** GFLOP computed, reported per second. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Work {
        public double gflop;
    }

    @Setup(Level.Trial)
    public void open() throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL, "noisesearch");
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads > 0 ? threads : Runtime.getRuntime().availableProcessors());
            options.setInterOpNumThreads(1);
            session = env.createSession(graph(), options);
        }
        long[] shape = {size, size};
        SplittableRandom random = new SplittableRandom(1);
        a = OnnxTensor.createTensor(env, filled(random), shape);
        b = OnnxTensor.createTensor(env, filled(random), shape);
        c = OnnxTensor.createTensor(env, buffer(), shape);
        inputs = Map.of("a", a, "b", b);
        outputs = Map.of("c", c);
        gflopPerCall = 2.0 * size * size * size / 1e9;
    }

    /** The committed MatMul graph (bench/scripts/make_matmul_onnx.py): two inputs, no weights. */
    private static byte[] graph() {
        try (InputStream in = PeakBenchmark.class.getResourceAsStream("matmul.onnx")) {
            if (in == null) {
                throw new IllegalStateException("matmul.onnx is missing from the benchmarks jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private FloatBuffer buffer() {
        return ByteBuffer.allocateDirect(size * size * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private FloatBuffer filled(SplittableRandom random) {
        FloatBuffer buffer = buffer();
        for (int i = 0; i < size * size; i++) {
            buffer.put(i, (float) random.nextDouble(-1, 1));
        }
        return buffer;
    }

    @TearDown(Level.Trial)
    public void close() throws OrtException {
        session.close();
        a.close();
        b.close();
        c.close();
    }

    @Benchmark
    public void matmul(Work work) throws OrtException {
        session.run(inputs, outputs).close();
        work.gflop += gflopPerCall;
    }
}

package io.noisesearch.bench;

import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import io.noisesearch.engine.Engine;
import io.noisesearch.model.Denoiser;
import io.noisesearch.model.ImageModel;
import io.noisesearch.model.ModelManifest;
import java.lang.foreign.Arena;
import java.util.List;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * One forward pass of a model on a batch of rows, through the engine on the CPU (ONNX Runtime for the trained
 * models, the mixture kernels for gmm-image). Besides calls per second it reports {@code rows} (rows per second)
 * and {@code gflop} (GFLOP per second, from the manifest's or the mixture's FLOPs per row), which the summary
 * compares with {@link PeakBenchmark} at the same thread count.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ModelBenchmark {

    /** A denoiser (mnist-flow-s, mnist-flow-l, gmm-image) or an image model of mnist-flow-s's manifest. */
    @Param({"mnist-flow-s", "mnist-flow-l", "mnist-classifier", "mnist-ssl", "mnist-eval", "gmm-image"})
    public String model;

    @Param({"1", "4", "16", "64", "256"})
    public int batch;

    /** The engine's threads (--threads): ONNX Runtime's intra-op threads and the kernels' OpenMP threads. */
    @Param({"1", "2"})
    public int threads;

    private Engine engine;
    private Arena arena;
    private Kernels kernels;
    private Denoiser denoiser;
    private ImageModel imageModel;
    private List<String> outputs;
    private Batch x;
    private Batch out;
    private double gflopPerCall;

    /** Rows and GFLOP computed, reported per second next to the call rate. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Work {
        public long rows;
        public double gflop;
    }

    @Setup(Level.Trial)
    public void open() {
        engine = Engine.open("cpu", threads);
        Backend backend = engine.backend();
        arena = Arena.ofShared();
        kernels = backend.openStream(threads);
        String role = switch (model) {
            case "mnist-classifier" -> "classifier";
            case "mnist-ssl" -> "ssl";
            case "mnist-eval" -> "evaluator";
            default -> null;
        };
        long flopsPerRow;
        int dim;
        if (role == null) {
            denoiser = engine.model(model);
            dim = denoiser.info().dim();
            flopsPerRow = denoiser.info().flopsPerSample();
            out = backend.allocate(arena, batch, dim);
        } else {
            imageModel = engine.auxiliary(engine.model("mnist-flow-s"), role);
            ModelManifest manifest = imageModel.manifest();
            dim = ModelManifest.rowWidth(imageModel.folder(), manifest.inputs().getFirst());
            flopsPerRow = manifest.flopsPerSample();
            outputs = manifest.outputs().stream().map(ModelManifest.TensorSpec::name).toList();
        }
        x = backend.allocate(arena, batch, dim);
        kernels.gaussianNoise(x, 1, 0);
        gflopPerCall = (double) flopsPerRow * batch / 1e9;
    }

    @TearDown(Level.Trial)
    public void close() {
        kernels.close();
        arena.close();
        engine.close();
    }

    @Benchmark
    public void forward(Work work, Blackhole sink) {
        if (denoiser != null) {
            denoiser.predict(kernels, x, 0.5, 3, out);
            kernels.synchronize();
        } else {
            sink.consume(imageModel.outputs(kernels, x, outputs));
        }
        work.rows += batch;
        work.gflop += gflopPerCall;
    }
}

package io.noisesearch.bench;

import io.noisesearch.shapes.Scene;
import io.noisesearch.shapes.ShapeChecker;
import io.noisesearch.shapes.ShapesGenerator;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The shapes track's data and checker on one thread, in images per second: a training scene drawn and rendered
 * (what shapes-data does per image, before deflating), and the checker's judgement of a rendered eval scene.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
public class ShapesBenchmark {

    private static final int EVAL_IMAGES = 1000;

    private final byte[] image = new byte[Scene.BYTES];
    private final byte[] evalImages = new byte[EVAL_IMAGES * Scene.BYTES];
    private final Scene[] evalScenes = new Scene[EVAL_IMAGES];
    private long index;
    private int next;

    @Setup
    public void renderEvalScenes() {
        for (int i = 0; i < EVAL_IMAGES; i++) {
            evalScenes[i] = ShapesGenerator.scene(0, ShapesGenerator.Split.EVAL, i);
            evalScenes[i].render(evalImages, i * Scene.BYTES);
        }
    }

    @Benchmark
    public byte[] generateAndRender() {
        ShapesGenerator.scene(1, ShapesGenerator.Split.TRAIN, index++).render(image, 0);
        return image;
    }

    @Benchmark
    public boolean check() {
        int i = next;
        next = (next + 1) % EVAL_IMAGES;
        return ShapeChecker.judge(evalImages, i * Scene.BYTES, evalScenes[i].caption()).overall();
    }
}

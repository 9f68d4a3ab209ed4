package io.noisesearch.onnx;

import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.JavaBackend;
import io.noisesearch.backend.Kernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The process's one ONNX Runtime thread pool, a second thread count beside it, and the rule for small batches. */
class OnnxThreadsTest {

    private static List<String> probe(String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new java.util.ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), OnnxThreadsProbe.class.getName()));
        command.addAll(List.of(args));
        Process run = new ProcessBuilder(command).start();
        assertThat(run.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String err = new String(run.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(run.exitValue()).as(err).isZero();
        return new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void modelsOfOneThreadCountShareOnePoolAndAnotherCountGetsItsOwn() throws Exception {
        // A pool of T threads has T - 1 workers (the calling thread is the T-th). Two models of 2 threads: one pool,
        // one worker (two pools would have two). Then a model of 3 threads: a pool of its own, two more workers.
        List<String> lines = probe("2", "3", "5");
        assertThat(lines).contains("workers-first 1", "workers-second 3");
        assertThat(lines).as("the thread count does not change a prediction's bits").contains("identical true");
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void oneThreadModelsStartNoWorkersAndPredictAsThePool() throws Exception {
        List<String> lines = probe("1", "2", "1");
        assertThat(lines).contains("workers-first 0", "identical true");
    }

    @Test
    void smallBatchesOnTheirOwnThreadPredictTheBitsOfAOneThreadModel() {
        String previous = System.getProperty(OnnxThreads.SINGLE_THREAD_ROWS);
        System.setProperty(OnnxThreads.SINGLE_THREAD_ROWS, "3");
        Backend backend = new JavaBackend();
        try (Arena arena = Arena.ofConfined(); Kernels kernels = backend.openStream(1);
             OnnxDenoiser auto = new OnnxDenoiser(TrainedModels.folder("mnist-flow-s"), 0);
             OnnxDenoiser one = new OnnxDenoiser(TrainedModels.folder("mnist-flow-s"), 1)) {
            for (int rows : new int[] {1, 3, 4, 7}) {
                Batch x = backend.allocate(arena, rows, one.info().dim());
                kernels.gaussianNoise(x, 5, rows);
                Batch a = backend.allocate(arena, rows, one.info().dim());
                Batch b = backend.allocate(arena, rows, one.info().dim());
                auto.predict(kernels, x, 0.3, 7, a);
                one.predict(kernels, x, 0.3, 7, b);
                assertThat(a.data().toArray(ValueLayout.JAVA_FLOAT)).as("%d rows", rows)
                        .isEqualTo(b.data().toArray(ValueLayout.JAVA_FLOAT));
            }
        } finally {
            if (previous == null) {
                System.clearProperty(OnnxThreads.SINGLE_THREAD_ROWS);
            } else {
                System.setProperty(OnnxThreads.SINGLE_THREAD_ROWS, previous);
            }
        }
    }

    @Test
    void everyCoreRunsSmallBatchesOnOneThreadAndAnExplicitCountAlways() {
        OnnxThreads auto = new OnnxThreads(4, 8);
        assertThat(auto.threadsFor(1)).isEqualTo(1);
        assertThat(auto.threadsFor(8)).isEqualTo(1);
        assertThat(auto.threadsFor(9)).isEqualTo(4);
        assertThat(OnnxThreads.of(3).threadsFor(1)).as("--threads 3 is the user's word").isEqualTo(3);
        assertThat(OnnxThreads.of(0).threads()).isEqualTo(Runtime.getRuntime().availableProcessors());
    }
}

package io.noisesearch.onnx;

import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.JavaBackend;
import io.noisesearch.backend.Kernels;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

/**
 * In a process of its own (ONNX Runtime's environment is one per process): opens the denoiser and the classifier
 * with {@code args[0]} threads, then the denoiser again with {@code args[1]} threads, and prints how many ONNX
 * Runtime worker threads exist after each step (they carry the launching thread's name, "java") and whether the
 * two denoisers' predictions of a batch of {@code args[2]} rows are bit-identical.
 */
final class OnnxThreadsProbe {

    public static void main(String[] args) throws IOException {
        int first = Integer.parseInt(args[0]);
        int second = Integer.parseInt(args[1]);
        int rows = Integer.parseInt(args[2]);
        long before = unnamedThreads();
        Backend backend = new JavaBackend();
        try (Arena arena = Arena.ofConfined(); Kernels kernels = backend.openStream(1);
             OnnxDenoiser denoiser = new OnnxDenoiser(TrainedModels.folder("mnist-flow-s"), first);
             OnnxModel classifier = OnnxModel.open(TrainedModels.folder("mnist-classifier"), first)) {
            Batch x = backend.allocate(arena, rows, denoiser.info().dim());
            kernels.gaussianNoise(x, 11, 0);
            Batch a = backend.allocate(arena, rows, denoiser.info().dim());
            denoiser.predict(kernels, x, 0.5, 3, a);
            classifier.outputs(kernels, x, classifier.manifest().outputs().stream().map(o -> o.name()).toList());
            System.out.println("workers-first " + (unnamedThreads() - before));
            try (OnnxDenoiser again = new OnnxDenoiser(TrainedModels.folder("mnist-flow-s"), second)) {
                Batch b = backend.allocate(arena, rows, denoiser.info().dim());
                again.predict(kernels, x, 0.5, 3, b);
                System.out.println("workers-second " + (unnamedThreads() - before));
                System.out.println("identical " + Arrays.equals(a.data().toArray(ValueLayout.JAVA_FLOAT),
                        b.data().toArray(ValueLayout.JAVA_FLOAT)));
            }
        }
    }

    /** Threads of this process whose native name is the launcher's ("java"): ONNX Runtime's workers among them. */
    private static long unnamedThreads() throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            return tasks.filter(task -> {
                try {
                    return Files.readString(task.resolve("comm")).strip().equals("java");
                } catch (IOException e) {
                    return false;
                }
            }).count();
        }
    }
}

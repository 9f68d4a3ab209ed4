package io.noisesearch.bench.race;

import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import io.noisesearch.format.Npy;
import io.noisesearch.format.NpyArray;
import io.noisesearch.model.ModelInfo;
import io.noisesearch.noise.CandidateKeys;
import io.noisesearch.search.Stage;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The noises of a random search's candidates as the engine draws them (its noise kernel, the request's seed, keys
 * from the first random-stage key), written as a float32 .npy [N, channels, height, width] for the PyTorch side
 * of the race, so that both searches start from the same candidates.
 */
public final class CandidateNoise {

    /** The key of random search's candidate 0; candidate r is this key + r (RandomSearch). */
    public static final long FIRST_KEY = CandidateKeys.encode(Stage.RANDOM.code(), 0, 0);

    private CandidateNoise() {
    }

    /** Candidates 0..count-1 of {@code seed}, row after row. */
    public static float[] draw(Backend backend, int threads, long seed, int count, int dim) {
        try (Arena arena = Arena.ofConfined(); Kernels kernels = backend.openStream(threads)) {
            Batch batch = backend.allocate(arena, count, dim);
            kernels.gaussianNoise(batch, seed, FIRST_KEY);
            return backend.download(kernels, batch);
        }
    }

    /** Writes candidates 0..count-1 of {@code seed} for the model's sample shape to {@code file}. */
    public static void write(Backend backend, int threads, long seed, int count, ModelInfo model, Path file)
            throws IOException {
        float[] noise = draw(backend, threads, seed, count, model.dim());
        Files.write(file, Npy.encode(NpyArray.ofFloat32(noise, count, model.channels(), model.height(),
                model.width())));
    }
}

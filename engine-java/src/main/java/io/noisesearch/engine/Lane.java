package io.noisesearch.engine;

import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Kernels;
import io.noisesearch.model.Denoiser;
import io.noisesearch.sampling.Sampler;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one search at a time runs on, kept by the engine across searches: a stream (on CUDA with its staging and
 * pinned buffers) and the sampler workspaces of the models and batch sizes it ran lately, with the graphs recorded
 * in them. Opening a stream and a workspace costs driver calls (pinned memory, graph instantiation) worth more
 * than a small search's kernels, so a lane is taken for a search and given back after it.
 */
final class Lane implements AutoCloseable {

    /** Workspaces kept per lane (least recently used closed): a few models or batch sizes in turn. */
    static final int MAX_WORKSPACES = 2;

    private record Shape(Denoiser denoiser, int capacity) {
    }

    private final Backend backend;
    private final Kernels kernels;
    private final Map<Shape, Sampler.Workspace> workspaces = new LinkedHashMap<>(4, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Shape, Sampler.Workspace> eldest) {
            if (size() > MAX_WORKSPACES) {
                eldest.getValue().close();
                return true;
            }
            return false;
        }
    };

    Lane(Backend backend, int threads) {
        this.backend = backend;
        this.kernels = backend.openStream(threads);
    }

    Kernels kernels() {
        return kernels;
    }

    /** The workspace for batches of {@code capacity} rows of {@code denoiser}, made at first use. */
    Sampler.Workspace workspace(Denoiser denoiser, int capacity) {
        Shape shape = new Shape(denoiser, capacity);
        Sampler.Workspace space = workspaces.get(shape);
        if (space == null) {
            space = new Sampler.Workspace(backend, capacity, denoiser.info().dim());
            workspaces.put(shape, space);
        }
        return space;
    }

    /** Waits for the stream, then releases the workspaces and the stream. */
    @Override
    public void close() {
        try {
            kernels.synchronize();
        } finally {
            try {
                workspaces.values().forEach(Sampler.Workspace::close);
                workspaces.clear();
            } finally {
                kernels.close();
            }
        }
    }
}

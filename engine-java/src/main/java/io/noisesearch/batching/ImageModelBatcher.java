package io.noisesearch.batching;

import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import io.noisesearch.model.ImageModel;
import io.noisesearch.model.ModelFiles;
import io.noisesearch.model.ModelManifest;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * A verifier network (classifier, encoder) shared by the searches of a batching engine: calls that arrive while one
 * runs are merged into the next call, which asks for the outputs any of them wants. It never waits for rows that
 * are not there (no search joins it): a verifier call comes once per pool chunk, too seldom for a delay to pay.
 */
public final class ImageModelBatcher implements ImageModel {

    /** One caller's samples, the outputs it wants and, once run, their values. */
    static final class Outputs extends Batcher.Request {

        final Batch samples;
        final List<String> names;
        List<float[]> values;

        Outputs(Batch samples, List<String> names) {
            super(samples.rows());
            this.samples = samples;
            this.names = names;
        }
    }

    private final ImageModel model;
    private final Backend backend;
    private final int maxRows;
    private final Batcher<Outputs> batcher;
    private final Arena arena = Arena.ofShared();
    /** Per slot of a call in flight: its merged sample batch. */
    private final Batch[] merged;

    public ImageModelBatcher(ImageModel model, Backend backend, BatchingOptions options, BatchListener listener) {
        this.model = model;
        this.backend = backend;
        this.maxRows = options.maxRows();
        this.batcher = new Batcher<>(model.manifest().name(), this::call, maxRows, 0,
                Math.max(1, options.callsInFlight()), listener, Batcher.Clock.SYSTEM);
        this.merged = new Batch[Math.max(1, options.callsInFlight())];
    }

    @Override
    public ModelFiles files() {
        return model.files();
    }

    @Override
    public List<Path> runtimeFiles() {
        return model.runtimeFiles();
    }

    @Override
    public List<float[]> outputs(Kernels kernels, Batch samples, List<String> names) {
        if (samples.rows() == 0) {
            return model.outputs(kernels, samples, names);
        }
        // A merged call reads the samples on the leader's stream: this stream's work must be done first.
        kernels.synchronize();
        Outputs request = new Outputs(samples, List.copyOf(names));
        batcher.submit(request, kernels);
        return request.values;
    }

    /**
     * A captioned call goes straight to the model: calls of different requests carry different captions, so they are
     * not merged (each is already one call per chunk of candidates).
     */
    @Override
    public List<float[]> outputs(Kernels kernels, Batch samples, long[] tokens, List<String> names) {
        return model.outputs(kernels, samples, tokens, names);
    }

    /** Runs the requests' rows in one call on the leader's thread, in the merged batch of its slot. */
    private void call(Kernels kernels, List<Outputs> requests, int slot) {
        if (requests.size() == 1) {
            Outputs alone = requests.getFirst();
            alone.values = model.outputs(kernels, alone.samples, alone.names);
            return;
        }
        LinkedHashSet<String> union = new LinkedHashSet<>();
        int rows = 0;
        for (Outputs r : requests) {
            union.addAll(r.names);
            rows += r.rows();
        }
        List<String> names = List.copyOf(union);
        Batch in = merged(slot, requests.getFirst().samples.dim()).rows(0, rows);
        int offset = 0;
        for (Outputs r : requests) {
            kernels.copy(r.samples, in.rows(offset, r.rows()));
            offset += r.rows();
        }
        List<float[]> all = model.outputs(kernels, in, names);
        offset = 0;
        for (Outputs r : requests) {
            List<float[]> own = new ArrayList<>();
            for (String name : r.names) {
                int width = model.outputWidth(name);
                float[] values = all.get(names.indexOf(name));
                own.add(Arrays.copyOfRange(values, offset * width, (offset + r.rows()) * width));
            }
            r.values = own;
            offset += r.rows();
        }
    }

    /** A slot's merged sample batch, allocated at first use for rows of {@code dim} values. */
    private Batch merged(int slot, int dim) {
        if (merged[slot] == null || merged[slot].dim() != dim) {
            merged[slot] = backend.allocate(arena, maxRows, dim);
        }
        return merged[slot];
    }

    /** The model's manifest; the model itself is the loader's and stays open. */
    @Override
    public ModelManifest manifest() {
        return model.manifest();
    }

    public boolean closed() {
        return batcher.closed();
    }

    /** Later calls fail and the merged batch is freed; the model itself is closed by its loader. */
    @Override
    public void close() {
        batcher.close();
        arena.close();
    }
}

package io.noisesearch.search;

import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import io.noisesearch.compute.ComputeMeter;
import io.noisesearch.engine.Engine;
import io.noisesearch.model.Denoiser;
import io.noisesearch.sampling.GuidedDenoiser;
import io.noisesearch.sampling.Sampler;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.verify.Verifiers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongToDoubleFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * What the search tests share: a host engine on every core, opened before a test class and closed after it, the
 * gmm-image requests they vary, hand-built search contexts, and the replay of a lineage of neighbour steps.
 */
abstract class EngineFixture {

    static final SolverSettings HEUN_10 = new SolverSettings(SolverKind.HEUN, 10);
    static final SolverSettings HEUN_20 = new SolverSettings(SolverKind.HEUN, 20);
    static final SolverSettings EULER_10 = new SolverSettings(SolverKind.EULER, 10);

    static Engine engine;

    @BeforeAll
    static void openEngine() {
        engine = Engine.open("host", 0);
    }

    @AfterAll
    static void closeEngine() {
        engine.close();
    }

    /** A gmm-image request scored by the oracle, with its search and final solvers. */
    static SearchRequest request(SearchAlgorithm algorithm, int label, long seed, SolverSettings search,
                                 SolverSettings last) {
        return SearchRequest.of("gmm-image", label, algorithm, "oracle", seed).withSolvers(search, last);
    }

    /**
     * Replays a lineage of neighbour steps from (seed, first key): each key's noise, moved to the neighbour of the
     * state before it at {@code cosineOf(key)}, keeps the first noise's norm and sits at that cosine to that state.
     */
    static void assertLineageStaysOnTheSphere(long seed, List<Long> lineage, LongToDoubleFunction cosineOf) {
        Backend backend = engine.backend();
        try (Arena arena = Arena.ofConfined(); Kernels kernels = backend.openStream(0)) {
            Batch parent = backend.allocate(arena, 1, 256);
            Batch child = backend.allocate(arena, 1, 256);
            kernels.gaussianNoise(parent, seed, lineage.getFirst());
            float[] norm0 = new float[1];
            kernels.rowNorm(parent, norm0);
            for (long key : lineage.subList(1, lineage.size())) {
                float cosine = (float) cosineOf.applyAsDouble(key);
                kernels.gaussianNoise(child, seed, key);
                kernels.zeroOrderNeighbours(parent, child, child, cosine);
                float[] norm = new float[1];
                float[] cos = new float[1];
                kernels.rowNorm(child, norm);
                kernels.rowCosine(child, parent, cos);
                assertThat(norm[0]).as("key %d", key).isCloseTo(norm0[0], within(1e-5f * norm0[0]));
                assertThat(cos[0]).as("key %d", key).isCloseTo(cosine, within(1e-5f));
                kernels.copy(child, parent);
            }
        }
    }

    /**
     * Search contexts of one request each on the fixture's engine, for tests that speak the context's verbs by hand;
     * closing releases their batches, solver workspaces and stream.
     */
    static final class Contexts implements AutoCloseable {

        private final Arena arena = Arena.ofConfined();
        private final Kernels kernels = engine.backend().openStream(0);
        private final List<Sampler.Workspace> workspaces = new ArrayList<>();

        /** Model {@code name} at {@code guidance}, one solver for search and final solves, charged to meter. */
        SearchContext open(String name, String verifier, int label, long seed, double guidance, SolverSettings solver,
                           int rows, ComputeMeter meter) {
            Denoiser model = engine.model(name);
            GuidedDenoiser guided = new GuidedDenoiser(model, label, guidance, meter);
            Sampler.Workspace workspace = new Sampler.Workspace(engine.backend(), rows, model.info().dim());
            workspaces.add(workspace);
            return new SearchContext(engine.backend(), kernels, arena, guided, Verifiers.create(verifier, model), label,
                    seed, solver, solver, SearchRequest.UNLIMITED, rows, meter, workspace);
        }

        @Override
        public void close() {
            workspaces.forEach(Sampler.Workspace::close);
            kernels.close();
            arena.close();
        }
    }
}

package io.noisesearch.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.noisesearch.compute.ComputeMeter;
import io.noisesearch.model.BuiltinModels;
import io.noisesearch.model.MixtureDenoiser;
import io.noisesearch.sampling.GuidedDenoiser;
import io.noisesearch.sampling.Sampler;
import io.noisesearch.schedule.SolverKind;
import java.lang.foreign.Arena;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The sampler's CUDA graphs on a device: replayed solves equal direct solves bit for bit. Needs a GPU. */
@Tag("gpu")
class SamplerGraphGpuTest {

    @BeforeEach
    void requireDevice() {
        CudaDevice.require();
    }

    @Test
    void graphSolvesEqualDirectSolvesOnTheDevice() {
        try (CudaBackend cuda = (CudaBackend) Backends.open("cuda"); Arena arena = Arena.ofConfined();
             Kernels stream = cuda.openStream(0)) {
            MixtureDenoiser model = BuiltinModels.open("gmm-image", cuda, arena);
            float[] direct = solve(cuda, stream, model, false);
            float[] graphs = solve(cuda, stream, model, true);
            assertThat(graphs).isEqualTo(direct);
        }
    }

    /** 1,024 noises in chunks of 256 rows, guidance 2, Heun 10 steps. */
    private static float[] solve(CudaBackend cuda, Kernels stream, MixtureDenoiser model, boolean useGraphs) {
        GuidedDenoiser guided = new GuidedDenoiser(model, 7, 2.0, new ComputeMeter());
        try (Arena scratch = Arena.ofConfined()) {
            Sampler sampler = new Sampler(guided, cuda, stream, scratch, 256, useGraphs);
            Batch x = cuda.allocate(scratch, 1024, model.info().dim());
            stream.gaussianNoise(x, 5, 0);
            double[] grid = model.info().schedule().grid(1, 0, 10);
            for (int start = 0; start < 1024; start += 256) {
                sampler.solve(x.rows(start, 256), grid, SolverKind.HEUN);
            }
            stream.synchronize();
            assertThat(sampler.graphsRecorded()).isEqualTo(useGraphs ? 1 : 0);
            assertThat(sampler.graphLaunches()).isEqualTo(useGraphs ? 4 : 0);
            return cuda.download(x);
        }
    }
}

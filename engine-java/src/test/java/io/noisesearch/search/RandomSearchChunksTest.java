package io.noisesearch.search;

import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Kernels;
import io.noisesearch.engine.Engine;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.verify.Verifier;
import io.noisesearch.verify.VerifierInput;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Best-of-N held a chunk at a time returns what the whole pool held at once returns. */
class RandomSearchChunksTest {

    /** Scores a row by the sum of its sample's values; scores {@code rowsPerCall} rows a call. */
    private record RowSum(Backend backend, int rowsPerCall) implements Verifier {
        @Override
        public String name() {
            return "row-sum";
        }

        @Override
        public long flopsPerSample() {
            return 256;
        }

        @Override
        public int rowsPerCall(int batchSize) {
            return rowsPerCall;
        }

        @Override
        public void score(Kernels kernels, VerifierInput input, float[][] out, int offset) {
            float[] values = backend.download(kernels, input.samples());
            int rows = input.samples().rows();
            int dim = values.length / rows;
            for (int r = 0; r < rows; r++) {
                float sum = 0;
                for (int i = 0; i < dim; i++) {
                    sum += values[r * dim + i];
                }
                out[0][offset + r] = sum;
            }
        }
    }

    @Test
    void aChunkedPoolGivesTheWholePoolsWinnerSampleTraceAndCompute() {
        try (Engine engine = Engine.open("java", 1)) {
            for (SolverSettings last : new SolverSettings[] {new SolverSettings(SolverKind.HEUN, 4),
                    new SolverSettings(SolverKind.EULER, 6)}) {
                SearchRequest request = SearchRequest.of("gmm-image", 3, new RandomSearch(37), "row-sum", 11)
                        .withSolvers(new SolverSettings(SolverKind.HEUN, 4), last).withBatchSize(4);
                SearchResult whole = engine.search(request, new RowSum(engine.backend(), Integer.MAX_VALUE));
                SearchResult chunked = engine.search(request, new RowSum(engine.backend(), 4));
                assertThat(SearchContext.poolChunkRows(4, new RowSum(engine.backend(), 4), 256)).isEqualTo(4);
                assertThat(chunked.key()).isEqualTo(whole.key());
                assertThat(chunked.sample()).isEqualTo(whole.sample());
                assertThat(chunked.score()).isEqualTo(whole.score());
                assertThat(chunked.trace().getFirst().scores()).isEqualTo(whole.trace().getFirst().scores());
                assertThat(chunked.compute().totalNfe()).isEqualTo(whole.compute().totalNfe());
                assertThat(chunked.compute().flops()).isEqualTo(whole.compute().flops());
                // The winner is not in the first chunk, so the best row was kept across chunks.
                assertThat(whole.key() - SearchContext.key(Stage.RANDOM, 0, 0)).isGreaterThanOrEqualTo(4);
            }
        }
    }

    @Test
    void chunksAreWholeSolverBatchesUpToTheByteBoundAndEnsemblesHoldTheirPool() {
        Verifier perBatch = new RowSum(null, 16);
        Verifier wholePool = new RowSum(null, Integer.MAX_VALUE);
        assertThat(SearchContext.poolChunkRows(16, perBatch, 784)).isEqualTo(16);
        assertThat(SearchContext.poolChunkRows(64, new RowSum(null, 100), 784)).isEqualTo(64);
        assertThat(SearchContext.poolChunkRows(64, new RowSum(null, 200), 784)).isEqualTo(192);
        // 64 MiB of 1 KiB rows, in whole batches of 100.
        assertThat(SearchContext.poolChunkRows(100, wholePool, 256)).isEqualTo(65_500);
        assertThat(SearchContext.poolChunkRows(100_000, wholePool, 256)).isEqualTo(100_000);
        Verifier ensemble = new Verifier() {
            @Override
            public String name() {
                return "ensemble:a,b";
            }

            @Override
            public java.util.List<String> members() {
                return java.util.List.of("a", "b");
            }

            @Override
            public long flopsPerSample() {
                return 0;
            }

            @Override
            public void score(Kernels kernels, VerifierInput input, float[][] out, int offset) {
            }
        };
        assertThat(SearchContext.poolChunkRows(16, ensemble, 784)).isEqualTo(Integer.MAX_VALUE);
    }
}

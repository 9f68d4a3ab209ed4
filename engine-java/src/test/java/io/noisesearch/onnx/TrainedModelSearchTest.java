package io.noisesearch.onnx;

import io.noisesearch.NonFiniteOutputException;
import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Backends;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import io.noisesearch.engine.Engine;
import io.noisesearch.metrics.Evaluator;
import io.noisesearch.metrics.FeatureStatistics;
import io.noisesearch.metrics.FrechetDistance;
import io.noisesearch.verify.OracleFidVerifier;
import io.noisesearch.model.ModelRepository;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.search.NoSearch;
import io.noisesearch.search.PathSearch;
import io.noisesearch.search.PruneSearch;
import io.noisesearch.search.SearchPlan;
import io.noisesearch.search.RandomSearch;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.SearchResult;
import io.noisesearch.search.SmcSearch;
import io.noisesearch.search.Resampling;
import io.noisesearch.search.TraceEntry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** Searches on the trained flow with the trained verifiers, through ONNX Runtime. */
class TrainedModelSearchTest {

    private static final SolverSettings EULER_8 = new SolverSettings(SolverKind.EULER, 8);
    private static Engine engine;

    @BeforeAll
    static void open() {
        TrainedModels.folder("mnist-flow-s");
        engine = Engine.open(Backends.open("host"), 0, 1, new ModelRepository(TrainedModels.ROOT));
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    private static SearchRequest request(Object algorithm, String verifier, int label, long seed) {
        return SearchRequest.of("mnist-flow-s", label, (io.noisesearch.search.SearchAlgorithm) algorithm, verifier, seed)
                .withSolvers(EULER_8, EULER_8);
    }

    /**
     * Smc with a capturing verifier takes the capture where a full solve takes it (the step nearest T = 0.75: step 2 of
     * Euler x8) and scores potentials from there on: one particle is random search's candidate 0 under the same
     * stochastic solver, bit for bit.
     */
    @Test
    void smcWithSslTakesTheCaptureOfAFullSolveAndScoresPotentialsFromIt() {
        SolverSettings sde = new SolverSettings(SolverKind.EULER_SDE, 8, 0.5);
        SearchResult one = engine.search(request(new SmcSearch(1, SmcSearch.Potential.DIFFERENCE, 1,
                Resampling.SYSTEMATIC, 1, 1, 1, 0), "ssl@0.75", 3, 2).withSolvers(sde, sde));
        SearchResult plain = engine.search(request(new RandomSearch(1), "ssl@0.75", 3, 2).withSolvers(sde, sde));
        assertThat(one.sample()).containsExactly(plain.sample());
        assertThat(one.score()).isEqualTo(plain.score());

        SearchResult four = engine.search(request(new SmcSearch(4, SmcSearch.Potential.DIFFERENCE, 1,
                Resampling.SYSTEMATIC, 1, 1, 1, 0), "ssl@0.75", 3, 2).withSolvers(sde, sde));
        assertThat(four.trace()).extracting(TraceEntry::iteration).containsExactly(2, 3, 4, 5, 6, 8);
        assertThat(four.compute().searchNfe()).isEqualTo(32);
    }

    @Test
    void classifierSearchCountsNfesAndPicksTheBestLogProbability() {
        SearchResult result = engine.search(request(new RandomSearch(4), "classifier", 7, 3));
        assertThat(result.compute().searchNfe()).isEqualTo(4 * 8);
        assertThat(result.compute().forwardPasses()).isEqualTo(4 * 8);
        float max = Float.NEGATIVE_INFINITY;
        for (float s : result.trace().getFirst().scores()) {
            max = Math.max(max, s);
        }
        assertThat(result.score()).isEqualTo(max).isLessThanOrEqualTo(0f);
        assertThat(result.compute().flops()).isEqualTo(4L * 8 * flops("mnist-flow-s")
                + 4L * flops("mnist-classifier"));
        assertThat(result.sample()).hasSize(784);
    }

    @Test
    void sslVerifierScoresCosineOfEarlyAndFinalFeatures() {
        SearchResult result = engine.search(request(new RandomSearch(3), "ssl", 2, 5));
        assertThat(result.score()).isBetween(-1f, 1f);
        assertThat(result.compute().flops()).isEqualTo(3L * 8 * flops("mnist-flow-s") + 3L * 2 * flops("mnist-ssl"));
    }

    @Test
    void sslAtAnotherCaptureTimeScoresTheSameSampleDifferently() {
        SearchResult at04 = engine.search(request(new NoSearch(), "ssl", 2, 5));
        SearchResult at075 = engine.search(request(new NoSearch(), "ssl@0.75", 2, 5));
        assertThat(at075.verifier()).isEqualTo("ssl@0.75");
        assertThat(at075.sample()).isEqualTo(at04.sample());
        assertThat(at075.score()).isBetween(-1f, 1f).isNotEqualTo(at04.score());
        for (String bad : new String[] {"ssl@1.5", "ssl@0", "ssl@x"}) {
            assertThatThrownBy(() -> engine.search(request(new NoSearch(), bad, 2, 5)))
                    .isInstanceOf(io.noisesearch.InvalidRequestException.class).hasMessageContaining(bad);
        }
    }

    @Test
    void pathsWithTheSslVerifierCarryEachPathsEarlyCaptureAndDoNotDependOnTheBatchSize() {
        PathSearch paths = new PathSearch(2, 2, 0.5, 0.125, 0.25, 1);
        SearchRequest request = request(paths, "ssl@0.75", 6, 4);
        SearchResult result = engine.search(request);
        SearchResult small = engine.search(request.withBatchSize(1));

        assertThat(result.score()).isBetween(-1f, 1f);
        assertThat(result.compute().searchNfe()).isEqualTo(paths.plannedSearchNfe(
                new SearchPlan(engine.model("mnist-flow-s").info().schedule(), EULER_8)));
        assertThat(small.key()).isEqualTo(result.key());
        assertThat(small.lineage()).isEqualTo(result.lineage());
        assertThat(small.score()).isCloseTo(result.score(), within(1e-5f));
        // Every round's scores are cosines against the early capture: all within [-1, 1], none exactly 0.
        result.trace().forEach(entry -> {
            for (float score : entry.scores()) {
                assertThat(score).isBetween(-1f, 1f).isNotZero();
            }
        });
    }

    @Test
    void pathsRefuseACaptureTimeBelowTheirStart() {
        assertThatThrownBy(() -> engine.search(request(new PathSearch(2, 2, 0.5, 0.125, 0.25, 1), "ssl@0.3", 6, 4)))
                .isInstanceOf(io.noisesearch.InvalidRequestException.class)
                .hasMessageContaining("t = 0.3").hasMessageContaining("search start");
    }

    @Test
    void pruneWithTheSslVerifierTakesTheCaptureFromTheFirstSegmentAndDoesNotDependOnTheBatchSize() {
        PruneSearch prune = new PruneSearch(6, List.of(0.5, 0.25), 2);
        SearchRequest request = request(prune, "ssl@0.75", 3, 4);
        SearchResult result = engine.search(request);
        SearchResult small = engine.search(request.withBatchSize(1));

        // Euler x8, segments of 4, 2 and 2 steps: 6 (4 + 1) + 3 (2 + 1) + 2 2 NFEs.
        assertThat(result.compute().searchNfe()).isEqualTo(6 * 5 + 3 * 3 + 2 * 2).isEqualTo(prune.plannedSearchNfe(
                new SearchPlan(engine.model("mnist-flow-s").info().schedule(), EULER_8)));
        assertThat(small.key()).isEqualTo(result.key());
        assertThat(small.score()).isCloseTo(result.score(), within(1e-5f));
        result.trace().forEach(entry -> {
            for (float score : entry.scores()) {
                assertThat(score).isBetween(-1f, 1f).isNotZero();
            }
        });
    }

    @Test
    void pruneRefusesACaptureTimeBelowItsFirstCut() {
        assertThatThrownBy(() -> engine.search(request(new PruneSearch(4, List.of(0.5), 2), "ssl@0.3", 6, 4)))
                .isInstanceOf(io.noisesearch.InvalidRequestException.class)
                .hasMessageContaining("t = 0.3").hasMessageContaining("first cut");
    }

    @Test
    void oracleIsScoresAProbability() {
        SearchResult result = engine.search(request(new NoSearch(), "oracle-is", 4, 1));
        assertThat(result.score()).isBetween(0f, 1f);
        assertThat(result.compute().finalNfe()).isEqualTo(8);
    }

    @Test
    void sameRequestSameWinnerWhateverTheBatchSize() {
        SearchRequest request = request(new RandomSearch(5), "classifier", 1, 11);
        SearchResult a = engine.search(request);
        SearchResult b = engine.search(request.withBatchSize(2));
        assertThat(b.key()).isEqualTo(a.key());
        assertThat(b.score()).isCloseTo(a.score(), within(1e-4f));
    }

    @Test
    void guidanceRunsTheNullClassToo() {
        SearchResult result = engine.search(request(new RandomSearch(2), "classifier", 3, 2).withGuidance(1.5));
        assertThat(result.compute().searchNfe()).isEqualTo(2 * 8);
        assertThat(result.compute().forwardPasses()).isEqualTo(2 * 2 * 8);
    }

    @Test
    void nanFromAModelIsReportedWithTheModelAndTensor() {
        try (OnnxModel classifier = OnnxModel.open(TrainedModels.folder("mnist-classifier"), 1);
             Backend backend = Backends.open("host"); Arena arena = Arena.ofConfined();
             Kernels kernels = backend.openStream(1)) {
            float[] values = new float[2 * 784];
            Arrays.fill(values, Float.NaN);
            Batch batch = backend.upload(arena, values, 2, 784);
            assertThatThrownBy(() -> classifier.output(kernels, batch, "logits")).isInstanceOf(NonFiniteOutputException.class)
                    .hasMessageContaining("mnist-classifier").hasMessageContaining("logits");
        }
    }

    @Test
    void oracleFidPicksTheCandidateThatLowersTheRunningFid() {
        {
            Evaluator evaluator = engine.evaluator(TrainedModels.folder("mnist-eval"));
            OracleFidVerifier oracle = new OracleFidVerifier(evaluator);
            List<float[]> chosen = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                SearchResult result = engine.search(request(new RandomSearch(3), "oracle-fid", i, 20 + i), oracle);
                chosen.add(result.sample());
                double fid = FrechetDistance.between(evaluator.referenceStatistics(),
                        maximumLikelihood(evaluator.features(chosen.toArray(new float[0][]))));
                assertThat((double) -result.score()).isCloseTo(fid, within(1e-3 * fid));
                for (float score : result.trace().getFirst().scores()) {
                    assertThat(score).isLessThanOrEqualTo(result.score());
                }
                oracle.accept(result.sample());
            }
        }
    }

    /** Mean and covariance with divisor n, as the oracle accumulates them (defined for a single sample too). */
    private static FeatureStatistics maximumLikelihood(float[][] features) {
        int n = features.length;
        int d = features[0].length;
        double[] mean = new double[d];
        for (float[] f : features) {
            for (int i = 0; i < d; i++) {
                mean[i] += f[i] / (double) n;
            }
        }
        double[][] cov = new double[d][d];
        for (float[] f : features) {
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    cov[i][j] += (f[i] - mean[i]) * (f[j] - mean[j]) / n;
                }
            }
        }
        return new FeatureStatistics(mean, cov, n);
    }

    private static long flops(String model) {
        return io.noisesearch.model.ModelManifest.read(TrainedModels.folder(model)).flopsPerSample();
    }
}

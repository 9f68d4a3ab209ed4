package io.noisesearch.search;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.engine.Engine;
import io.noisesearch.noise.CandidateKeys;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Sequential Monte Carlo against what it reduces to: one particle is the plain stochastic sampler, an ODE without
 * resampling is random search's pool; its lineages agree with its trace; the same winner across threads and batch
 * sizes; a budget is never exceeded.
 */
class SmcSearchTest extends EngineFixture {

    private static final SolverSettings SDE = new SolverSettings(SolverKind.EULER_SDE, 10, 0.7);
    private static final SolverSettings SDE_AT_ZERO = new SolverSettings(SolverKind.EULER_SDE, 10, 0);
    private static final SolverSettings EULER = new SolverSettings(SolverKind.EULER, 10);
    private static SmcSearch smc(int particles, Resampling scheme, double tau) {
        return new SmcSearch(particles, SmcSearch.Potential.MAX, 10, scheme, 1, tau, 1, 0);
    }

    private static SearchRequest request(SearchAlgorithm algorithm, SolverSettings solver, long seed) {
        return SearchRequest.of("gmm-image", 4, algorithm, "oracle", seed).withSolvers(solver, solver);
    }

    @Test
    void oneParticleIsThePlainStochasticSamplerBitForBit() {
        for (SolverSettings solver : List.of(SDE, new SolverSettings(SolverKind.DDPM, 12))) {
            String model = solver.kind() == SolverKind.DDPM ? "gmm-image-vp" : "gmm-image";
            SearchRequest smc = SearchRequest.of(model, 4, smc(1, Resampling.MULTINOMIAL, 1), "oracle", 3)
                    .withSolvers(solver, solver);
            SearchResult particle = engine.search(smc);
            SearchResult plain = engine.search(SearchRequest.of(model, 4, new RandomSearch(1), "oracle", 3)
                    .withSolvers(solver, solver));
            assertThat(particle.sample()).as("%s", solver).containsExactly(plain.sample());
            assertThat(particle.key()).isEqualTo(plain.key());
            assertThat(particle.compute().searchNfe()).isEqualTo(plain.compute().searchNfe());
            assertThat(particle.finalReused()).isTrue();
        }
    }

    /** Noise scale 0 is the ODE: without resampling the K particles end as random search's K candidates. */
    @Test
    void withoutNoiseOrResamplingTheParticlesAreRandomSearchsCandidates() {
        SearchResult smc = engine.search(request(smc(6, Resampling.SYSTEMATIC, 1e-9), SDE_AT_ZERO, 8));
        SearchResult random = engine.search(request(new RandomSearch(6), EULER, 8));
        TraceEntry last = smc.trace().getLast();
        assertThat(last.keys()).containsExactly(random.trace().getFirst().keys());
        assertThat(last.scores()).containsExactly(random.trace().getFirst().scores());
        assertThat(smc.key()).isEqualTo(random.key());
        assertThat(smc.sample()).containsExactly(random.sample());
        assertThat(smc.trace()).allMatch(entry -> entry.parents() == null);
    }

    /** With resampling but no noise, every final particle is a copy of one of random search's candidates. */
    @Test
    void resampledOdeParticlesAreCopiesOfRandomSearchsCandidates() {
        SearchResult smc = engine.search(request(smc(6, Resampling.MULTINOMIAL, 1), SDE_AT_ZERO, 8));
        SearchResult random = engine.search(request(new RandomSearch(6), EULER, 8));
        List<Float> candidates = new ArrayList<>();
        for (float s : random.trace().getFirst().scores()) {
            candidates.add(s);
        }
        for (float s : smc.trace().getLast().scores()) {
            assertThat(candidates).contains(s);
        }
        assertThat(smc.trace().stream().filter(e -> e.parents() != null)).isNotEmpty();
    }

    /** Each survivor's lineage follows the parents of the trace's resamplings back to its first noise. */
    @Test
    void theWinnersLineageFollowsTheTracesParents() {
        SearchResult result = engine.search(request(smc(8, Resampling.RESIDUAL, 1), SDE, 5));
        long first = SearchContext.key(Stage.RANDOM, 0, 0);
        int slot = (int) (result.key() - first);
        List<Long> expected = new ArrayList<>();
        List<TraceEntry> trace = result.trace();
        for (int e = trace.size() - 2; e >= 0; e--) {
            int[] parents = trace.get(e).parents();
            if (parents != null && parents[slot] != slot) {
                expected.addFirst(SearchContext.key(Stage.SMC_MOVE, trace.get(e).iteration() + 1, slot));
                slot = parents[slot];
            }
        }
        expected.addFirst(first + slot);
        assertThat(result.lineage()).isEqualTo(expected);
        assertThat(CandidateKeys.decode(result.lineage().getFirst()).stage()).isEqualTo(Stage.RANDOM.code());
    }

    @Test
    void potentialsAreScoredAtEveryStepOfTheWindowAndTheFinalPool() {
        // 10 steps, window [0.75, 0.25], every 2: steps j with u_j = 1 - j / 10 in the window are 3..7; 3, 5, 7.
        SmcSearch windowed = new SmcSearch(4, SmcSearch.Potential.SUM, 5, Resampling.SYSTEMATIC, 2, 0.5, 0.75, 0.25);
        SearchResult result = engine.search(request(windowed, SDE, 2));
        assertThat(result.trace()).extracting(TraceEntry::iteration).containsExactly(3, 5, 7, 10);
        assertThat(result.compute().searchNfe()).isEqualTo(40);
        // the x-predictions come from the steps' own calls: verifier calls = 3 potentials + the final pool, of 4 each
        assertThat(result.compute().verifierCalls()).isEqualTo(16);
    }

    @Test
    void sameWinnerAcrossThreadsAndBatchSizes() {
        List<SearchAlgorithm> algorithms = List.of(smc(7, Resampling.SYSTEMATIC, 1),
                new SmcSearch(5, SmcSearch.Potential.DIFFERENCE, 3, Resampling.MULTINOMIAL, 2, 0.6, 1, 0.2));
        try (Engine oneThread = Engine.open("host", 1); Engine twoThreads = Engine.open("host", 2);
             Engine java = Engine.open("java", 0)) {
            for (SearchAlgorithm algorithm : algorithms) {
                for (String verifier : List.of("oracle", "ensemble:oracle,posterior")) {
                    SearchRequest request = SearchRequest.of("gmm-image", 7, algorithm, verifier, 1234)
                            .withSolvers(SDE, SDE);
                    SearchResult reference = oneThread.search(request);
                    for (Engine e : List.of(oneThread, twoThreads, java)) {
                        for (int batchSize : new int[] {1, 3, 256}) {
                            SearchResult again = e.search(request.withBatchSize(batchSize));
                            String what = algorithm + "/" + verifier + " batch " + batchSize;
                            assertThat(again.key()).as(what).isEqualTo(reference.key());
                            assertThat(again.score()).as(what).isEqualTo(reference.score());
                            assertThat(again.sample()).as(what).containsExactly(reference.sample());
                            assertThat(again.lineage()).as(what).isEqualTo(reference.lineage());
                        }
                    }
                }
            }
        }
    }

    @Test
    void aBudgetCutsTheParticlesAndIsNeverExceeded() {
        for (long budget : new long[] {9, 10, 37, 80, 1000}) {
            SearchResult result = engine.search(request(smc(8, Resampling.SYSTEMATIC, 1), SDE, 1).withBudget(budget));
            assertThat(result.compute().searchNfe()).as("budget %d", budget).isLessThanOrEqualTo(budget);
            long particles = Math.min(8, budget / 10);
            assertThat(result.compute().searchNfe()).isEqualTo(particles * 10);
            assertThat(result.budgetExhausted()).isEqualTo(budget < 80);
            if (particles > 0) {
                assertThat(result.trace().getLast().keys()).hasSize((int) particles);
            } else {
                assertThat(result.trace()).isEmpty();
            }
        }
    }

    /**
     * Steering by the oracle's reward (difference potential, lambda 0.3) raises the final particles' mean score over
     * the same particles at lambda 0 (equal weights: systematic resampling moves nobody), summed over 12 seeds.
     */
    @Test
    void steeringRaisesTheVerifiersScoreOverIndependentParticles() {
        SolverSettings sde = new SolverSettings(SolverKind.EULER_SDE, 20, 0.7);
        double steered = 0;
        double independent = 0;
        for (long seed = 0; seed < 12; seed++) {
            steered += mean(engine.search(request(new SmcSearch(8, SmcSearch.Potential.DIFFERENCE, 0.3,
                    Resampling.SYSTEMATIC, 1, 1, 1, 0), sde, seed)).trace().getLast().scores());
            SearchResult without = engine.search(request(new SmcSearch(8, SmcSearch.Potential.DIFFERENCE, 0,
                    Resampling.SYSTEMATIC, 1, 1, 1, 0), sde, seed));
            assertThat(without.trace()).allMatch(entry -> entry.parents() == null
                    || java.util.Arrays.equals(entry.parents(), new int[] {0, 1, 2, 3, 4, 5, 6, 7}));
            independent += mean(without.trace().getLast().scores());
        }
        assertThat(steered).isGreaterThan(independent);
    }

    private static double mean(float[] values) {
        double sum = 0;
        for (float v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    @Test
    void aStochasticSearchSolverIsRefusedByAlgorithmsThatNeedAnOde() {
        assertThatThrownBy(() -> engine.search(request(new ZeroOrderSearch(4, 2, 0.9, Double.NaN), SDE, 1)))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("--search-solver");
    }

    @Test
    void badHyperparametersNameTheirOption() {
        assertThatThrownBy(() -> smc(0, Resampling.SYSTEMATIC, 1)).hasMessageContaining("--particles");
        assertThatThrownBy(() -> smc(4, Resampling.SYSTEMATIC, 0)).hasMessageContaining("--ess-threshold");
        assertThatThrownBy(() -> smc(4, Resampling.SYSTEMATIC, 1.5)).hasMessageContaining("--ess-threshold");
        assertThatThrownBy(() -> new SmcSearch(4, SmcSearch.Potential.MAX, 1, Resampling.SYSTEMATIC, 1, 1, 0.2, 0.8))
                .hasMessageContaining("--steer-window");
        assertThatThrownBy(() -> new SmcSearch(4, SmcSearch.Potential.MAX, -1, Resampling.SYSTEMATIC, 1, 1, 1, 0))
                .hasMessageContaining("--smc-lambda");
        assertThatThrownBy(() -> new SmcSearch(4, SmcSearch.Potential.MAX, 1, Resampling.SYSTEMATIC, 0, 1, 1, 0))
                .hasMessageContaining("--resample-every");
    }
}

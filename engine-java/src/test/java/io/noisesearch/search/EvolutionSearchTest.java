package io.noisesearch.search;

import io.noisesearch.engine.Engine;
import io.noisesearch.noise.CandidateKeys;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class EvolutionSearchTest extends EngineFixture {

    private static final SolverSettings EULER_8 = new SolverSettings(SolverKind.EULER, 8);

    @Test
    void noGenerationAfterTheFirstIsRandomSearchBitForBit() {
        for (int seed = 0; seed < 4; seed++) {
            for (SolverSettings last : List.of(HEUN_10, HEUN_20)) {
                SearchResult evolution = engine.search(request(new EvolutionSearch(List.of(12), 0, 3, 0.9, 0.9), seed,
                        seed, HEUN_10, last));
                SearchResult random = engine.search(request(new RandomSearch(12), seed, seed, HEUN_10, last));
                String what = "seed " + seed + " final " + last;
                assertThat(evolution.key()).as(what).isEqualTo(random.key());
                assertThat(evolution.lineage()).as(what).isEqualTo(random.lineage());
                assertThat(evolution.score()).as(what).isEqualTo(random.score());
                assertThat(evolution.sample()).as(what).containsExactly(random.sample());
                assertThat(evolution.trace().getFirst().scores()).as(what)
                        .containsExactly(random.trace().getFirst().scores());
                assertThat(evolution.compute().searchNfe()).as(what).isEqualTo(random.compute().searchNfe());
            }
        }
    }

    /**
     * At mutation cosine 1 a mutant is a copy of its parent: generation 1 scores exactly its parents' scores, the
     * elites (first in the pool) win the ties, and the search returns random search's winner over generation 0.
     */
    @Test
    void mutationCosineOneAndOneGenerationRescoresRandomSearchsCandidates() {
        for (int seed = 0; seed < 4; seed++) {
            SearchResult evolution = engine.search(request(new EvolutionSearch(List.of(8), 1, 2, 1.0, 1.0), seed, seed,
                    HEUN_10, HEUN_10));
            SearchResult random = engine.search(request(new RandomSearch(8), seed, seed, HEUN_10, HEUN_10));
            String what = "seed " + seed;
            assertThat(evolution.key()).as(what).isEqualTo(random.key());
            assertThat(evolution.sample()).as(what).containsExactly(random.sample());
            TraceEntry generation0 = evolution.trace().getFirst();
            TraceEntry generation1 = evolution.trace().get(1);
            int[] elites = io.noisesearch.verify.Scores.top(generation0.scores(), 2);
            // Pool: the two elites, then six mutants, parents by floor(i 2 / 6): elite 0 thrice, elite 1 thrice.
            assertThat(generation1.parents()).containsExactly(0, 1, 0, 0, 0, 1, 1, 1);
            for (int i = 0; i < 8; i++) {
                int elite = generation1.parents()[i];
                assertThat(generation1.scores()[i]).as(what).isEqualTo(generation0.scores()[elites[elite]]);
            }
        }
    }

    @Test
    void searchNfesFollowThePopulationScheduleAndTheBestNeverGetsWorse() {
        EvolutionSearch evolution = new EvolutionSearch(List.of(10, 6, 6, 4), 3, 2, 0.8, 0.95);
        SearchResult result = engine.search(request(evolution, 4, 3, EULER_8, EULER_8));
        // (10 + 4 + 4 + 2) individuals x 8 NFEs.
        assertThat(result.compute().searchNfe()).isEqualTo(160);
        assertThat(result.searchNfePlanned()).isEqualTo(160);
        assertThat(result.trace()).extracting(e -> e.keys().length).containsExactly(10, 6, 6, 4);
        float best = Float.NEGATIVE_INFINITY;
        for (TraceEntry entry : result.trace()) {
            float chosen = entry.scores()[Arrays.stream(entry.keys()).boxed().toList().indexOf(entry.chosenKey())];
            assertThat(chosen).isGreaterThanOrEqualTo(best);
            best = chosen;
        }
        assertThat(result.score()).isEqualTo(best);
        assertThat(evolution.cosine(1)).isEqualTo(0.8);
        assertThat(evolution.cosine(3)).isCloseTo(0.95, within(1e-12));
        assertThat(evolution.cosine(2)).isCloseTo(0.875, within(1e-12));
    }

    /** Replays the winner's noise from its lineage: every mutation keeps the norm and sits at its generation's cosine. */
    @Test
    void lineageReplaysMutationsOnTheSphereAtTheAnnealedCosine() {
        EvolutionSearch evolution = new EvolutionSearch(List.of(8), 6, 2, 0.7, 0.95);
        SearchResult result = null;
        for (long seed = 0; seed < 20 && (result == null || result.lineage().size() < 3); seed++) {
            result = engine.search(request(evolution, 1, seed, EULER_8, EULER_8));
        }
        List<Long> lineage = result.lineage();
        assertThat(lineage.size()).isGreaterThanOrEqualTo(3);
        assertLineageStaysOnTheSphere(result.seed(), lineage,
                key -> evolution.cosine(CandidateKeys.decode(key).iteration()));
    }

    @Test
    void aBudgetIsNeverExceeded() {
        EvolutionSearch evolution = new EvolutionSearch(List.of(8, 6), 1, 2, 0.9, 0.9);
        for (long budget = 0; budget <= 140; budget += 8) {
            SearchResult result = engine.search(request(new EvolutionSearch(List.of(8), 3, 2, 0.9, 0.95), 2, 5,
                    EULER_8, EULER_8).withBudget(budget));
            assertThat(result.compute().searchNfe()).as("budget " + budget).isLessThanOrEqualTo(budget);
            assertThat(result.stoppedBy()).as("budget " + budget)
                    .isEqualTo(budget < 160 ? StopReason.BUDGET : StopReason.COMPLETED);
        }
        assertThat(evolution.plannedCandidates()).isEqualTo(14);
    }

    @Test
    void winnersDoNotDependOnTheBatchSizeOrTheThreadCount() {
        SearchRequest request = request(new EvolutionSearch(List.of(9, 7, 7), 2, 3, 0.85, 0.95), 8, 13, HEUN_10,
                HEUN_20);
        SearchResult reference = engine.search(request);
        try (Engine oneThread = Engine.open("host", 1)) {
            for (int batch : new int[] {1, 4, 256}) {
                for (Engine e : List.of(engine, oneThread)) {
                    SearchResult other = e.search(request.withBatchSize(batch));
                    assertThat(other.key()).as("batch " + batch).isEqualTo(reference.key());
                    assertThat(other.lineage()).as("batch " + batch).isEqualTo(reference.lineage());
                    assertThat(other.score()).as("batch " + batch).isEqualTo(reference.score());
                    assertThat(other.sample()).as("batch " + batch).containsExactly(reference.sample());
                }
            }
        }
    }

    @Test
    void badValuesAreOneLineNamingTheOption() {
        assertThatThrownBy(() -> new EvolutionSearch(List.of(0), 1, 1, 0.9, 0.9)).hasMessageStartingWith("--population");
        assertThatThrownBy(() -> new EvolutionSearch(List.of(4, 4), 3, 1, 0.9, 0.9))
                .hasMessageStartingWith("--population");
        assertThatThrownBy(() -> new EvolutionSearch(List.of(4), 2, 4, 0.9, 0.9)).hasMessageStartingWith("--elites");
        assertThatThrownBy(() -> new EvolutionSearch(List.of(4), 2, 0, 0.9, 0.9)).hasMessageStartingWith("--elites");
        assertThatThrownBy(() -> new EvolutionSearch(List.of(4), -1, 1, 0.9, 0.9))
                .hasMessageStartingWith("--generations");
        assertThatThrownBy(() -> new EvolutionSearch(List.of(4), 2, 1, 1.5, 0.9))
                .hasMessageStartingWith("--evo-cosine-start");
    }

    /**
     * At cosine 1 a mutant is a copy of its elite, at whatever level it is made: mutating intermediate states then
     * re-scores the elites' samples exactly as mutating their noises does (slices of one grid), so both searches give
     * the same pools, winner and sample; the intermediate one pays only its solves from the levels down.
     */
    @Test
    void intermediateLevelsAtCosineOneReproduceTheEvolutionOfNoises() {
        for (int seed = 0; seed < 3; seed++) {
            for (SolverSettings last : List.of(HEUN_10, HEUN_20)) {
                SearchResult noises = engine.search(request(new EvolutionSearch(List.of(8), 2, 2, 1.0, 1.0), seed,
                        seed, HEUN_10, last));
                SearchResult states = engine.search(request(new EvolutionSearch(List.of(8), 2, 2, 1.0, 1.0,
                        List.of(0.7, 0.4)), seed, seed, HEUN_10, last));
                String what = "seed " + seed + " final " + last;
                assertThat(states.key()).as(what).isEqualTo(noises.key());
                assertThat(states.lineage()).as(what).isEqualTo(noises.lineage());
                assertThat(states.score()).as(what).isEqualTo(noises.score());
                assertThat(states.sample()).as(what).containsExactly(noises.sample());
                for (int g = 0; g < 3; g++) {
                    assertThat(states.trace().get(g).scores()).as(what + " generation " + g)
                            .containsExactly(noises.trace().get(g).scores());
                }
                // Heun x10 = 19 NFEs: 8 x 19 + 6 nfe(3 -> 10) + 2 nfe(3 -> 6) + 6 nfe(6 -> 10) = 152 + 78 + 12 + 42
                assertThat(noises.compute().searchNfe()).as(what).isEqualTo(20 * 19);
                assertThat(states.compute().searchNfe()).as(what).isEqualTo(284);
                assertThat(states.searchNfePlanned()).as(what).isEqualTo(284);
            }
        }
    }

    @Test
    void mutatedIntermediateStatesAreSearchedAndKeepTheBudget() {
        EvolutionSearch evolution = new EvolutionSearch(List.of(8), 3, 2, 0.8, 0.95, List.of(1.0, 0.6, 0.3));
        SearchResult result = engine.search(request(evolution, 3, 7, EULER_8, HEUN_20));
        TraceEntry generation2 = result.trace().get(2);
        int[] elites = io.noisesearch.verify.Scores.top(result.trace().get(1).scores(), 2);
        for (int i = 2; i < 8; i++) {
            // a mutant of a state at level 0.6 is another state: its sample scores otherwise than its elite's
            assertThat(generation2.scores()[i]).isNotEqualTo(result.trace().get(1).scores()[elites[
                    generation2.parents()[i]]]);
        }
        if (result.lineage().size() > 1) {
            assertThat(result.compute().finalNfe()).as("a mutated state returns its searched sample").isZero();
        }
        // 8 x 8 + 6 x 8 + 2 x nfe(0 -> 3) + 6 x nfe(3 -> 8) + 2 x nfe(3 -> 6) + 6 x nfe(6 -> 8) = 64 + 48 + 6 + 30 + 6 + 12
        assertThat(result.searchNfePlanned()).isEqualTo(166);
        assertThat(result.compute().searchNfe()).isEqualTo(166);
        for (long budget = 0; budget <= 180; budget += 6) {
            SearchResult cut = engine.search(request(evolution, 3, 7, EULER_8, EULER_8).withBudget(budget));
            assertThat(cut.compute().searchNfe()).as("budget " + budget).isLessThanOrEqualTo(budget);
            assertThat(cut.stoppedBy()).as("budget " + budget)
                    .isEqualTo(budget < 166 ? StopReason.BUDGET : StopReason.COMPLETED);
        }
        SearchRequest request = request(evolution, 8, 13, HEUN_10, HEUN_20);
        SearchResult reference = engine.search(request);
        try (Engine oneThread = Engine.open("host", 1)) {
            for (int batch : new int[] {1, 3, 256}) {
                for (Engine e : List.of(engine, oneThread)) {
                    SearchResult other = e.search(request.withBatchSize(batch));
                    assertThat(other.key()).as("batch " + batch).isEqualTo(reference.key());
                    assertThat(other.lineage()).as("batch " + batch).isEqualTo(reference.lineage());
                    assertThat(other.sample()).as("batch " + batch).containsExactly(reference.sample());
                }
            }
        }
    }

    @Test
    void badMutationLevelsAreOneLineNamingEvoAt() {
        assertThatThrownBy(() -> new EvolutionSearch(List.of(4), 2, 1, 0.9, 0.9, List.of(1.0, 0.5, 0.2)))
                .hasMessageStartingWith("--evo-at");
        assertThatThrownBy(() -> new EvolutionSearch(List.of(4), 2, 1, 0.9, 0.9, List.of(0.5, 0.7)))
                .hasMessageStartingWith("--evo-at");
        assertThatThrownBy(() -> new EvolutionSearch(List.of(4), 2, 1, 0.9, 0.9, List.of(1.5)))
                .hasMessageStartingWith("--evo-at");
        assertThatThrownBy(() -> new EvolutionSearch(List.of(4), 2, 1, 0.9, 0.9, List.of(0.0)))
                .hasMessageStartingWith("--evo-at");
        assertThatThrownBy(() -> engine.search(request(new EvolutionSearch(List.of(4), 1, 1, 0.9, 0.9,
                List.of(0.05)), 0, 0, EULER_8, EULER_8))).isInstanceOf(io.noisesearch.InvalidRequestException.class)
                .hasMessageStartingWith("--evo-at 0.05 falls on step 8");
    }
}

package io.noisesearch.search;

import io.noisesearch.InvalidRequestException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AlgorithmsTest {

    private static final Algorithms.Settings SETTINGS =
            new Algorithms.Settings(16, 8, 4, 0.95, Double.NaN, 4, 2, 0.4, 0.05, 0.1, 2, List.of(0.7, 0.4), 4);

    @Test
    void everyNameMakesTheAlgorithmOfThatIdWithItsOwnHyperparameters() {
        for (String name : Algorithms.NAMES) {
            assertThat(Algorithms.create(name, SETTINGS).id()).isEqualTo(name);
        }
        assertThat(Algorithms.create("random", SETTINGS)).isEqualTo(new RandomSearch(16));
        assertThat(Algorithms.create("zero-order", SETTINGS)).isEqualTo(new ZeroOrderSearch(8, 4, 0.95, Double.NaN));
        assertThat(Algorithms.create("paths", SETTINGS)).isEqualTo(new PathSearch(4, 2, 0.4, 0.05, 0.1, 2));
        assertThat(Algorithms.create("prune", SETTINGS)).isEqualTo(new PruneSearch(16, List.of(0.7, 0.4), 4));
        assertThat(Algorithms.create("smc", SETTINGS)).isEqualTo(
                new SmcSearch(8, SmcSearch.Potential.DIFFERENCE, 1, Resampling.SYSTEMATIC, 1, 1, 1, 0));
        assertThat(Algorithms.create("beam", SETTINGS)).isEqualTo(new BeamSearch(4, 4, List.of(0.75, 0.5, 0.25), 0.95,
                "bfs", Double.NaN));
        assertThat(Algorithms.create("evolution", SETTINGS)).isEqualTo(new EvolutionSearch(List.of(8), 3, 2, 0.9,
                0.98));
    }

    @Test
    void anUnknownNameIsOneLineListingTheKnownOnes() {
        assertThatThrownBy(() -> Algorithms.create("annealing", SETTINGS)).isInstanceOf(InvalidRequestException.class)
                .hasMessage("--algorithm: unknown algorithm 'annealing' (expected one of none, random, zero-order, paths,"
                        + " prune, smc, beam, evolution, gradient)");
    }
}

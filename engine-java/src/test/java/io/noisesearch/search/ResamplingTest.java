package io.noisesearch.search;

import io.noisesearch.noise.StepSeeds;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The resampling schemes against their definitions (Douc and Cappe 2005), by fixed-seed Monte Carlo over the noise
 * contract's uniforms: the expected count of particle i is K w_i for all three; systematic and residual counts vary
 * no more than multinomial ones (variance K w_i (1 - w_i)); systematic counts are floor or ceil of K w_i and residual
 * counts at least the floor. Tolerances come from the number of draws.
 */
class ResamplingTest {

    private static final double[] WEIGHTS = {0.02, 0.31, 0.07, 0.18, 0.005, 0.215, 0.1, 0.1};
    private static final int K = WEIGHTS.length;
    private static final int DRAWS = 20_000;

    /** counts[d][i]: copies of particle i at draw d, each draw with uniforms of key (SMC_RESAMPLE, 0, d). */
    private static int[][] counts(Resampling scheme) {
        int[][] counts = new int[DRAWS][K];
        for (int d = 0; d < DRAWS; d++) {
            long key = SearchContext.key(Stage.SMC_RESAMPLE, 0, d);
            int[] ancestors = scheme.ancestors(WEIGHTS, i -> StepSeeds.uniform(99, key, i));
            assertThat(ancestors).hasSize(K).isSorted();
            for (int a : ancestors) {
                counts[d][a]++;
            }
        }
        return counts;
    }

    private static double mean(int[][] counts, int i) {
        return Arrays.stream(counts).mapToDouble(c -> c[i]).average().orElseThrow();
    }

    private static double variance(int[][] counts, int i) {
        double m = mean(counts, i);
        return Arrays.stream(counts).mapToDouble(c -> (c[i] - m) * (c[i] - m)).sum() / (DRAWS - 1);
    }

    @Test
    void everySchemeCopiesEachParticleKTimesItsWeightOnAverage() {
        for (Resampling scheme : Resampling.values()) {
            int[][] counts = counts(scheme);
            for (int i = 0; i < K; i++) {
                // sd of the mean count is at most sqrt(K w (1 - w) / draws), the multinomial's (the largest of three)
                double sd = Math.sqrt(K * WEIGHTS[i] * (1 - WEIGHTS[i]) / DRAWS);
                assertThat(mean(counts, i)).as("%s, particle %d", scheme, i).isCloseTo(K * WEIGHTS[i],
                        within(5 * sd));
            }
        }
    }

    @Test
    void multinomialCountsHaveTheBinomialVariance() {
        int[][] counts = counts(Resampling.MULTINOMIAL);
        for (int i = 0; i < K; i++) {
            double expected = K * WEIGHTS[i] * (1 - WEIGHTS[i]);
            // the sample variance's standard error, sqrt(2 / (n - 1)) var for normal counts; 6 of them for binomial tails
            assertThat(variance(counts, i)).as("particle %d", i).isCloseTo(expected,
                    within(6 * expected * Math.sqrt(2.0 / (DRAWS - 1)) + 1e-12));
        }
    }

    @Test
    void systematicAndResidualVaryNoMoreThanMultinomial() {
        for (Resampling scheme : new Resampling[] {Resampling.SYSTEMATIC, Resampling.RESIDUAL}) {
            int[][] counts = counts(scheme);
            double total = 0;
            double multinomialTotal = 0;
            for (int i = 0; i < K; i++) {
                double multinomial = K * WEIGHTS[i] * (1 - WEIGHTS[i]);
                double tolerance = 6 * multinomial * Math.sqrt(2.0 / (DRAWS - 1));
                assertThat(variance(counts, i)).as("%s, particle %d", scheme, i)
                        .isLessThanOrEqualTo(multinomial + tolerance);
                total += variance(counts, i);
                multinomialTotal += multinomial;
            }
            assertThat(total).as("%s, summed variance", scheme).isLessThan(multinomialTotal);
        }
    }

    @Test
    void systematicCountsAreFloorOrCeilAndResidualCountsAtLeastTheFloor() {
        int[][] systematic = counts(Resampling.SYSTEMATIC);
        int[][] residual = counts(Resampling.RESIDUAL);
        for (int d = 0; d < DRAWS; d++) {
            for (int i = 0; i < K; i++) {
                double expected = K * WEIGHTS[i];
                assertThat(systematic[d][i]).isBetween((int) Math.floor(expected), (int) Math.ceil(expected));
                assertThat(residual[d][i]).isGreaterThanOrEqualTo((int) Math.floor(expected));
            }
        }
    }

    @Test
    void equalWeightsKeepEveryParticleInItsSlotUnderSystematicAndResidual() {
        double[] equal = new double[6];
        Arrays.fill(equal, 1.0 / 6);
        for (Resampling scheme : new Resampling[] {Resampling.SYSTEMATIC, Resampling.RESIDUAL}) {
            assertThat(scheme.ancestors(equal, i -> 0.37)).containsExactly(0, 1, 2, 3, 4, 5);
        }
    }

    @Test
    void effectiveSampleSizeIsOneOverTheSumOfSquaredWeights() {
        assertThat(Resampling.effectiveSampleSize(new double[] {0.25, 0.25, 0.25, 0.25})).isCloseTo(4, within(1e-12));
        assertThat(Resampling.effectiveSampleSize(new double[] {1, 0, 0})).isCloseTo(1, within(1e-12));
        // 1 / (0.25 + 2 x 0.0625) = 8 / 3
        assertThat(Resampling.effectiveSampleSize(new double[] {0.5, 0.25, 0.25})).isCloseTo(8.0 / 3, within(1e-12));
        // from log weights: log 2, 0, 0 normalise to 0.5, 0.25, 0.25 whatever the common offset
        double[] w = Resampling.normalise(new double[] {Math.log(2) + 700, 700, 700});
        assertThat(w).containsExactly(new double[] {0.5, 0.25, 0.25}, within(1e-12));
        // every weight 0 (a potential of -infinity everywhere) is no information: equal weights
        assertThat(Resampling.normalise(new double[] {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY}))
                .containsExactly(0.5, 0.5);
    }

    @Test
    void uniformsLieStrictlyInsideTheUnitInterval() {
        for (int i = 0; i < 10_000; i++) {
            assertThat(StepSeeds.uniform(1, 2, i)).isGreaterThan(0).isLessThan(1);
        }
    }
}

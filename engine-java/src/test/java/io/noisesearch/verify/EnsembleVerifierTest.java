package io.noisesearch.verify;

import io.noisesearch.backend.Kernels;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EnsembleVerifierTest {

    /**
     * A member that is never asked to score: the ensemble's combine works on given scores. {@code unbounded}: it
     * takes any number of rows per call, like the mixture density kernels.
     */
    private record Fixed(String name, boolean unbounded) implements Verifier {
        Fixed(String name) {
            this(name, false);
        }

        @Override
        public List<String> members() {
            return List.of(name);
        }

        @Override
        public long flopsPerSample() {
            return 1;
        }

        @Override
        public int rowsPerCall(int batchSize) {
            return unbounded ? Integer.MAX_VALUE : batchSize;
        }

        @Override
        public void score(Kernels kernels, VerifierInput input, float[][] out, int offset) {
            throw new UnsupportedOperationException();
        }
    }

    private final EnsembleVerifier ensemble = new EnsembleVerifier(List.of(new Fixed("a"), new Fixed("b")));

    @Test
    void anEnsembleScoresAsManyRowsPerCallAsItsMostLimitedMember() {
        assertThat(new EnsembleVerifier(List.of(new Fixed("a", true), new Fixed("b", true))).rowsPerCall(256))
                .isEqualTo(Integer.MAX_VALUE);
        assertThat(new EnsembleVerifier(List.of(new Fixed("a", true), new Fixed("b"))).rowsPerCall(256))
                .as("a network member keeps the batch").isEqualTo(256);
        assertThat(ensemble.rowsPerCall(7)).isEqualTo(7);
    }

    @Test
    void bestMeanRankWinsNotBestRawScore() {
        // Member a ranks 0 > 1 > 2; member b ranks 1 > 2 > 0 with a huge raw score gap it cannot exploit.
        float[][] scores = {{3f, 2f, 1f}, {-1000f, 50f, 40f}};
        float[] combined = ensemble.combine(Scores.of(scores));
        // Mean ranks: candidate 0: (1 + 3) / 2 = 2; candidate 1: (2 + 1) / 2 = 1.5; candidate 2: (3 + 2) / 2 = 2.5.
        assertThat(combined).containsExactly(-2f, -1.5f, -2.5f);
    }

    /** A member of two raw scores whose own combined score is their sum. */
    private record Pair(String name) implements Verifier {
        @Override
        public List<String> members() {
            return List.of(name + ":x", name + ":y");
        }

        @Override
        public long flopsPerSample() {
            return 1;
        }

        @Override
        public void score(Kernels kernels, VerifierInput input, float[][] out, int offset) {
            throw new UnsupportedOperationException();
        }

        @Override
        public float[] combine(Scores memberScores) {
            float[] x = memberScores.member(0);
            float[] y = memberScores.member(1);
            float[] sum = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                sum[i] = x[i] + y[i];
            }
            return sum;
        }
    }

    @Test
    void aMemberOfSeveralScoresRanksByItsOwnCombinedScore() {
        EnsembleVerifier mixed = new EnsembleVerifier(List.of(new Fixed("a"), new Pair("g")));
        assertThat(mixed.members()).containsExactly("a", "g:x", "g:y");
        assertThat(mixed.name()).isEqualTo("ensemble:a,g");
        // a ranks 0 > 1 > 2; g's sums 1, 5, 9 rank 2 > 1 > 0 (its raw y alone would rank 0 first)
        float[][] scores = {{3f, 2f, 1f}, {-9f, 4f, 9f}, {10f, 1f, 0f}};
        // mean ranks: 0: (1 + 3) / 2 = 2; 1: (2 + 2) / 2 = 2; 2: (3 + 1) / 2 = 2
        assertThat(mixed.combine(Scores.of(scores))).containsExactly(-2f, -2f, -2f);
        float[][] skewed = {{3f, 2f, 1f}, {-9f, 5f, 4f}, {10f, 1f, 0f}};
        // g's sums 1, 6, 4 rank 1 > 2 > 0: mean ranks 0: 2; 1: 1.5; 2: 2.5
        assertThat(mixed.combine(Scores.of(skewed))).containsExactly(-2f, -1.5f, -2.5f);
    }

    @Test
    void tiesAreBrokenByCandidateIndex() {
        float[][] scores = {{1f, 1f}, {5f, 5f}};
        assertThat(ensemble.combine(Scores.of(scores))).containsExactly(-1f, -2f);
    }

    @Test
    void needsTwoMembers() {
        assertThatThrownBy(() -> new EnsembleVerifier(List.of(new Fixed("a")))).hasMessageContaining("two");
        assertThat(ensemble.name()).isEqualTo("ensemble:a,b");
    }

    @Test
    void rejectsNonFiniteScores() {
        float[] scores = {1f, Float.NaN};
        assertThatThrownBy(() -> Verifier.requireFinite("oracle", scores, 0, 2)).hasMessageContaining("NaN")
                .hasMessageContaining("oracle");
    }
    @Test
    void weightsWeighTheMeanRank() {
        EnsembleVerifier weighted = new EnsembleVerifier(List.of(new Fixed("a"), new Fixed("b"), new Fixed("c")),
                new double[] {2, 1, 0.5});
        // Ranks (1 = best): a: 0, 1, 2 -> 1, 2, 3; b: 2, 1, 0 -> 3, 2, 1; c: 1, 0, 2 -> 2, 1, 3.
        float[][] scores = {{9f, 5f, 1f}, {1f, 2f, 3f}, {4f, 7f, 0f}};
        float[] combined = weighted.combine(Scores.of(scores));
        // Weighted means over 2 + 1 + 0.5 = 3.5: (2*1 + 3 + 0.5*2) / 3.5 = 6/3.5, (2*2 + 2 + 0.5*1) / 3.5 = 6.5/3.5,
        // (2*3 + 1 + 0.5*3) / 3.5 = 8.5/3.5.
        assertThat(combined).containsExactly((float) (-6 / 3.5), (float) (-6.5 / 3.5), (float) (-8.5 / 3.5));
        assertThat(Scores.argmax(combined)).isZero();
        // Unweighted, candidate 1 wins: mean ranks 6/3 = 2, 5/3, 7/3.
        assertThat(Scores.argmax(new EnsembleVerifier(List.of(new Fixed("a"), new Fixed("b"), new Fixed("c")))
                .combine(Scores.of(scores)))).isEqualTo(1);
    }

    @Test
    void equalWeightsAreThePlainMeanAndNamesShowWeightsOtherThanOne() {
        float[][] scores = {{3f, 2f, 1f}, {-1000f, 50f, 40f}};
        EnsembleVerifier twos = new EnsembleVerifier(List.of(new Fixed("a"), new Fixed("b")), new double[] {2, 2});
        assertThat(twos.combine(Scores.of(scores))).containsExactly(ensemble.combine(Scores.of(scores)));
        assertThat(twos.name()).isEqualTo("ensemble:a=2,b=2");
        assertThat(new EnsembleVerifier(List.of(new Fixed("a"), new Fixed("b")), new double[] {1, 0.5}).name())
                .isEqualTo("ensemble:a,b=0.5");
    }

    @Test
    void weightsMustBeFiniteAndPositive() {
        for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertThatThrownBy(() -> new EnsembleVerifier(List.of(new Fixed("a"), new Fixed("b")),
                    new double[] {1, bad})).hasMessageContaining("positive");
        }
    }
}

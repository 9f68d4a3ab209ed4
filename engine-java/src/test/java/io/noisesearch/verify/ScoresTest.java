package io.noisesearch.verify;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScoresTest {

    /** Two members, four candidates: member 0 scores 1 2 3 4, member 1 scores 10 20 30 40. */
    private final Scores pool = Scores.of(new float[][] {{1f, 2f, 3f, 4f}, {10f, 20f, 30f, 40f}});

    @Test
    void aPoolHasMembersByCandidates() {
        assertThat(pool.members()).isEqualTo(2);
        assertThat(pool.size()).isEqualTo(4);
        assertThat(pool.member(1)).containsExactly(10f, 20f, 30f, 40f);
        assertThat(pool.column(2)).containsExactly(3f, 30f);
    }

    @Test
    void argmaxTakesTheHighestScoreAndTiesGoToTheLowestIndex() {
        assertThat(Scores.argmax(new float[] {1f, 5f, 2f})).isEqualTo(1);
        assertThat(Scores.argmax(new float[] {3f, 7f, 7f, 7f})).isEqualTo(1);
        assertThat(Scores.argmax(new float[] {-2f, -2f})).isEqualTo(0);
        assertThat(Scores.argmax(new float[] {-5f})).isEqualTo(0);
    }

    @Test
    void rankOrderRunsFromBestToWorstWithTiesByIndex() {
        assertThat(Scores.rankOrder(new float[] {2f, 9f, 2f, -1f, 9f})).containsExactly(1, 4, 0, 2, 3);
    }

    @Test
    void topKeepsTheNBestBestFirstWithTiesByIndex() {
        float[] scores = {0.5f, 3f, 1f, 3f, 2f};
        assertThat(Scores.top(scores, 3)).containsExactly(1, 3, 4);
        assertThat(Scores.top(scores, 1)).containsExactly(Scores.argmax(scores));
        assertThat(Scores.top(scores, 5)).containsExactly(Scores.rankOrder(scores));
        assertThat(Scores.top(scores, 0)).isEmpty();
        assertThatThrownBy(() -> Scores.top(scores, 6)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void selectTakesTheGivenCandidatesInTheGivenOrder() {
        Scores selected = pool.select(3, 0, 3);
        assertThat(selected.members()).isEqualTo(2);
        assertThat(selected.size()).isEqualTo(3);
        assertThat(selected.member(0)).containsExactly(4f, 1f, 4f);
        assertThat(selected.member(1)).containsExactly(40f, 10f, 40f);
        assertThat(pool.select(2).column(0)).containsExactly(pool.column(2));
    }

    @Test
    void concatPutsThisPoolFirstThenTheOther() {
        Scores pivot = pool.select(1);
        Scores joined = pivot.concat(pool);
        assertThat(joined.size()).isEqualTo(5);
        assertThat(joined.member(0)).containsExactly(2f, 1f, 2f, 3f, 4f);
        assertThat(joined.member(1)).containsExactly(20f, 10f, 20f, 30f, 40f);
        assertThatThrownBy(() -> pivot.concat(Scores.of(new float[][] {{1f}})))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void scoresAreCopiedInAndOut() {
        float[][] raw = {{1f, 2f}};
        Scores scores = Scores.of(raw);
        raw[0][0] = 99f;
        scores.member(0)[1] = 99f;
        scores.column(0)[0] = 99f;
        assertThat(scores.member(0)).containsExactly(1f, 2f);
    }

    @Test
    void everyMemberScoresTheSameCandidates() {
        assertThatThrownBy(() -> Scores.of(new float[][] {{1f, 2f}, {3f}}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("member 1");
        assertThatThrownBy(() -> Scores.of(new float[0][])).isInstanceOf(IllegalArgumentException.class);
    }
}

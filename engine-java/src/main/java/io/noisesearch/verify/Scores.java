package io.noisesearch.verify;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * The raw member scores of a pool of candidates, members x candidates, as a verifier wrote them; immutable.
 * Combining them into one score per candidate is the verifier's ({@link Verifier#combine}); the static helpers
 * order such combined scores, with ties always going to the lowest index so that searches are deterministic.
 */
public final class Scores {

    private final float[][] scores;

    private Scores(float[][] scores) {
        this.scores = scores;
    }

    /** A copy of {@code memberScores[member][candidate]}: at least one member, each with the same candidates. */
    public static Scores of(float[][] memberScores) {
        if (memberScores.length == 0) {
            throw new IllegalArgumentException("scores need at least one member");
        }
        float[][] copy = new float[memberScores.length][];
        for (int m = 0; m < memberScores.length; m++) {
            if (memberScores[m].length != memberScores[0].length) {
                throw new IllegalArgumentException("member " + m + " scores " + memberScores[m].length
                        + " candidates, member 0 scores " + memberScores[0].length);
            }
            copy[m] = memberScores[m].clone();
        }
        return new Scores(copy);
    }

    /** The number of members. */
    public int members() {
        return scores.length;
    }

    /** The number of candidates. */
    public int size() {
        return scores[0].length;
    }

    /** One member's scores of every candidate. */
    public float[] member(int member) {
        return scores[member].clone();
    }

    /** One candidate's score from every member. */
    public float[] column(int candidate) {
        float[] column = new float[scores.length];
        for (int m = 0; m < scores.length; m++) {
            column[m] = scores[m][candidate];
        }
        return column;
    }

    /** Members {@code from} .. {@code from + count - 1} of the pool (an ensemble member's own raw scores). */
    public Scores members(int from, int count) {
        if (from < 0 || count < 1 || from + count > scores.length) {
            throw new IllegalArgumentException("members " + from + ".." + (from + count - 1) + " of " + scores.length);
        }
        return new Scores(Arrays.copyOfRange(scores, from, from + count));
    }

    /** The pool of the given candidates, in the given order. */
    public Scores select(int... candidates) {
        float[][] selected = new float[scores.length][candidates.length];
        for (int m = 0; m < scores.length; m++) {
            for (int i = 0; i < candidates.length; i++) {
                selected[m][i] = scores[m][candidates[i]];
            }
        }
        return new Scores(selected);
    }

    /** This pool's candidates followed by {@code next}'s, for the same members. */
    public Scores concat(Scores next) {
        if (next.members() != members()) {
            throw new IllegalArgumentException("pools of " + members() + " and " + next.members() + " members");
        }
        float[][] joined = new float[scores.length][];
        for (int m = 0; m < scores.length; m++) {
            joined[m] = Arrays.copyOf(scores[m], size() + next.size());
            System.arraycopy(next.scores[m], 0, joined[m], size(), next.size());
        }
        return new Scores(joined);
    }

    /** The index of the highest score; ties go to the lowest index. */
    public static int argmax(float[] scores) {
        int best = 0;
        for (int i = 1; i < scores.length; i++) {
            if (scores[i] > scores[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Candidate indices from best to worst score; ties go to the lowest index. */
    public static int[] rankOrder(float[] scores) {
        return IntStream.range(0, scores.length).boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> -scores[i]).thenComparingInt(i -> i))
                .mapToInt(Integer::intValue).toArray();
    }

    /** The {@code n} best candidates, best first: the head of {@link #rankOrder}. */
    public static int[] top(float[] scores, int n) {
        if (n < 0 || n > scores.length) {
            throw new IllegalArgumentException("the top " + n + " of " + scores.length + " candidates");
        }
        return Arrays.copyOf(rankOrder(scores), n);
    }
}

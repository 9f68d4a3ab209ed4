package io.noisesearch.search;

/**
 * A request's stopping rules, read on every candidate the search scores (an evaluation), in the order it scores them:
 * stop once a score reaches {@code targetScore} (NaN: no target), or once {@code patience} evaluations in a row have
 * not improved on the reference score by more than {@code margin} (0: no plateau rule). The reference is the score
 * of the last evaluation that improved (the first evaluation always does), as early stopping with a minimum delta.
 * A rule that fires stops the search at its next batch boundary, as a budget that ends there would.
 *
 * @param targetScore the score that ends the search (finite), or NaN for none
 * @param patience    evaluations without improvement that end it, or 0 for no plateau rule
 * @param margin      how much an evaluation must beat the reference by to count as an improvement (at least 0)
 */
public record StopRules(double targetScore, int patience, double margin) {

    public static final StopRules NONE = new StopRules(Double.NaN, 0, 0);

    public StopRules {
        if (Double.isInfinite(targetScore)) {
            throw new IllegalArgumentException("--stop-at-score must be a finite score, got " + targetScore);
        }
        if (patience < 0) {
            throw new IllegalArgumentException("--stop-patience must be at least 1, got " + patience);
        }
        if (!(margin >= 0 && Double.isFinite(margin))) {
            throw new IllegalArgumentException("--stop-margin must be a finite number at least 0, got " + margin);
        }
        if (patience == 0 && margin != 0) {
            throw new IllegalArgumentException("--stop-margin " + margin + " needs --stop-patience");
        }
    }

    /** Whether any rule is set. */
    public boolean any() {
        return !Double.isNaN(targetScore) || patience > 0;
    }

    /** A fresh tracker of one search's evaluations. */
    public Tracker tracker() {
        return new Tracker(this);
    }

    /** The rules' state over one search's evaluations, fed one score at a time. */
    public static final class Tracker {

        private final StopRules rules;
        private long evaluations;
        private double reference = Double.NaN;
        private long sinceImprovement;
        private StopReason fired;
        private long firedAt = -1;

        private Tracker(StopRules rules) {
            this.rules = rules;
        }

        /** Reads the next evaluation's score; returns the rule that fired at it (null: none, or one fired before). */
        public StopReason observe(float score) {
            long index = evaluations++;
            if (fired != null) {
                return null;
            }
            if (!Double.isNaN(rules.targetScore) && score >= rules.targetScore) {
                return fire(StopReason.TARGET, index);
            }
            if (rules.patience > 0) {
                if (Double.isNaN(reference) || score > reference + rules.margin) {
                    reference = score;
                    sinceImprovement = 0;
                } else if (++sinceImprovement >= rules.patience) {
                    return fire(StopReason.PLATEAU, index);
                }
            }
            return null;
        }

        private StopReason fire(StopReason reason, long index) {
            fired = reason;
            firedAt = index;
            return reason;
        }

        /** The rule that fired, or null. */
        public StopReason fired() {
            return fired;
        }

        /** The 0-based evaluation at which a rule fired, or -1. */
        public long firedAt() {
            return firedAt;
        }

        /** Evaluations read so far. */
        public long evaluations() {
            return evaluations;
        }
    }
}

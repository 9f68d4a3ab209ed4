package io.noisesearch.schedule;

/** A solver and its number of steps over the full time range [1, 0]. */
public record SolverSettings(SolverKind kind, int steps) {

    public SolverSettings {
        if (kind == null) {
            throw new IllegalArgumentException("solver kind is required");
        }
        if (steps < 1) {
            throw new IllegalArgumentException("solver steps must be at least 1, got " + steps);
        }
    }

    /** NFEs of one step from t to tNext: Heun evaluates twice, except on the step that ends at t = 0. */
    public int nfeOfStep(double tNext) {
        return kind == SolverKind.HEUN && tNext > 0 ? 2 : 1;
    }

    /** NFEs of one sample over a time grid (times[0] -> times[last]). */
    public int nfe(double[] times) {
        int nfe = 0;
        for (int i = 1; i < times.length; i++) {
            nfe += nfeOfStep(times[i]);
        }
        return nfe;
    }

    /** NFEs of a full solve from noise to data: steps, or 2 steps - 1 for Heun. */
    public int fullNfe() {
        return kind == SolverKind.HEUN ? 2 * steps - 1 : steps;
    }

    /** For people: "heun x10", as in the demo's configurations and summary.json. */
    @Override
    public String toString() {
        return kind.id() + " x" + steps;
    }
}

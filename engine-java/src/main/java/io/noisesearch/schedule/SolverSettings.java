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

    /** NFEs of one sample over a time grid (times[0] -> times[last]). */
    public long nfe(double[] times) {
        return nfe(times.length - 1, times[times.length - 1]);
    }

    /**
     * NFEs of one sample over a descending grid of {@code steps} steps that ends at {@code tEnd}, without building
     * the grid. Heun evaluates twice a step, except on the step that ends at t = 0 (only a grid's last step can).
     */
    public long nfe(int steps, double tEnd) {
        return kind == SolverKind.HEUN ? 2L * steps - (tEnd > 0 ? 0 : 1) : steps;
    }

    /** NFEs of a full solve from noise to data: steps, or 2 steps - 1 for Heun. */
    public long fullNfe() {
        return nfe(steps, 0);
    }

    /** For people: "heun x10", as in the demo's configurations and summary.json. */
    @Override
    public String toString() {
        return kind.id() + " x" + steps;
    }
}

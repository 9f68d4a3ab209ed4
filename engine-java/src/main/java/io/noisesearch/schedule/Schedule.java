package io.noisesearch.schedule;

/**
 * A noising schedule x_t = alpha(t) x0 + sigma(t) eps on t in [0, 1] (t = 1 is pure noise for rectified flow,
 * nearly so for VP). Time grids are uniform in a grid parameter u in [0, 1] that {@link #timeOf} maps to t;
 * search levels (search start, forward and backward steps) are given in u as well.
 */
public sealed interface Schedule permits RectifiedFlow, VariancePreserving {

    Coefficients at(double t);

    /** The time of grid parameter u (monotone, timeOf(0) = 0, timeOf(1) = 1). */
    double timeOf(double u);

    /** The exact forward transition from time t to a noisier time t2: x_t2 = a x_t + s z. */
    Transition forward(double t, double t2);

    /** A short name for traces and reports, e.g. "rectified-flow(shift=1.0)". */
    String describe();

    /** Coefficients of x' = a x + s z. */
    record Transition(float a, float s) {
    }

    /** Times from grid parameter {@code uFrom} down to {@code uTo} in {@code steps} uniform steps of u. */
    default double[] grid(double uFrom, double uTo, int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("a time grid needs at least one step, got " + steps);
        }
        double[] times = new double[steps + 1];
        for (int i = 0; i <= steps; i++) {
            double u = i == steps ? uTo : uFrom + (uTo - uFrom) * i / steps;
            times[i] = timeOf(u);
        }
        return times;
    }
}

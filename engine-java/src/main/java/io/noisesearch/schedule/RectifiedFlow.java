package io.noisesearch.schedule;

/**
 * The rectified-flow interpolant x_t = (1 - t) x0 + t eps, velocity v = eps - x0. With a timestep shift s
 * (FLUX, SD3) the grid is warped to t = s u / (1 + (s - 1) u), which spends more steps at high noise for s > 1.
 */
public record RectifiedFlow(double shift) implements Schedule {

    public RectifiedFlow {
        if (!(shift > 0) || Double.isInfinite(shift)) {
            throw new IllegalArgumentException("timestep shift must be positive and finite, got " + shift);
        }
    }

    @Override
    public Coefficients at(double t) {
        return new Coefficients((float) (1 - t), (float) t, -1f, 1f);
    }

    @Override
    public double timeOf(double u) {
        return shift * u / (1 + (shift - 1) * u);
    }

    /** From x_t to x_t2 (t2 > t): a = (1 - t2)/(1 - t) keeps the signal, s tops the noise up to t2^2. */
    @Override
    public Transition forward(double t, double t2) {
        checkForward(t, t2);
        double a = (1 - t2) / (1 - t);
        double s = Math.sqrt(Math.max(0, t2 * t2 - a * a * t * t));
        return new Transition((float) a, (float) s);
    }

    static void checkForward(double t, double t2) {
        if (!(t >= 0 && t2 >= t && t < 1 && t2 <= 1)) {
            throw new IllegalArgumentException("forward noising needs 0 <= t <= t2 <= 1 and t < 1, got t=" + t
                    + ", t2=" + t2);
        }
    }

    @Override
    public String describe() {
        return "rectified-flow(shift=" + shift + ")";
    }
}

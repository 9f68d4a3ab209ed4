package io.noisesearch.noise;

/**
 * The standard normal distribution in double precision, independent of the transform under test: Phi through
 * erfc, with the Maclaurin series of erf below 2 and the Laplace continued fraction of erfc above (both converge
 * to ~1e-15 relative there), and the quantile by bisection on Phi.
 */
public final class StandardNormal {

    private static final double SQRT_PI = Math.sqrt(Math.PI);

    private StandardNormal() {
    }

    public static double cdf(double x) {
        return x < 0 ? 0.5 * erfc(-x / Math.sqrt(2)) : 1 - 0.5 * erfc(x / Math.sqrt(2));
    }

    /** Phi^-1(p) for p in (0, 1/2], to double precision. */
    public static double lowerQuantile(double p) {
        double lo = -40;
        double hi = 0;
        for (int i = 0; i < 200 && hi - lo > 1e-15; i++) {
            double mid = 0.5 * (lo + hi);
            if (cdf(mid) < p) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return 0.5 * (lo + hi);
    }

    /** erfc(y) for y >= 0. */
    static double erfc(double y) {
        return y < 2 ? 1 - erfSeries(y) : erfcContinuedFraction(y);
    }

    /** erf(y) = 2/sqrt(pi) sum_n (-1)^n y^(2n+1) / (n! (2n+1)). */
    private static double erfSeries(double y) {
        double term = y;
        double sum = y;
        for (int n = 1; n < 200 && Math.abs(term) > 1e-18; n++) {
            term *= -y * y / n;
            sum += term / (2 * n + 1);
        }
        return 2 / SQRT_PI * sum;
    }

    /** erfc(y) = exp(-y^2)/sqrt(pi) / (y + (1/2)/(y + 1/(y + (3/2)/(y + ...)))), evaluated from the tail. */
    private static double erfcContinuedFraction(double y) {
        double f = y;
        for (int n = 200; n >= 1; n--) {
            f = y + (n / 2.0) / f;
        }
        return Math.exp(-y * y) / SQRT_PI / f;
    }
}

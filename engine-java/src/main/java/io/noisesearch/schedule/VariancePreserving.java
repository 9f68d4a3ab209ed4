package io.noisesearch.schedule;

/**
 * The VP (DDPM) schedule: alpha = sqrt(abar), sigma = sqrt(1 - abar), with abar the cumulative product of
 * (1 - beta_i) over T = 1000 discrete steps. Continuous time t = i / T interpolates log abar linearly between
 * the discrete steps, so every grid (DDIM included) sees the exact DDPM values at t = i / T.
 */
public record VariancePreserving(Betas betas) implements Schedule {

    public static final int STEPS = 1000;

    public enum Betas {
        /** DDPM: beta from 1e-4 to 0.02 linearly. */
        LINEAR,
        /** Nichol and Dhariwal: abar = cos^2(((t + 0.008) / 1.008) pi / 2), betas clipped at 0.999. */
        COSINE
    }

    private static final double[] LINEAR_LOG_ABAR = logAbar(Betas.LINEAR);
    private static final double[] COSINE_LOG_ABAR = logAbar(Betas.COSINE);

    public VariancePreserving {
        if (betas == null) {
            throw new IllegalArgumentException("VP schedule needs a beta schedule");
        }
    }

    private static double[] logAbar(Betas kind) {
        double[] logAbar = new double[STEPS + 1];
        for (int i = 1; i <= STEPS; i++) {
            logAbar[i] = logAbar[i - 1] + Math.log1p(-beta(kind, i));
        }
        return logAbar;
    }

    private static double beta(Betas kind, int i) {
        return switch (kind) {
            case LINEAR -> 1e-4 + (0.02 - 1e-4) * (i - 1) / (STEPS - 1);
            case COSINE -> Math.min(0.999, 1 - cosineAbar((double) i / STEPS) / cosineAbar((double) (i - 1) / STEPS));
        };
    }

    private static double cosineAbar(double t) {
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    private double[] table() {
        return betas == Betas.LINEAR ? LINEAR_LOG_ABAR : COSINE_LOG_ABAR;
    }

    /** log abar(t) and its slope on the segment that holds t. */
    private double[] logAbarAndSlope(double t) {
        if (!(t >= 0 && t <= 1)) {
            throw new IllegalArgumentException("time must lie in [0, 1], got " + t);
        }
        double[] table = table();
        double pos = t * STEPS;
        int i = Math.min((int) Math.floor(pos), STEPS - 1);
        double slope = (table[i + 1] - table[i]) * STEPS;
        return new double[] {table[i] + (table[i + 1] - table[i]) * (pos - i), slope};
    }

    public double abar(double t) {
        return Math.exp(logAbarAndSlope(t)[0]);
    }

    /** alpha = exp(l/2), sigma = sqrt(1 - exp(l)); their t-derivatives follow from dl/dt. */
    @Override
    public Coefficients at(double t) {
        double[] ls = logAbarAndSlope(t);
        double abar = Math.exp(ls[0]);
        double alpha = Math.sqrt(abar);
        double sigma = Math.sqrt(Math.max(0, 1 - abar));
        double dalpha = 0.5 * alpha * ls[1];
        double dsigma = sigma > 0 ? -0.5 * abar * ls[1] / sigma : Double.POSITIVE_INFINITY;
        return new Coefficients((float) alpha, (float) sigma, (float) dalpha, (float) dsigma);
    }

    @Override
    public double timeOf(double u) {
        return u;
    }

    /** x_t2 = sqrt(abar2/abar) x_t + sqrt(1 - abar2/abar) z: the DDPM transition between any two times. */
    @Override
    public Transition forward(double t, double t2) {
        if (!(t >= 0 && t2 >= t && t2 <= 1)) {
            throw new IllegalArgumentException("forward noising needs 0 <= t <= t2 <= 1, got t=" + t + ", t2=" + t2);
        }
        double ratio = Math.exp(logAbarAndSlope(t2)[0] - logAbarAndSlope(t)[0]);
        return new Transition((float) Math.sqrt(ratio), (float) Math.sqrt(1 - ratio));
    }

    @Override
    public String describe() {
        return "vp(" + betas.name().toLowerCase() + ")";
    }
}

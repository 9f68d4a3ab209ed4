package io.noisesearch.schedule;

/**
 * A solver, its number of steps over the full time range [1, 0] and its noise: the noise scale S of euler-sde, the
 * eta of ddim (0 for the other solvers; ddpm's eta is 1 by definition).
 */
public record SolverSettings(SolverKind kind, int steps, double noise) {

    /** euler-sde's noise scale when none is given. */
    public static final double DEFAULT_NOISE_SCALE = 1.0;

    public SolverSettings {
        if (kind == null) {
            throw new IllegalArgumentException("solver kind is required");
        }
        if (steps < 1) {
            throw new IllegalArgumentException("solver steps must be at least 1, got " + steps);
        }
        String option = kind.noiseOption();
        if (option == null && noise != 0) {
            throw new IllegalArgumentException("--noise-scale and --eta: solver " + kind.id() + " takes no noise, got "
                    + noise);
        }
        if (kind == SolverKind.EULER_SDE && !(noise >= 0 && noise <= 100)) {
            throw new IllegalArgumentException("--noise-scale must lie in [0, 100], got " + noise);
        }
        if (kind == SolverKind.DDIM && !(noise >= 0 && noise <= 1)) {
            throw new IllegalArgumentException("--eta must lie in [0, 1], got " + noise);
        }
    }

    /** The solver with its default noise: S = 1 for euler-sde, eta = 0 for ddim. */
    public SolverSettings(SolverKind kind, int steps) {
        this(kind, steps, kind == SolverKind.EULER_SDE ? DEFAULT_NOISE_SCALE : 0);
    }

    /**
     * Whether a solve draws fresh noise at its steps (ddpm; euler-sde and ddim with a positive noise). At noise 0
     * euler-sde is Euler and ddim is deterministic DDIM, call for call.
     */
    public boolean stochastic() {
        return kind == SolverKind.DDPM || noise > 0;
    }

    /** The same solver with another number of steps. */
    public SolverSettings withSteps(int count) {
        return new SolverSettings(kind, count, noise);
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

    /** The solver's name with its noise where it has one: "euler-sde@0.5", "ddim@0.3", "heun". */
    public String tag() {
        return kind.noiseOption() == null || (kind == SolverKind.DDIM && noise == 0) ? kind.id() : kind.id() + "@" + noise;
    }

    /** The settings {@link #tag()} names, with {@code steps} steps. */
    public static SolverSettings parseTag(String tag, int steps) {
        int at = tag.indexOf('@');
        if (at < 0) {
            return new SolverSettings(SolverKind.parse(tag), steps);
        }
        return new SolverSettings(SolverKind.parse(tag.substring(0, at)), steps,
                Double.parseDouble(tag.substring(at + 1)));
    }

    /** For people: "heun x10", "euler-sde x10 noise 0.5", "ddim x20 eta 0.3". */
    @Override
    public String toString() {
        String base = kind.id() + " x" + steps;
        return switch (kind) {
            case EULER_SDE -> base + " noise " + noise;
            case DDIM -> noise > 0 ? base + " eta " + noise : base;
            default -> base;
        };
    }
}

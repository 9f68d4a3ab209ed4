package io.noisesearch.schedule;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The solvers of the engine: the probability-flow ODE's and the stochastic samplers with the same marginals. */
public enum SolverKind {
    /** First order: x' = x + dt v. */
    EULER,
    /** Second order (Heun / EDM): Euler predictor, trapezoidal corrector; no corrector on a step that ends at t = 0. */
    HEUN,
    /** DDIM: x' = alpha' x0 + sigma' eps from the model's (x0, eps); with eta > 0 part of sigma' eps is fresh noise. */
    DDIM,
    /** Euler-Maruyama of the reverse SDE with the ODE's marginals, noise scale S (docs/architecture.md, solvers). */
    EULER_SDE,
    /** DDPM ancestral sampling: DDIM with eta = 1, each step drawn from the posterior q(x_t' | x_t, x0). */
    DDPM;

    /** The command-line name: euler, heun, ddim, euler-sde, ddpm. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Whether the solver draws fresh noise at its steps (at a positive noise scale or eta). */
    public boolean stochastic() {
        return this == EULER_SDE || this == DDPM;
    }

    /** The option that sets this solver's noise, or null: --noise-scale (euler-sde), --eta (ddim). */
    public String noiseOption() {
        return switch (this) {
            case EULER_SDE -> "--noise-scale";
            case DDIM -> "--eta";
            default -> null;
        };
    }

    public static SolverKind parse(String text) {
        for (SolverKind kind : values()) {
            if (kind.id().equalsIgnoreCase(text)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown solver '" + text + "' (expected one of "
                + Arrays.stream(values()).map(SolverKind::id).collect(Collectors.joining(", ")) + ")");
    }
}

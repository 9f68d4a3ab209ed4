package io.noisesearch.schedule;

import java.util.Locale;

/** The ODE solvers of the engine. */
public enum SolverKind {
    /** First order: x' = x + dt v. */
    EULER,
    /** Second order (Heun / EDM): Euler predictor, trapezoidal corrector; no corrector on a step that ends at t = 0. */
    HEUN,
    /** DDIM with eta = 0: x' = alpha' x0 + sigma' eps from the model's (x0, eps). */
    DDIM;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static SolverKind parse(String text) {
        for (SolverKind kind : values()) {
            if (kind.id().equalsIgnoreCase(text)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown solver '" + text + "' (expected euler, heun or ddim)");
    }
}

package io.noisesearch.profile;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;

/**
 * A solver as a sweep names it: a kind, a number of steps and a noise (euler-sde's noise scale, ddim's eta), each
 * null where the sweep leaves it to the default (the model's solver for the final sample, the final solver for the
 * search; the kind's default noise). Written as "euler x10", "default x10", "euler", "default", and with a noise
 * "euler-sde x10 noise 0.5" or "ddim eta 0.3" (without one as before, so configurations keep their ids).
 */
public record SolverChoice(SolverKind kind, Integer steps, Double noise) {

    public static final SolverChoice DEFAULT = new SolverChoice(null, null);
    private static final String UNSET = "default";
    private static final String NOISE = " noise ";
    private static final String ETA = " eta ";

    public SolverChoice {
        if (noise != null && (kind == null || kind.noiseOption() == null)) {
            throw new IllegalArgumentException("a noise of " + noise + " for solver " + kind + ", which takes none");
        }
    }

    public SolverChoice(SolverKind kind, Integer steps) {
        this(kind, steps, null);
    }

    /** This choice with the sweep's noise axes applied: the noise scale to euler-sde, eta to ddim (null: unset). */
    public SolverChoice withNoise(Double noiseScale, Double eta) {
        Double given = kind == SolverKind.EULER_SDE ? noiseScale : kind == SolverKind.DDIM ? eta : null;
        return given == null ? this : new SolverChoice(kind, steps, given);
    }

    /**
     * The settings this choice makes of {@code fallback}: the parts it names replace the fallback's; a choice without
     * a kind takes the fallback's kind with its noise, one with a kind its own noise or that kind's default.
     */
    public SolverSettings resolve(SolverSettings fallback) {
        int count = steps != null ? steps : fallback.steps();
        if (kind == null) {
            return fallback.withSteps(count);
        }
        return noise != null ? new SolverSettings(kind, count, noise) : new SolverSettings(kind, count);
    }

    @JsonValue
    @Override
    public String toString() {
        String base = (kind == null ? UNSET : kind.id()) + (steps == null ? "" : " x" + steps);
        return noise == null ? base : base + (kind == SolverKind.DDIM ? ETA : NOISE) + noise;
    }

    @JsonCreator
    public static SolverChoice parse(String text) {
        String rest = text.strip();
        Double noise = null;
        for (String label : new String[] {NOISE, ETA}) {
            int at = rest.indexOf(label);
            if (at >= 0) {
                noise = Double.valueOf(rest.substring(at + label.length()));
                rest = rest.substring(0, at);
            }
        }
        String[] parts = rest.split(" x", 2);
        SolverKind kind = parts[0].equals(UNSET) ? null : SolverKind.parse(parts[0]);
        return new SolverChoice(kind, parts.length == 2 ? Integer.valueOf(parts[1]) : null, noise);
    }
}

package io.noisesearch.profile;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;

/**
 * A solver as a sweep names it: a kind and a number of steps, each null where the sweep leaves it to the default
 * (the model's solver for the final sample, the final solver for the search). Written as "euler x10", "default x10",
 * "euler" or "default".
 */
public record SolverChoice(SolverKind kind, Integer steps) {

    public static final SolverChoice DEFAULT = new SolverChoice(null, null);
    private static final String UNSET = "default";

    /** The settings this choice makes of {@code fallback}: the parts it names replace the fallback's. */
    public SolverSettings resolve(SolverSettings fallback) {
        return new SolverSettings(kind != null ? kind : fallback.kind(), steps != null ? steps : fallback.steps());
    }

    @JsonValue
    @Override
    public String toString() {
        return (kind == null ? UNSET : kind.id()) + (steps == null ? "" : " x" + steps);
    }

    @JsonCreator
    public static SolverChoice parse(String text) {
        String[] parts = text.strip().split(" x", 2);
        SolverKind kind = parts[0].equals(UNSET) ? null : SolverKind.parse(parts[0]);
        return new SolverChoice(kind, parts.length == 2 ? Integer.valueOf(parts[1]) : null);
    }
}

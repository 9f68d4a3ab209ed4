package io.noisesearch.profile;

import io.noisesearch.search.Algorithms;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One entry of a sweep's algorithms: the algorithm, each of its hyperparameters an axis (every one present, the
 * defaults filled in), and the solver and budget axes the entry sets for itself.
 */
public record AlgorithmAxes(String name, Map<String, List<Object>> parameters, Axes axes) {

    /**
     * A hyperparameter as a sweep names it: whole number or real, and its default (null: none). A value is a number,
     * for prune's {@code pruneAt} and beam's {@code beamAt} a list of levels, for evolution's {@code population} a
     * list of sizes, for smc's {@code potential} and {@code resampling} and beam's {@code beamMode} and
     * {@code beamExpand} a name. A default of null leaves the key out of configurations that do not set it (beam's
     * {@code beamExpand} is neighbour then), so their ids stay as they were.
     */
    public record Parameter(String name, boolean integer, Object defaultValue) {
    }

    /**
     * Each algorithm's hyperparameters in PAPER.md's order (random N; zero-order N, K, c or lambda; paths N, M, sigma,
     * df, db, L; prune N, the cut levels, the keep factor; smc K, potential, lambda, scheme, k, tau, window; beam B, k,
     * levels, c, mode, threshold; evolution P, G, E, c_start, c_end; gradient R, K, the step's cosine), with the
     * defaults of the search command.
     */
    public static final Map<String, List<Parameter>> PARAMETERS = Map.of(
            "none", List.of(),
            "random", List.of(new Parameter("candidates", true, 16)),
            "zero-order", List.of(new Parameter("neighbours", true, 16), new Parameter("iterations", true, 4),
                    new Parameter("cosine", false, 0.95), new Parameter("lambda", false, null)),
            "paths", List.of(new Parameter("paths", true, 16), new Parameter("width", true, 2),
                    new Parameter("searchStart", false, 0.4), new Parameter("forwardStep", false, 0.05),
                    new Parameter("backwardStep", false, 0.1), new Parameter("pathLength", true, 2)),
            "prune", List.of(new Parameter("candidates", true, 16), new Parameter("pruneAt", false, List.of(0.7, 0.4)),
                    new Parameter("keep", true, 4)),
            "smc", List.of(new Parameter("particles", true, Algorithms.Smc.DEFAULT.particles()),
                    new Parameter("potential", false, Algorithms.Smc.DEFAULT.potential()),
                    new Parameter("smcLambda", false, Algorithms.Smc.DEFAULT.lambda()),
                    new Parameter("resampling", false, Algorithms.Smc.DEFAULT.resampling()),
                    new Parameter("resampleEvery", true, Algorithms.Smc.DEFAULT.every()),
                    new Parameter("essThreshold", false, Algorithms.Smc.DEFAULT.essThreshold()),
                    new Parameter("steerFrom", false, Algorithms.Smc.DEFAULT.windowFrom()),
                    new Parameter("steerTo", false, Algorithms.Smc.DEFAULT.windowTo())),
            "beam", List.of(new Parameter("beamWidth", true, 4), new Parameter("beamChildren", true, 4),
                    new Parameter("beamAt", false, List.of(0.75, 0.5, 0.25)), new Parameter("beamCosine", false, 0.95),
                    new Parameter("beamMode", false, "bfs"), new Parameter("beamThreshold", false, null),
                    new Parameter("beamExpand", false, null)),
            "evolution", List.of(new Parameter("population", true, List.of(8)), new Parameter("generations", true, 3),
                    new Parameter("elites", true, 2), new Parameter("evoCosineStart", false, 0.9),
                    new Parameter("evoCosineEnd", false, 0.98), new Parameter("evoAt", false, null)),
            "gradient", List.of(new Parameter("candidates", true, 16), new Parameter("iterations", true, 4),
                    new Parameter("stepCosine", false, Algorithms.Gradient.DEFAULT.stepCosine())));

    public AlgorithmAxes {
        Map<String, List<Object>> copy = new LinkedHashMap<>();
        parameters.forEach((key, values) -> copy.put(key, List.copyOf(values)));
        parameters = Collections.unmodifiableMap(copy);
    }

    /** Every combination of the hyperparameters' values, in the order of {@link #parameters}, the last fastest. */
    public List<Map<String, Object>> combinations() {
        List<Map<String, Object>> combinations = List.of(Map.of());
        for (Map.Entry<String, List<Object>> axis : parameters.entrySet()) {
            List<Map<String, Object>> next = new ArrayList<>();
            for (Map<String, Object> partial : combinations) {
                for (Object value : axis.getValue()) {
                    Map<String, Object> combination = new LinkedHashMap<>(partial);
                    combination.put(axis.getKey(), value);
                    next.add(combination);
                }
            }
            combinations = next;
        }
        return combinations;
    }
}

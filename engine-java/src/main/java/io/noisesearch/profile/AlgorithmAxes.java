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
     * or for prune's {@code pruneAt} a list of levels.
     */
    public record Parameter(String name, boolean integer, Object defaultValue) {
    }

    /**
     * Each algorithm's hyperparameters in PAPER.md's order (random N; zero-order N, K, c or lambda; paths N, M, sigma,
     * df, db, L; prune N, the cut levels, the keep factor; gradient R, K, the step's cosine), with the defaults of the
     * search command.
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

package io.noisesearch.profile;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One entry of a sweep's algorithms: the algorithm, each of its hyperparameters an axis (every one present, the
 * defaults filled in), and the solver and budget axes the entry sets for itself.
 */
public record AlgorithmAxes(String name, Map<String, List<Number>> parameters, Axes axes) {

    /** A hyperparameter as a sweep names it: whole number or real, and its default (null: none). */
    public record Parameter(String name, boolean integer, Number defaultValue) {
    }

    /**
     * Each algorithm's hyperparameters in PAPER.md's order (random N; zero-order N, K, c or lambda; paths N, M, sigma,
     * df, db, L), with the defaults of the search command.
     */
    public static final Map<String, List<Parameter>> PARAMETERS = Map.of(
            "none", List.of(),
            "random", List.of(new Parameter("candidates", true, 16)),
            "zero-order", List.of(new Parameter("neighbours", true, 16), new Parameter("iterations", true, 4),
                    new Parameter("cosine", false, 0.95), new Parameter("lambda", false, null)),
            "paths", List.of(new Parameter("paths", true, 16), new Parameter("width", true, 2),
                    new Parameter("searchStart", false, 0.4), new Parameter("forwardStep", false, 0.05),
                    new Parameter("backwardStep", false, 0.1), new Parameter("pathLength", true, 2)));

    public AlgorithmAxes {
        Map<String, List<Number>> copy = new LinkedHashMap<>();
        parameters.forEach((key, values) -> copy.put(key, List.copyOf(values)));
        parameters = Collections.unmodifiableMap(copy);
    }

    /** Every combination of the hyperparameters' values, in the order of {@link #parameters}, the last fastest. */
    public List<Map<String, Number>> combinations() {
        List<Map<String, Number>> combinations = List.of(Map.of());
        for (Map.Entry<String, List<Number>> axis : parameters.entrySet()) {
            List<Map<String, Number>> next = new ArrayList<>();
            for (Map<String, Number> partial : combinations) {
                for (Number value : axis.getValue()) {
                    Map<String, Number> combination = new LinkedHashMap<>(partial);
                    combination.put(axis.getKey(), value);
                    next.add(combination);
                }
            }
            combinations = next;
        }
        return combinations;
    }
}

package io.noisesearch.profile;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.noisesearch.format.Json;
import io.noisesearch.search.Algorithms;
import io.noisesearch.search.SearchAlgorithm;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One point of a sweep: model, verifier, algorithm and its hyperparameters, the solvers, the search budget in NFEs
 * (null: none), the guidance scale (null: the model's), the evaluation set, and a search budget in the search's
 * denoiser GFLOPs per sample instead of NFEs (null: none; left out of the JSON then, so ids of configurations
 * without one stay as they were). Its id is a short hash of its canonical JSON (this record on one line), so the
 * same configuration has the same id in every sweep and run. A parameter is a number, a list of numbers (prune's
 * cut levels) or a name (smc's potential and resampling scheme).
 */
public record Configuration(String model, String verifier, String algorithm, Map<String, Object> parameters,
                            SolverChoice searchSolver, SolverChoice finalSolver, Long budgetNfe, Double guidance,
                            EvaluationSet evaluation,
                            @JsonInclude(JsonInclude.Include.NON_NULL) Double budgetGflops) {

    /** A configuration without a budget in GFLOPs. */
    public Configuration(String model, String verifier, String algorithm, Map<String, Object> parameters,
                         SolverChoice searchSolver, SolverChoice finalSolver, Long budgetNfe, Double guidance,
                         EvaluationSet evaluation) {
        this(model, verifier, algorithm, parameters, searchSolver, finalSolver, budgetNfe, guidance, evaluation, null);
    }

    /** Hex digits of the id: 48 bits, collision-free for any sweep a person writes. */
    static final int ID_LENGTH = 12;

    public Configuration {
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    public String canonicalJson() {
        return Json.line(this);
    }

    public String id() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonicalJson().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, ID_LENGTH);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** The algorithm with these hyperparameters; a parameter another algorithm reads is 0 (NaN for reals). */
    public SearchAlgorithm searchAlgorithm() {
        return Algorithms.create(algorithm, new Algorithms.Settings(integer("candidates"), integer("neighbours"),
                integer("iterations"), real("cosine"), real("lambda"), integer("paths"), integer("width"),
                real("searchStart"), real("forwardStep"), real("backwardStep"), integer("pathLength"),
                levels("pruneAt"), integer("keep"), smc(), beamEvo(),
                new Algorithms.Gradient(real("stepCosine"))));
    }

    /** Smc's hyperparameters, its defaults where the configuration has none (another algorithm's). */
    private Algorithms.Smc smc() {
        Algorithms.Smc d = Algorithms.Smc.DEFAULT;
        return new Algorithms.Smc(parameters.containsKey("particles") ? integer("particles") : d.particles(),
                parameters.get("potential") instanceof String p ? p : d.potential(),
                parameters.containsKey("smcLambda") ? real("smcLambda") : d.lambda(),
                parameters.get("resampling") instanceof String r ? r : d.resampling(),
                parameters.containsKey("resampleEvery") ? integer("resampleEvery") : d.every(),
                parameters.containsKey("essThreshold") ? real("essThreshold") : d.essThreshold(),
                parameters.containsKey("steerFrom") ? real("steerFrom") : d.windowFrom(),
                parameters.containsKey("steerTo") ? real("steerTo") : d.windowTo());
    }

    /** Beam search's and evolution's hyperparameters (those of another algorithm's configuration unused). */
    private Algorithms.BeamEvo beamEvo() {
        return new Algorithms.BeamEvo(integer("beamWidth"),
                integer("beamChildren"), levels("beamAt"), real("beamCosine"), text("beamMode"),
                real("beamThreshold"), sizes("population"), integer("generations"), integer("elites"),
                real("evoCosineStart"), real("evoCosineEnd"), text("beamExpand"), levels("evoAt"));
    }

    private String text(String name) {
        return parameters.get(name) instanceof String value ? value : null;
    }

    /** A list of sizes (or one size), or null. */
    private List<Integer> sizes(String name) {
        Object value = parameters.get(name);
        if (value instanceof Number size) {
            return List.of(size.intValue());
        }
        return value instanceof List<?> values ? values.stream().map(v -> ((Number) v).intValue()).toList() : null;
    }

    private int integer(String name) {
        return parameters.get(name) instanceof Number value ? value.intValue() : 0;
    }

    private double real(String name) {
        return parameters.get(name) instanceof Number value ? value.doubleValue() : Double.NaN;
    }

    /** A list of levels (read back from results.jsonl as whatever numbers JSON gave), or null. */
    private List<Double> levels(String name) {
        return parameters.get(name) instanceof List<?> values
                ? values.stream().map(v -> ((Number) v).doubleValue()).toList() : null;
    }

    /** The hyperparameters for people: "candidates=4", "-" for none. */
    public String parametersText() {
        if (parameters.isEmpty()) {
            return "-";
        }
        return parameters.entrySet().stream().map(e -> e.getKey() + "=" + text(e.getValue()))
                .collect(Collectors.joining(" "));
    }

    /** A list as the command line writes it: 0.7,0.4. */
    private static String text(Object value) {
        return value instanceof List<?> values
                ? values.stream().map(String::valueOf).collect(Collectors.joining(",")) : String.valueOf(value);
    }

    /** The budget for people: its NFEs, its GFLOPs ("0.5 GFLOPs"), or "-" for none. */
    public String budgetText() {
        return budgetNfe != null ? budgetNfe.toString() : budgetGflops != null ? budgetGflops + " GFLOPs" : "-";
    }

    /** One line for progress and tables: "random candidates=4 / classifier, search euler x10, final euler x25". */
    public String describe() {
        return describe(searchSolver.toString(), finalSolver.toString());
    }

    /** {@link #describe()} with the solvers the configuration resolved to on its model. */
    public String describe(String search, String last) {
        StringBuilder text = new StringBuilder(algorithm);
        if (!parameters.isEmpty()) {
            text.append(' ').append(parametersText());
        }
        text.append(" / ").append(verifier);
        if (!algorithm.equals("none")) {
            text.append(", search ").append(search);
        }
        if (!algorithm.equals("paths")) {
            text.append(", final ").append(last);
        }
        if (budgetNfe != null || budgetGflops != null) {
            text.append(", budget ").append(budgetText());
        }
        if (guidance != null && !guidance.isNaN()) {
            text.append(", cfg ").append(guidance);
        }
        return text.toString();
    }
}

package io.noisesearch.profile;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.noisesearch.InvalidRequestException;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.search.Algorithms;
import io.noisesearch.search.Resampling;
import io.noisesearch.search.BeamSearch;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.SmcSearch;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;

/**
 * Reads a sweep file (YAML, bench/sweeps/README.md) and checks it strictly: an unknown key, a missing or empty axis,
 * a value of the wrong type or out of range, an unknown algorithm or solver ends in one line that names the file and
 * the key path ({@code sweep.yaml: algorithms[1].candidates: must be at least 1, got 0}). Models and verifiers are
 * names here; {@link Profiler#check} resolves them against the engine.
 */
public final class SweepReader {

    /** Sweeps beyond this are a typo more often than a plan (each configuration is a whole evaluation set). */
    static final long MAX_CONFIGURATIONS = 10_000;
    /** The search command's bound on guidance scales: beyond it predictions are extrapolated out of any range. */
    static final double MAX_GUIDANCE = 1000;

    private static final List<String> AXIS_KEYS = List.of("searchSolver", "searchSteps", "finalSolver", "finalSteps",
            "noiseScale", "eta", "budgets", "budgetGflops");
    private static final List<String> TOP_KEYS = Stream.concat(
            Stream.of("name", "models", "verifiers", "algorithms"),
            Stream.concat(AXIS_KEYS.stream(), Stream.of("guidance", "evaluation"))).toList();
    private static final List<String> EVALUATION_KEYS = List.of("perClass", "firstSeed", "classes");
    private static final String UNLIMITED = "unlimited";
    private static final String DEFAULT = "default";

    /** Duplicate keys are an error, not "the last one wins". */
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private final String source;
    private final Overrides overrides;

    private SweepReader(String source, Overrides overrides) {
        this.source = source;
        this.overrides = overrides;
    }

    public static Sweep read(Path file) {
        return read(file, Overrides.NONE);
    }

    /** The file with the {@code --set} overrides applied, checked as one sweep. */
    public static Sweep read(Path file, Overrides overrides) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new InvalidRequestException(file + ": cannot read the sweep file (" + e + ")", e);
        }
        return parse(text, file.toString(), overrides);
    }

    /** @param source the file's name in messages */
    public static Sweep parse(String text, String source) {
        return parse(text, source, Overrides.NONE);
    }

    public static Sweep parse(String text, String source, Overrides overrides) {
        SweepReader reader = new SweepReader(source, overrides);
        return reader.sweep(reader.override(reader.tree(text)));
    }

    /** Replaces each overridden key's value by the override's, parsed as YAML, before anything is checked. */
    private JsonNode override(JsonNode root) {
        if (overrides.isEmpty()) {
            return root;
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            root = YAML.createObjectNode();
        }
        if (!root.isObject()) {
            return root;
        }
        for (Map.Entry<String, String> entry : overrides.values().entrySet()) {
            String key = entry.getKey();
            JsonNode value = value(key, entry.getValue());
            int dot = key.indexOf('.');
            if (dot < 0 && TOP_KEYS.contains(key)) {
                ((ObjectNode) root).set(key, value);
                // The budget is one axis in either unit: an override in one unit replaces the file's in the other.
                String other = key.equals("budgets") ? "budgetGflops" : key.equals("budgetGflops") ? "budgets" : null;
                if (other != null && !overrides.values().containsKey(other)) {
                    ((ObjectNode) root).remove(other);
                }
            } else if (key.startsWith("evaluation.") && EVALUATION_KEYS.contains(key.substring(dot + 1))) {
                JsonNode evaluation = root.get("evaluation");
                if (evaluation == null || evaluation.isNull()) {
                    evaluation = ((ObjectNode) root).putObject("evaluation");
                }
                mapping(evaluation, "evaluation", "the evaluation set", EVALUATION_KEYS);
                ((ObjectNode) evaluation).set(key.substring(dot + 1), value);
            } else if (key.startsWith("evaluation.")) {
                throw error(key, "unknown key for the evaluation set (expected one of "
                        + String.join(", ", EVALUATION_KEYS) + ")");
            } else {
                throw error(key, "unknown key for the sweep (expected one of " + String.join(", ", TOP_KEYS)
                        + ", or evaluation." + String.join(", evaluation.", EVALUATION_KEYS) + ")");
            }
        }
        return root;
    }

    private JsonNode value(String key, String text) {
        try {
            JsonNode value = YAML.readTree(text);
            return value == null || value.isMissingNode() ? NullNode.getInstance() : value;
        } catch (JsonProcessingException e) {
            throw error(key, "not valid YAML" + syntaxError(e));
        }
    }

    private JsonNode tree(String text) {
        try {
            return YAML.readTree(text);
        } catch (JsonProcessingException e) {
            throw new InvalidRequestException(source + ": not valid YAML" + syntaxError(e), e);
        }
    }

    /** Where and what, in one line: SnakeYAML's problem and its mark, else Jackson's first line and location. */
    private static String syntaxError(JsonProcessingException e) {
        if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
            return " at line " + (yaml.getProblemMark().getLine() + 1) + ", column "
                    + (yaml.getProblemMark().getColumn() + 1) + ": " + yaml.getProblem();
        }
        JsonLocation at = e.getLocation();
        String message = e.getOriginalMessage() == null ? e.toString() : e.getOriginalMessage();
        return (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr()) + ": "
                + message.lines().findFirst().orElse("").strip();
    }

    private Sweep sweep(JsonNode root) {
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new InvalidRequestException(source + ": the sweep is empty; name its models, verifiers and"
                    + " algorithms");
        }
        mapping(root, "", "the sweep", TOP_KEYS);
        String name = root.has("name") ? text(root.get("name"), "name") : null;
        List<String> models = axis(required(root, "models", ""), "models", this::text);
        List<String> verifiers = axis(required(root, "verifiers", ""), "verifiers", this::text);
        List<AlgorithmAxes> algorithms = algorithms(required(root, "algorithms", ""));
        List<Double> guidance = root.has("guidance") ? axis(root.get("guidance"), "guidance", this::guidance)
                : List.of();
        Axes axes = axes(root, "");
        checkNoiseAxes(axes, algorithms, root.get("algorithms"));
        Sweep sweep = new Sweep(name, models, verifiers, algorithms, axes, guidance,
                evaluation(root.get("evaluation")));
        if (sweep.upperBound() > MAX_CONFIGURATIONS) {
            throw error("", "the axes multiply to " + (sweep.upperBound() == Long.MAX_VALUE ? "too many"
                    : sweep.upperBound()) + " configurations; at most " + MAX_CONFIGURATIONS);
        }
        return sweep;
    }

    private List<AlgorithmAxes> algorithms(JsonNode node) {
        List<AlgorithmAxes> entries = new ArrayList<>();
        List<JsonNode> items = items(node, "algorithms");
        for (int i = 0; i < items.size(); i++) {
            entries.add(algorithm(items.get(i), node.isArray() ? "algorithms[" + i + "]" : "algorithms"));
        }
        return entries;
    }

    /** An entry is an algorithm's name, or a mapping with its name, hyperparameter axes and its own solver axes. */
    private AlgorithmAxes algorithm(JsonNode node, String path) {
        if (node.isTextual()) {
            return new AlgorithmAxes(algorithmName(node, path), parameters(node, path, algorithmName(node, path)),
                    Axes.NONE);
        }
        if (!node.isObject()) {
            throw error(path, "expected an algorithm's name or a mapping with its name and parameters, got "
                    + describe(node));
        }
        JsonNode nameNode = required(node, "name", path);
        String name = algorithmName(nameNode, path + ".name");
        List<String> keys = new ArrayList<>(List.of("name"));
        AlgorithmAxes.PARAMETERS.get(name).forEach(p -> keys.add(p.name()));
        keys.addAll(name.equals("none") ? List.of("finalSolver", "finalSteps", "noiseScale", "eta") : AXIS_KEYS);
        mapping(node, path, "algorithm " + name, keys);
        AlgorithmAxes entry = new AlgorithmAxes(name, parameters(node, path, name), axes(node, path));
        checkCombinations(entry, path);
        return entry;
    }

    private String algorithmName(JsonNode node, String path) {
        String name = text(node, path);
        if (!Algorithms.NAMES.contains(name)) {
            throw error(path, "unknown algorithm '" + name + "' (expected one of " + String.join(", ", Algorithms.NAMES)
                    + ")");
        }
        return name;
    }

    /** Every hyperparameter of the algorithm as an axis, the defaults where the entry does not set one. */
    private Map<String, List<Object>> parameters(JsonNode node, String path, String algorithm) {
        if (node.has("cosine") && node.has("lambda")) {
            throw error(path + ".lambda", "cosine and lambda exclude each other: give one");
        }
        Map<String, List<Object>> axes = new LinkedHashMap<>();
        for (AlgorithmAxes.Parameter p : AlgorithmAxes.PARAMETERS.get(algorithm)) {
            String key = path + "." + p.name();
            if (node.has(p.name())) {
                axes.put(p.name(), axis(node.get(p.name()), key, (n, at) -> parameter(p, n, at)));
            } else if (p.defaultValue() != null && !(p.name().equals("cosine") && node.has("lambda"))) {
                axes.put(p.name(), List.of(p.defaultValue()));
            }
        }
        return axes;
    }

    private Object parameter(AlgorithmAxes.Parameter p, JsonNode node, String path) {
        return switch (p.name()) {
            case "pruneAt", "beamAt" -> levels(node, path);
            case "population" -> sizes(node, path);
            case "evoAt" -> mutationLevels(node, path);
            case "beamMode" -> mode(node, path);
            case "beamExpand" -> expansion(node, path);
            case "beamThreshold" -> real(node, path);
            case "beamCosine" -> open(real(node, path), -1, 1, path);
            case "evoCosineStart", "evoCosineEnd" -> upToOne(real(node, path), path);
            case "iterations", "generations" -> integer(node, path, 0);
            case "cosine", "stepCosine" -> open(real(node, path), -1, 1, path);
            case "searchStart" -> open(real(node, path), 0, 1, path);
            case "lambda", "forwardStep", "backwardStep" -> positive(real(node, path), path);
            case "potential" -> name(() -> SmcSearch.Potential.parse(text(node, path)).id(), path);
            case "resampling" -> name(() -> Resampling.parse(text(node, path)).id(), path);
            case "smcLambda" -> within(real(node, path), 0, Double.MAX_VALUE, path);
            case "essThreshold" -> {
                double tau = real(node, path);
                if (!(tau > 0 && tau <= 1)) {
                    throw error(path, "must lie in (0, 1], got " + tau);
                }
                yield tau;
            }
            case "steerFrom", "steerTo" -> within(real(node, path), 0, 1, path);
            default -> integer(node, path, 1);
        };
    }

    /** A name its owner checks (smc's potential and resampling scheme), its message under the key path. */
    private String name(java.util.function.Supplier<String> parsed, String path) {
        try {
            return parsed.get();
        } catch (IllegalArgumentException e) {
            throw error(path, e.getMessage().replaceFirst("^--[a-z-]+: ", ""));
        }
    }

    private double within(double value, double low, double high, String path) {
        if (!(value >= low && value <= high)) {
            throw error(path, "must lie in [" + format(low) + ", " + format(high) + "], got " + value);
        }
        return value;
    }

    /** Prune's cut levels: one level, or a list of levels strictly descending in (0, 1). */
    private List<Double> levels(JsonNode node, String path) {
        List<JsonNode> items = node.isArray() ? items(node, path) : List.of(node);
        List<Double> levels = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String at = node.isArray() ? path + "[" + i + "]" : path;
            double level = open(real(items.get(i), at), 0, 1, at);
            if (!levels.isEmpty() && !(level < levels.getLast())) {
                throw error(at, "levels must be strictly descending, got " + level + " after " + levels.getLast());
            }
            levels.add(level);
        }
        return List.copyOf(levels);
    }

    /** Evolution's mutation levels: one level, or a list of levels in (0, 1] that do not rise. */
    private List<Double> mutationLevels(JsonNode node, String path) {
        List<JsonNode> items = node.isArray() ? items(node, path) : List.of(node);
        List<Double> levels = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String at = node.isArray() ? path + "[" + i + "]" : path;
            double level = real(items.get(i), at);
            if (!(level > 0 && level <= 1)) {
                throw error(at, "must lie in (0, 1], got " + level);
            }
            if (!levels.isEmpty() && level > levels.getLast()) {
                throw error(at, "levels must not rise, got " + level + " after " + levels.getLast());
            }
            levels.add(level);
        }
        return List.copyOf(levels);
    }

    /** Evolution's population schedule: one size, or a list of sizes, each at least 1. */
    private List<Integer> sizes(JsonNode node, String path) {
        List<JsonNode> items = node.isArray() ? items(node, path) : List.of(node);
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            sizes.add(integer(items.get(i), node.isArray() ? path + "[" + i + "]" : path, 1));
        }
        return List.copyOf(sizes);
    }

    /** Beam search's mode: bfs or dfs. */
    private String mode(JsonNode node, String path) {
        String mode = text(node, path);
        if (!BeamSearch.MODES.contains(mode)) {
            throw error(path, "expected one of " + BeamSearch.MODES + ", got '" + mode + "'");
        }
        return mode;
    }

    /** Beam search's children: neighbour or step. */
    private String expansion(JsonNode node, String path) {
        String expand = text(node, path);
        if (!BeamSearch.EXPANSIONS.contains(expand)) {
            throw error(path, "expected one of " + BeamSearch.EXPANSIONS + ", got '" + expand + "'");
        }
        return expand;
    }

    /** A cosine in (-1, 1]. */
    private double upToOne(double value, String path) {
        if (!(value > -1 && value <= 1)) {
            throw error(path, "must lie in (-1, 1], got " + value);
        }
        return value;
    }

    /** Search over paths: every round must make progress and the first forward step stay within the noise. */
    private void checkCombinations(AlgorithmAxes entry, String path) {
        for (Map<String, Object> c : entry.combinations()) {
            if (entry.name().equals("paths")) {
                double start = ((Number) c.get("searchStart")).doubleValue();
                double forward = ((Number) c.get("forwardStep")).doubleValue();
                double backward = ((Number) c.get("backwardStep")).doubleValue();
                if (!(backward > forward)) {
                    throw error(path + ".backwardStep", "must exceed forwardStep so that every round makes progress,"
                            + " got " + backward + " <= " + forward);
                }
                if (start + forward > 1) {
                    throw error(path + ".forwardStep", "searchStart + forwardStep must be at most 1, got " + start
                            + " + " + forward);
                }
            }
            try {
                new Configuration("", "", entry.name(), c, SolverChoice.DEFAULT, SolverChoice.DEFAULT, null, null,
                        null).searchAlgorithm();
            } catch (IllegalArgumentException e) {
                throw error(path, e.getMessage());
            }
        }
    }

    /** The solver and budget axes a mapping sets (the sweep's own, or an algorithm entry's); unset ones empty. */
    private Axes axes(JsonNode node, String path) {
        String at = path.isEmpty() ? "" : path + ".";
        if (node.has("budgets") && node.has("budgetGflops")) {
            throw error(at + "budgetGflops", "budgets and budgetGflops exclude each other: give one");
        }
        return new Axes(
                optionalAxis(node, "searchSolver", at, this::solver),
                optionalAxis(node, "searchSteps", at, (n, p) -> integer(n, p, 1)),
                optionalAxis(node, "finalSolver", at, this::solver),
                optionalAxis(node, "finalSteps", at, (n, p) -> integer(n, p, 1)),
                optionalAxis(node, "budgets", at, this::budget),
                optionalAxis(node, "budgetGflops", at, this::budgetGflops),
                optionalAxis(node, "noiseScale", at, (n, p) -> within(real(n, p), 0, 100, p)),
                optionalAxis(node, "eta", at, (n, p) -> within(real(n, p), 0, 1, p)));
    }

    /**
     * As the CLI's --noise-scale and --eta: a noise axis needs a solver of its kind (euler-sde, ddim) named in the
     * search or final solver axes (a model's default solver is not known here): an entry's own axis in that entry,
     * the sweep's in at least one entry (the others leave it aside, as {@code none} leaves the budgets).
     */
    private void checkNoiseAxes(Axes sweepAxes, List<AlgorithmAxes> entries, JsonNode node) {
        for (SolverKind kind : List.of(SolverKind.EULER_SDE, SolverKind.DDIM)) {
            String key = kind == SolverKind.EULER_SDE ? "noiseScale" : "eta";
            boolean anyNamed = false;
            for (int i = 0; i < entries.size(); i++) {
                AlgorithmAxes entry = entries.get(i);
                Axes a = sweepAxes.overriddenBy(entry.axes());
                boolean named = a.finalSolver().contains(kind)
                        || (!entry.name().equals("none") && a.searchSolver().contains(kind));
                anyNamed |= named && noise(sweepAxes, kind).equals(noise(a, kind));
                if (!noise(entry.axes(), kind).isEmpty() && !named) {
                    String path = node.isArray() ? "algorithms[" + i + "]" : "algorithms";
                    throw error(path + "." + key, "applies only to the " + kind.id() + " solver, and no searchSolver"
                            + " or finalSolver of this " + entry.name() + " entry is " + kind.id());
                }
            }
            if (!noise(sweepAxes, kind).isEmpty() && !anyNamed) {
                throw error(key, "applies only to the " + kind.id() + " solver, and no algorithm entry that takes"
                        + " this axis has a searchSolver or finalSolver " + kind.id());
            }
        }
    }

    private static List<Double> noise(Axes axes, SolverKind kind) {
        return kind == SolverKind.EULER_SDE ? axes.noiseScale() : axes.eta();
    }

    private <T> List<T> optionalAxis(JsonNode node, String key, String at, BiFunction<JsonNode, String, T> element) {
        return node.has(key) ? axis(node.get(key), at + key, element) : List.of();
    }

    private EvaluationSet evaluation(JsonNode node) {
        if (node == null) {
            return new EvaluationSet(EvaluationSet.DEFAULT_PER_CLASS, 0, null);
        }
        mapping(node, "evaluation", "the evaluation set", EVALUATION_KEYS);
        int perClass = node.has("perClass") ? integer(node.get("perClass"), "evaluation.perClass", 1)
                : EvaluationSet.DEFAULT_PER_CLASS;
        long firstSeed = node.has("firstSeed") ? whole(node.get("firstSeed"), "evaluation.firstSeed") : 0;
        List<Integer> classes = node.has("classes")
                ? axis(node.get("classes"), "evaluation.classes", (n, p) -> integer(n, p, 0)) : null;
        return new EvaluationSet(perClass, firstSeed, classes);
    }

    private SolverKind solver(JsonNode node, String path) {
        try {
            return SolverKind.parse(text(node, path));
        } catch (IllegalArgumentException e) {
            throw error(path, e.getMessage());
        }
    }

    /** Search NFEs, or {@code unlimited} (kept as {@link SearchRequest#UNLIMITED}). */
    private Long budget(JsonNode node, String path) {
        if (node.isTextual() && node.textValue().equals(UNLIMITED)) {
            return SearchRequest.UNLIMITED;
        }
        if (!node.isIntegralNumber()) {
            throw error(path, "expected a number of search NFEs or '" + UNLIMITED + "', got " + describe(node));
        }
        long nfe = whole(node, path);
        if (nfe < 0) {
            throw error(path, "must be at least 0, got " + nfe);
        }
        return nfe;
    }

    /** The search's denoiser GFLOPs per sample, or {@code unlimited} (kept as infinity). */
    private Double budgetGflops(JsonNode node, String path) {
        if (node.isTextual() && node.textValue().equals(UNLIMITED)) {
            return Double.POSITIVE_INFINITY;
        }
        if (!node.isNumber()) {
            throw error(path, "expected the search's GFLOPs per sample or '" + UNLIMITED + "', got " + describe(node));
        }
        double gflops = node.doubleValue();
        if (!(gflops >= 0) || Double.isInfinite(gflops)) {
            throw error(path, "must be a finite number of at least 0, got " + node.asText());
        }
        return gflops;
    }

    /** A scale, or {@code default} for the model's (kept as NaN). */
    private Double guidance(JsonNode node, String path) {
        if (node.isTextual() && node.textValue().equals(DEFAULT)) {
            return Double.NaN;
        }
        double scale = real(node, path);
        if (Math.abs(scale) > MAX_GUIDANCE) {
            throw error(path, "must lie within +-" + MAX_GUIDANCE + ", got " + scale);
        }
        return scale;
    }

    // Shapes: mappings, axes (a value or a non-empty list of distinct values), scalars.

    private void mapping(JsonNode node, String path, String what, List<String> keys) {
        if (!node.isObject()) {
            throw error(path, what + " must be a mapping of keys, got " + describe(node));
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String key = names.next();
            if (!keys.contains(key)) {
                throw error(path.isEmpty() ? key : path + "." + key, "unknown key for " + what + " (expected one of "
                        + String.join(", ", keys) + ")");
            }
        }
    }

    private JsonNode required(JsonNode node, String key, String path) {
        JsonNode value = node.get(key);
        if (value == null) {
            throw error(path.isEmpty() ? key : path + "." + key, "missing");
        }
        return value;
    }

    /** The elements of an axis: a single value or a list, never empty. */
    private List<JsonNode> items(JsonNode node, String path) {
        if (node.isNull()) {
            throw error(path, "has no value; name at least one");
        }
        if (node.isObject()) {
            throw error(path, "expected a value or a list of values, got a mapping");
        }
        if (!node.isArray()) {
            return List.of(node);
        }
        if (node.isEmpty()) {
            throw error(path, "is empty; name at least one value");
        }
        List<JsonNode> items = new ArrayList<>();
        node.forEach(items::add);
        return items;
    }

    private <T> List<T> axis(JsonNode node, String path, BiFunction<JsonNode, String, T> element) {
        List<JsonNode> items = items(node, path);
        List<T> values = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String at = node.isArray() ? path + "[" + i + "]" : path;
            T value = element.apply(items.get(i), at);
            if (values.contains(value)) {
                throw error(at, describe(items.get(i)) + " appears twice");
            }
            values.add(value);
        }
        return values;
    }

    private String text(JsonNode node, String path) {
        if (!node.isTextual() || node.textValue().isBlank()) {
            throw error(path, "expected a name, got " + describe(node));
        }
        return node.textValue().strip();
    }

    private long whole(JsonNode node, String path) {
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw error(path, "expected a whole number, got " + describe(node));
        }
        return node.longValue();
    }

    private int integer(JsonNode node, String path, int min) {
        long value = whole(node, path);
        if (value < min || value > Integer.MAX_VALUE) {
            throw error(path, value < min ? "must be at least " + min + ", got " + value
                    : "must be at most " + Integer.MAX_VALUE + ", got " + value);
        }
        return (int) value;
    }

    private double real(JsonNode node, String path) {
        if (!node.isNumber() || !Double.isFinite(node.doubleValue())) {
            throw error(path, "expected a number, got " + describe(node));
        }
        return node.doubleValue();
    }

    private double open(double value, double low, double high, String path) {
        if (!(value > low && value < high)) {
            throw error(path, "must lie strictly between " + format(low) + " and " + format(high) + ", got " + value);
        }
        return value;
    }

    private double positive(double value, String path) {
        if (!(value > 0)) {
            throw error(path, "must be positive, got " + value);
        }
        return value;
    }

    private static String format(double value) {
        return value == Math.rint(value) ? String.valueOf((long) value) : String.valueOf(value);
    }

    private static String describe(JsonNode node) {
        if (node.isTextual()) {
            return "'" + node.textValue() + "'";
        }
        if (node.isArray()) {
            return "a list";
        }
        if (node.isObject()) {
            return "a mapping";
        }
        return node.isNull() ? "nothing" : node.toString().toLowerCase(Locale.ROOT);
    }

    private InvalidRequestException error(String path, String message) {
        return new InvalidRequestException(overrides.where(source, path) + ": " + message);
    }
}

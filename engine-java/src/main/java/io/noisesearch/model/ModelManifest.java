package io.noisesearch.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import io.noisesearch.InvalidRequestException;
import io.noisesearch.format.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The manifest.json of a model folder (tensorrt-plans/README.md has the schema): its role, its I/O tensors
 * with shapes (-1 = dynamic batch), and for denoisers the prediction type, schedule, condition, sample shape,
 * FLOPs per sample, default solver and the folders of the models its verifiers use ("verifiers": role ->
 * folder name beside this one), and the reduced-precision variants of its model file ("variants": precision ->
 * {file, sha256}). Parsing checks every field the engine relies on and names the file and the field at fault.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelManifest(String name, String role, String file, List<TensorSpec> inputs,
                            List<TensorSpec> outputs, String prediction, ScheduleSpec schedule,
                            ConditionSpec condition, SampleSpec sample, Long flopsPerSample,
                            SolverSpec defaultSolver, Double defaultGuidance, Map<String, String> verifiers,
                            Map<String, VariantSpec> variants, Map<String, Object> provenance) {

    /** Values of one sample (channels x height x width): 64 MiB of float32. */
    public static final long MAX_SAMPLE_VALUES = 1L << 24;
    /** Classes of a class-conditional model. */
    public static final int MAX_CLASSES = 1 << 20;
    /** FLOPs of one forward pass of one sample: a petaFLOP, so that a request's FLOPs are counted in a long. */
    public static final long MAX_FLOPS_PER_SAMPLE = 1_000_000_000_000_000L;

    public static final Set<String> ROLES = Set.of("denoiser", "verifier", "features", "evaluator");

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record TensorSpec(String name, List<Long> shape, String dtype) {

        /** The shape of a batch of {@code rows}: the dynamic batch axis replaced by rows. */
        public long[] shapeFor(int rows) {
            long[] dims = new long[shape.size()];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = i == 0 ? rows : shape.get(i);
            }
            return dims;
        }
    }

    /** A denoiser's tensors in manifest order: the noisy sample, the time and the label in; the prediction out. */
    public record DenoiserTensors(TensorSpec sample, TensorSpec time, TensorSpec label, TensorSpec prediction) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ScheduleSpec(String type, Double shift, String betas) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ConditionSpec(String kind, Integer classes, Integer nullClass) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record SampleSpec(Integer channels, Integer height, Integer width, List<Double> range) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record SolverSpec(String kind, Integer steps) {
    }

    /**
     * A model file computing the same function in another precision (scripts/quantize), checked against its SHA-256
     * (lower-case hex) before it is opened; {@code quantized} and {@code provenance} say how it was made.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record VariantSpec(String file, String sha256, Long flopsPerSample, Map<String, Object> quantized,
                              Map<String, Object> provenance) {
    }

    /** Reads and checks {@code folder/manifest.json}. */
    public static ModelManifest read(Path folder) {
        Path path = folder.resolve("manifest.json");
        if (!Files.isRegularFile(path)) {
            throw new InvalidRequestException(path + ": manifest.json is missing");
        }
        ModelManifest manifest;
        try {
            manifest = Json.read(path, ModelManifest.class);
        } catch (IOException e) {
            throw new InvalidRequestException(path + ": not a valid manifest (" + problem(e) + ")", e);
        }
        manifest.check(path);
        return manifest;
    }

    private void check(Path path) {
        require(path, name != null && !name.isBlank(), "name", "a non-empty string");
        require(path, role != null && ROLES.contains(role), "role", "one of " + ROLES);
        require(path, file != null && !file.isBlank(), "file", "the ONNX file name");
        require(path, inputs != null && !inputs.isEmpty(), "inputs", "at least one tensor");
        require(path, outputs != null && !outputs.isEmpty(), "outputs", "at least one tensor");
        for (TensorSpec t : concat(inputs, outputs)) {
            require(path, t.name() != null && t.shape() != null && !t.shape().isEmpty(), "inputs/outputs",
                    "tensors with a name and a shape");
            require(path, t.dtype() == null || t.dtype().equals("float32") || t.dtype().equals("int64"),
                    "dtype of " + t.name(), "float32 or int64");
        }
        require(path, sample != null && sample.channels() != null && sample.height() != null
                && sample.width() != null, "sample", "channels, height and width");
        require(path, sample.range() != null && sample.range().size() == 2
                && sample.range().get(0) < sample.range().get(1), "sample.range", "[min, max] with min < max");
        require(path, flopsPerSample != null && flopsPerSample > 0 && flopsPerSample <= MAX_FLOPS_PER_SAMPLE,
                "flopsPerSample", "a positive integer of at most " + MAX_FLOPS_PER_SAMPLE);
        require(path, sample.channels() > 0 && sample.height() > 0 && sample.width() > 0
                && (long) sample.channels() * sample.height() * sample.width() <= MAX_SAMPLE_VALUES, "sample",
                "positive channels, height and width with at most " + MAX_SAMPLE_VALUES + " values in all");
        require(path, samplesMatch(inputs.getFirst()), "inputs[0].shape",
                "the batch axis followed by the sample's channels x height x width values");
        checkVariants(path);
        if (role.equals("denoiser")) {
            require(path, prediction != null && Set.of("velocity", "epsilon", "x0").contains(prediction),
                    "prediction", "velocity, epsilon or x0");
            require(path, schedule != null && Set.of("rectified-flow", "vp").contains(schedule.type()),
                    "schedule.type", "rectified-flow or vp");
            require(path, condition != null && "class-label".equals(condition.kind()) && condition.classes() != null
                    && condition.nullClass() != null && condition.nullClass().equals(condition.classes()),
                    "condition", "{kind: class-label, classes: C, nullClass: C}");
            require(path, condition.classes() >= 1 && condition.classes() <= MAX_CLASSES, "condition.classes",
                    "between 1 and " + MAX_CLASSES);
            require(path, samplesMatch(outputs.getFirst()), "outputs[0].shape",
                    "the batch axis followed by the sample's channels x height x width values");
            require(path, defaultSolver != null && defaultSolver.kind() != null && defaultSolver.steps() != null,
                    "defaultSolver", "{kind, steps}");
        }
    }

    /** Each variant: keyed by a precision other than fp32 (checked before the key is named in a message), file, hash. */
    private void checkVariants(Path path) {
        if (variants == null) {
            return;
        }
        for (Map.Entry<String, VariantSpec> v : variants.entrySet()) {
            String field = "variants." + v.getKey();
            require(path, !v.getKey().equals(Precision.FP32.id()) && Stream.of(Precision.values())
                    .anyMatch(p -> p.id().equals(v.getKey())), "variants", "keyed by reduced precisions ("
                    + Precision.INT8.id() + ")");
            require(path, v.getValue() != null && v.getValue().file() != null && !v.getValue().file().isBlank(),
                    field + ".file", "the variant's ONNX file name");
            require(path, v.getValue().sha256() != null && v.getValue().sha256().matches("[0-9a-f]{64}"),
                    field + ".sha256", "the file's SHA-256 in 64 lower-case hex digits");
            require(path, v.getValue().flopsPerSample() == null
                    || v.getValue().flopsPerSample().equals(flopsPerSample), field + ".flopsPerSample",
                    "absent or the model's flopsPerSample (a variant computes the same products)");
        }
    }

    /** A tensor of samples: [batch, ...] whose other dimensions are fixed and multiply out to the sample's values. */
    private boolean samplesMatch(TensorSpec tensor) {
        long values = 1;
        for (int i = 1; i < tensor.shape().size(); i++) {
            long d = tensor.shape().get(i);
            if (d < 1 || d > MAX_SAMPLE_VALUES) {
                return false;
            }
            values *= d;
            if (values > MAX_SAMPLE_VALUES) {
                return false;
            }
        }
        return tensor.shape().size() >= 2
                && values == (long) sample.channels() * sample.height() * sample.width();
    }

    public TensorSpec input(String tensor) {
        return find(inputs, tensor);
    }

    public TensorSpec output(String tensor) {
        return find(outputs, tensor);
    }

    private static TensorSpec find(List<TensorSpec> tensors, String tensor) {
        return tensors.stream().filter(t -> t.name().equals(tensor)).findFirst().orElse(null);
    }

    private static List<TensorSpec> concat(List<TensorSpec> a, List<TensorSpec> b) {
        return Stream.concat(a.stream(), b.stream()).toList();
    }

    private static void require(Path path, boolean ok, String field, String expected) {
        if (!ok) {
            throw new InvalidRequestException(path + ": field '" + field + "' must be " + expected);
        }
    }

    /** What is wrong and where, without echoing the file's contents (Jackson's messages quote them). */
    private static String problem(IOException e) {
        if (!(e instanceof JsonProcessingException json)) {
            return "unreadable: " + e.getClass().getSimpleName();
        }
        JsonLocation at = json.getLocation();
        String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
        if (json instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            String field = mapping.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .map(name -> name.matches("[\\w\\[\\]]{1,40}") ? name : "?")
                    .reduce((a, b) -> b.startsWith("[") ? a + b : a + "." + b).orElse("?");
            return "field '" + field + "' has the wrong type or value" + where;
        }
        return "not valid JSON" + where;
    }

    /**
     * The values per row of a tensor (its shape without the batch axis, multiplied out); every dimension but the
     * batch must be fixed.
     */
    public static int rowWidth(Path folder, TensorSpec tensor) {
        long width = 1;
        for (int i = 1; i < tensor.shape().size(); i++) {
            if (tensor.shape().get(i) < 1) {
                throw new InvalidRequestException(folder.resolve("manifest.json") + ": tensor '" + tensor.name()
                        + "' has shape " + tensor.shape() + "; every dimension but the batch must be fixed");
            }
            width *= tensor.shape().get(i);
        }
        return Math.toIntExact(width);
    }

    /** The variant of {@code precision} (not fp32), or null when the manifest names none. */
    public VariantSpec variant(Precision precision) {
        return variants == null ? null : variants.get(precision.id());
    }

    /** A denoiser's tensors, after {@link #requireDenoiser}. */
    public DenoiserTensors denoiserTensors(Path folder) {
        requireDenoiser(folder);
        return new DenoiserTensors(inputs.get(0), inputs.get(1), inputs.get(2), outputs.get(0));
    }

    /**
     * Checks that this is a denoiser's manifest: role "denoiser", three inputs (sample, time, label) and a
     * prediction as its first output; a one-line error naming the manifest in {@code folder} otherwise.
     */
    public void requireDenoiser(Path folder) {
        if (!"denoiser".equals(role)) {
            throw new InvalidRequestException(folder.resolve("manifest.json") + ": role is '" + role
                    + "', expected 'denoiser'");
        }
        if (inputs.size() != 3 || outputs.isEmpty()) {
            throw new InvalidRequestException(folder.resolve("manifest.json")
                    + ": a denoiser takes three inputs (sample, time, label) and has a prediction output");
        }
    }
}

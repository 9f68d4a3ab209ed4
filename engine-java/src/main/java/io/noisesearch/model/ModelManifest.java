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
 * {file, sha256}), and optionally its fp32 model file's SHA-256 ("sha256", checked before the file is opened).
 * Text-conditioned latent denoisers (condition kind "text") add their tokenizer, the text encoder's
 * graph, the folder of their decoder (latent -> image) and the decoded image's shape; a decoder's manifest (role
 * "decoder") gives its latent shape. Parsing checks every field the engine relies on and names the file and the
 * field at fault.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelManifest(String name, String role, String file, List<TensorSpec> inputs,
                            List<TensorSpec> outputs, String prediction, ScheduleSpec schedule,
                            ConditionSpec condition, SampleSpec sample, Long flopsPerSample,
                            SolverSpec defaultSolver, Double defaultGuidance, Map<String, String> verifiers,
                            Map<String, VariantSpec> variants, TokenizerSpec tokenizer, GraphSpec textEncoder,
                            String decoder, SampleSpec image, SampleSpec latent, Map<String, Object> provenance,
                            String sha256) {

    /** Values of one sample (channels x height x width): 64 MiB of float32. */
    public static final long MAX_SAMPLE_VALUES = 1L << 24;
    /** Classes of a class-conditional model. */
    public static final int MAX_CLASSES = 1 << 20;
    /** FLOPs of one forward pass of one sample: a petaFLOP, so that a request's FLOPs are counted in a long. */
    public static final long MAX_FLOPS_PER_SAMPLE = 1_000_000_000_000_000L;

    public static final Set<String> ROLES = Set.of("denoiser", "verifier", "features", "evaluator", "decoder");

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

    /** A text model's vocabulary (id = index, pad first) and row length. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record TokenizerSpec(List<String> vocabulary, Integer maxTokens) {
    }

    /**
     * A second graph of the folder (the text encoder): its file, tensors, FLOPs per row and, when given, the file's
     * SHA-256 (checked before ONNX Runtime reads it).
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record GraphSpec(String file, List<TensorSpec> inputs, List<TensorSpec> outputs, Long flopsPerSample,
                            String sha256) {
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
        require(path, sha256 == null || sha256.matches("[0-9a-f]{64}"), "sha256",
                "absent or the model file's SHA-256 in 64 lower-case hex digits");
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
        if (role.equals("decoder")) {
            checkDecoder(path);
        } else {
            require(path, samplesMatch(inputs.getFirst(), sample), "inputs[0].shape",
                    "the batch axis followed by the sample's channels x height x width values");
        }
        checkVariants(path);
        if (role.equals("denoiser")) {
            require(path, prediction != null && Set.of("velocity", "epsilon", "x0").contains(prediction),
                    "prediction", "velocity, epsilon or x0");
            require(path, schedule != null && Set.of("rectified-flow", "vp").contains(schedule.type()),
                    "schedule.type", "rectified-flow or vp");
            require(path, condition != null && ("text".equals(condition.kind()) || "class-label".equals(condition.kind())
                    && condition.classes() != null && condition.nullClass() != null
                    && condition.nullClass().equals(condition.classes())),
                    "condition", "{kind: class-label, classes: C, nullClass: C} or {kind: text}");
            if (textConditioned()) {
                checkText(path);
            } else {
                require(path, condition.classes() >= 1 && condition.classes() <= MAX_CLASSES, "condition.classes",
                        "between 1 and " + MAX_CLASSES);
            }
            require(path, samplesMatch(outputs.getFirst(), sample), "outputs[0].shape",
                    "the batch axis followed by the sample's channels x height x width values");
            require(path, defaultSolver != null && defaultSolver.kind() != null && defaultSolver.steps() != null,
                    "defaultSolver", "{kind, steps}");
        }
    }

    /** Whether this denoiser is conditioned on a caption (condition kind "text") rather than a class label. */
    public boolean textConditioned() {
        return condition != null && "text".equals(condition.kind());
    }

    /** A text denoiser: tokenizer, text encoder graph (tokens in; text and mask out), the decoded image's shape. */
    private void checkText(Path path) {
        require(path, tokenizer != null, "tokenizer", "{vocabulary: [...], maxTokens: L}");
        Tokenizer.of(tokenizer.vocabulary(), tokenizer.maxTokens(), path.toString());
        require(path, textEncoder != null && textEncoder.file() != null && !textEncoder.file().isBlank(),
                "textEncoder.file", "the text encoder's ONNX file name");
        require(path, textEncoder.sha256() == null || textEncoder.sha256().matches("[0-9a-f]{64}"),
                "textEncoder.sha256", "absent or the file's SHA-256 in 64 lower-case hex digits");
        require(path, textEncoder.inputs() != null && textEncoder.inputs().size() == 1
                && textEncoder.outputs() != null && textEncoder.outputs().size() == 2, "textEncoder",
                "one input (tokens) and two outputs (text, textMask)");
        for (TensorSpec t : concat(textEncoder.inputs(), textEncoder.outputs())) {
            require(path, t.name() != null && t.shape() != null && t.shape().size() >= 2, "textEncoder tensors",
                    "tensors with a name and a shape [batch, ...]");
        }
        require(path, textEncoder.flopsPerSample() != null && textEncoder.flopsPerSample() > 0
                && textEncoder.flopsPerSample() <= MAX_FLOPS_PER_SAMPLE, "textEncoder.flopsPerSample",
                "a positive integer of at most " + MAX_FLOPS_PER_SAMPLE);
        require(path, inputs.size() == 4, "inputs", "four tensors: sample, time, text, textMask");
        require(path, decoder == null || decoder.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}") && !decoder.contains(".."),
                "decoder", "the decoder's folder name beside this one");
        require(path, decoder == null || image != null && image.channels() != null && image.height() != null
                && image.width() != null && image.range() != null && image.range().size() == 2
                && image.channels() > 0 && image.height() > 0 && image.width() > 0
                && (long) image.channels() * image.height() * image.width() <= MAX_SAMPLE_VALUES
                && image.range().get(0) < image.range().get(1), "image",
                "the decoded image's channels, height, width and range");
    }

    /** A decoder: its latent shape, latent tensor in, image tensor (the sample's shape) out. */
    private void checkDecoder(Path path) {
        require(path, latent != null && latent.channels() != null && latent.height() != null && latent.width() != null
                && latent.channels() > 0 && latent.height() > 0 && latent.width() > 0
                && (long) latent.channels() * latent.height() * latent.width() <= MAX_SAMPLE_VALUES, "latent",
                "the latent's channels, height and width");
        require(path, samplesMatch(inputs.getFirst(), latent), "inputs[0].shape",
                "the batch axis followed by the latent's channels x height x width values");
        require(path, samplesMatch(outputs.getFirst(), sample), "outputs[0].shape",
                "the batch axis followed by the sample's channels x height x width values");
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
    private static boolean samplesMatch(TensorSpec tensor, SampleSpec sample) {
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

    /** A denoiser's tensors, after {@link #requireDenoiser} (a text denoiser's label is its text tensor). */
    public DenoiserTensors denoiserTensors(Path folder) {
        requireDenoiser(folder);
        return new DenoiserTensors(inputs.get(0), inputs.get(1), inputs.get(2), outputs.get(0));
    }

    /** The tokenizer of a text denoiser. */
    public Tokenizer textTokenizer(Path folder) {
        return Tokenizer.of(tokenizer.vocabulary(), tokenizer.maxTokens(), folder.resolve("manifest.json").toString());
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
        if (inputs.size() != (textConditioned() ? 4 : 3) || outputs.isEmpty()) {
            throw new InvalidRequestException(folder.resolve("manifest.json") + (textConditioned()
                    ? ": a text denoiser takes four inputs (sample, time, text, textMask) and has a prediction output"
                    : ": a denoiser takes three inputs (sample, time, label) and has a prediction output"));
        }
    }
}

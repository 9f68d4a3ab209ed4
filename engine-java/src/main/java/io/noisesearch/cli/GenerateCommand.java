package io.noisesearch.cli;

import io.noisesearch.engine.Engine;
import io.noisesearch.format.Npz;
import io.noisesearch.format.NpyArray;
import io.noisesearch.format.OutputDirectory;
import io.noisesearch.format.Pixels;
import io.noisesearch.model.ModelInfo;
import io.noisesearch.report.GenerateSummary;
import io.noisesearch.search.SearchAlgorithm;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.SearchResult;
import io.noisesearch.verify.OracleFidVerifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Many requests, {@code --per-class} for each class: writes {@code <out>/samples.npz} ({@code arr_0} uint8
 * [N, H, W, C], {@code labels} int64 [N]; the layout standard FID suites read) and {@code <out>/summary.json}.
 * Sample i (classes in order, then repeats) uses seed {@code --seed + i}, so every sample is reproducible on its
 * own with {@code search --class c --seed s}. For a text-conditioned model, {@code --prompt} or {@code --prompts FILE}
 * (one caption a line) with {@code --per-prompt K}: {@code samples.npz} holds {@code arr_0} and {@code prompts} (a
 * unicode array), and {@code grid.png} shows each image with its caption under it; without {@code --algorithm} and
 * {@code --verifier} such a run does no search ({@code none}, verifier {@code none}).
 */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false, abbreviateSynopsis = true,
        description = "Generate samples for every class (or every prompt of a text model) with a search per sample;"
                + " write samples.npz and summary.json (and grid.png for prompts).")
final class GenerateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    SampleOptions samples;

    @Option(names = "--classes", split = ",", description = "Classes to generate (default: every class of the model).")
    List<Integer> classes;

    @Option(names = "--prompt", description = "Caption of a text-conditioned model (words of its vocabulary).")
    String prompt;

    @Option(names = "--prompts", description = "File of captions for a text-conditioned model, one a line.")
    Path prompts;

    @Option(names = "--per-prompt", description = "Samples per caption (default: 4).")
    Integer perPrompt;

    @Mixin
    SearchOptions search;

    /** Columns of grid.png at most: a row per prompt of its --per-prompt samples, or rows of single samples. */
    static final int GRID_COLUMNS = 8;
    /** Pixel blocks per image pixel in grid.png. */
    static final int GRID_SCALE = 4;

    @Option(names = "--out", defaultValue = "out/generate",
            description = "Folder for samples.npz and summary.json (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (prompt != null || prompts != null) {
            return callText();
        }
        if (perPrompt != null) {
            throw new ParameterException(spec.commandLine(), "--per-prompt goes with --prompt or --prompts");
        }
        int perClass = samples.perClass(10);
        SearchAlgorithm algorithm = search.algorithm.algorithm();
        try (OutputDirectory dir = OutputDirectory.open(out, "--out"); Engine engine = search.engine.open()) {
            ModelInfo info = engine.model(search.request.model).info();
            if (engine.model(search.request.model) instanceof io.noisesearch.model.TextDenoiser) {
                throw new ParameterException(spec.commandLine(), "--prompt: model " + info.name() + " is"
                        + " text-conditioned: give --prompt or --prompts (with --per-prompt), not classes");
            }
            if (!info.isImage()) {
                throw new ParameterException(spec.commandLine(), "--model " + info.name()
                        + " does not make images; generate writes images");
            }
            List<Integer> labels = classes != null ? checked(classes, info) : allClasses(info);
            samples.checkHeld(perClass, labels.size(), info);
            OracleFidVerifier oracle = search.request.verifier.equals("oracle-fid")
                    ? new OracleFidVerifier(engine.evaluator(engine.model(search.request.model))) : null;
            List<SearchResult> results = run(engine, algorithm, info, labels, perClass, oracle);
            Path written = dir.write("samples.npz", file -> writeSamples(file, results, info));
            dir.write("summary.json", GenerateSummary.of(results, search.request.seed)::write);
            spec.commandLine().getOut().printf(Locale.ROOT, "generated %d samples of %s (%s, verifier %s) -> %s%n",
                    results.size(), info.name(), algorithm.id(), search.request.verifier, written);
        }
        return 0;
    }

    /** The text track: every caption x --per-prompt, then samples.npz (arr_0, prompts), grid.png and summary.json. */
    private int callText() throws Exception {
        if (prompt != null && prompts != null) {
            throw new ParameterException(spec.commandLine(), "--prompt and --prompts: give one of them");
        }
        if (classes != null || samples.perClass != null) {
            throw new ParameterException(spec.commandLine(), "--classes and --per-class are for class-conditional"
                    + " models; with --prompt or --prompts use --per-prompt");
        }
        int k = perPrompt == null ? 4 : perPrompt;
        if (k < 1) {
            throw new ParameterException(spec.commandLine(), "--per-prompt must be at least 1, got " + k);
        }
        List<String> captions = prompt != null ? List.of(prompt) : readPrompts(spec.commandLine(), prompts);
        var parsed = spec.commandLine().getParseResult();
        SearchAlgorithm algorithm = parsed.hasMatchedOption("--algorithm") ? search.algorithm.algorithm()
                : new io.noisesearch.search.NoSearch();
        if (!parsed.hasMatchedOption("--verifier")) {
            search.request.verifier = "none";
        }
        try (OutputDirectory dir = OutputDirectory.open(out, "--out"); Engine engine = search.engine.open()) {
            io.noisesearch.model.Denoiser model = engine.model(search.request.model);
            if (!(model instanceof io.noisesearch.model.TextDenoiser text)) {
                throw new ParameterException(spec.commandLine(), "--prompt: model " + model.info().name()
                        + " is not text-conditioned: give --classes and --per-class, not prompts");
            }
            for (String caption : captions) {
                text.tokenizer().encode(caption);
            }
            ModelInfo info = model.info();
            io.noisesearch.model.ImageModel decoder = engine.decoder(model);
            ModelInfo images = decoder == null ? info : info.decoded(decoder.manifest().sample().channels(),
                    decoder.manifest().sample().height(), decoder.manifest().sample().width(),
                    decoder.manifest().sample().range().get(0).floatValue(),
                    decoder.manifest().sample().range().get(1).floatValue());
            samples.checkHeld(k, captions.size(), images);
            List<SearchResult> results = new ArrayList<>();
            List<String> written = new ArrayList<>();
            long index = 0;
            for (String caption : captions) {
                for (int j = 0; j < k; j++) {
                    SearchRequest request = search.request.request(algorithm, info, 0, search.request.seed + index++)
                            .withPrompt(caption);
                    results.add(engine.search(request));
                    written.add(caption);
                }
                progress(results.size(), captions.size() * k);
            }
            Path file = dir.write("samples.npz", f -> writeTextSamples(f, results, written));
            dir.write("grid.png", f -> io.noisesearch.format.PngWriter.writeCaptioned(f,
                    results.stream().map(SearchResult::sample).toList(), written, results.getFirst().model().layout(),
                    GRID_SCALE, Math.min(GRID_COLUMNS, k > 1 ? k : results.size())));
            dir.write("summary.json", GenerateSummary.of(results, search.request.seed)::write);
            spec.commandLine().getOut().printf(Locale.ROOT, "generated %d samples of %s for %d prompts (%s, verifier"
                    + " %s) -> %s%n", results.size(), info.name(), captions.size(), algorithm.id(),
                    search.request.verifier, file);
        }
        return 0;
    }

    /** The captions of a prompts file: one a line, blank lines skipped; at least one. */
    static List<String> readPrompts(picocli.CommandLine commandLine, Path file) throws java.io.IOException {
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new ParameterException(commandLine, "--prompts " + file + ": not a readable file");
        }
        if (java.nio.file.Files.size(file) > MAX_PROMPTS_BYTES) {
            throw new ParameterException(commandLine, "--prompts " + file + ": larger than "
                    + MAX_PROMPTS_BYTES + " bytes");
        }
        List<String> captions = java.nio.file.Files.readAllLines(file).stream().map(String::strip)
                .filter(line -> !line.isEmpty()).toList();
        if (captions.isEmpty()) {
            throw new ParameterException(commandLine, "--prompts " + file + ": holds no caption");
        }
        return captions;
    }

    /** A prompts file's size at most: 16 MiB of captions. */
    static final long MAX_PROMPTS_BYTES = 16L << 20;

    static void writeTextSamples(Path file, List<SearchResult> results, List<String> captions) {
        int n = results.size();
        ModelInfo info = results.getFirst().model();
        byte[] pixels = new byte[n * info.dim()];
        for (int i = 0; i < n; i++) {
            System.arraycopy(Pixels.toHwc(results.get(i).sample(), info.layout()), 0, pixels, i * info.dim(), info.dim());
        }
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        arrays.put("arr_0", NpyArray.ofUint8(pixels, n, info.height(), info.width(), info.channels()));
        arrays.put("prompts", NpyArray.ofUnicode(captions.toArray(String[]::new), n));
        Npz.write(file, arrays);
    }

    /** Runs every request in order; a greedy FID oracle learns each winner before the next request. */
    private List<SearchResult> run(Engine engine, SearchAlgorithm algorithm, ModelInfo info, List<Integer> labels,
                                   int perClass, OracleFidVerifier oracle) {
        List<SearchResult> results = new ArrayList<>();
        long index = 0;
        for (int label : labels) {
            for (int j = 0; j < perClass; j++) {
                SearchRequest request = search.request.request(algorithm, info, label, search.request.seed + index++);
                SearchResult result = oracle == null ? engine.search(request) : engine.search(request, oracle);
                if (oracle != null) {
                    oracle.accept(result.sample());
                }
                results.add(result);
            }
            progress(results.size(), labels.size() * perClass);
        }
        return results;
    }

    /** The classes asked for: at least one, each a class of the model; checked before any search runs. */
    private List<Integer> checked(List<Integer> asked, ModelInfo info) {
        if (asked.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--classes is empty: name at least one class");
        }
        for (int label : asked) {
            if (label < 0 || label >= info.classes()) {
                throw new ParameterException(spec.commandLine(), "--classes: " + label + " is outside 0.."
                        + (info.classes() - 1) + " for model " + info.name());
            }
        }
        return asked;
    }

    private List<Integer> allClasses(ModelInfo info) {
        List<Integer> all = new ArrayList<>();
        for (int c = 0; c < info.classes(); c++) {
            all.add(c);
        }
        return all;
    }

    private void progress(int done, int total) {
        spec.commandLine().getErr().printf(Locale.ROOT, "generate: %d/%d%n", done, total);
        spec.commandLine().getErr().flush();
    }

    static void writeSamples(Path file, List<SearchResult> results, ModelInfo info) {
        int n = results.size();
        byte[] pixels = new byte[n * info.dim()];
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(Pixels.toHwc(results.get(i).sample(), info.layout()), 0, pixels, i * info.dim(), info.dim());
            labels[i] = results.get(i).label();
        }
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        arrays.put("arr_0", NpyArray.ofUint8(pixels, n, info.height(), info.width(), info.channels()));
        arrays.put("labels", NpyArray.ofInt64(labels, n));
        Npz.write(file, arrays);
    }
}

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
 * own with {@code search --class c --seed s}.
 */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false, abbreviateSynopsis = true,
        description = "Generate samples for every class with a search per sample; write samples.npz and summary.json.")
final class GenerateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    SampleOptions samples;

    @Option(names = "--classes", split = ",", description = "Classes to generate (default: every class of the model).")
    List<Integer> classes;

    @Mixin
    SearchOptions search;

    @Option(names = "--out", defaultValue = "out/generate",
            description = "Folder for samples.npz and summary.json (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws Exception {
        int perClass = samples.perClass(10);
        SearchAlgorithm algorithm = search.algorithm.algorithm();
        try (OutputDirectory dir = OutputDirectory.open(out, "--out"); Engine engine = search.engine.open()) {
            ModelInfo info = engine.model(search.request.model).info();
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

package io.noisesearch.cli;

import io.noisesearch.engine.Engine;
import io.noisesearch.format.OutputDirectory;
import io.noisesearch.format.PngWriter;
import io.noisesearch.report.ResultDocument;
import io.noisesearch.model.ModelInfo;
import io.noisesearch.search.SearchAlgorithm;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.SearchResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** One search request: writes {@code <out>/result.json} and, for image models, {@code <out>/best.png}. */
@Command(name = "search", mixinStandardHelpOptions = true, sortOptions = false, abbreviateSynopsis = true,
        description = "Search for the best noise of one class under a verifier and write the result.")
final class SearchCommand implements Callable<Integer> {

    /** 16x16 samples are too small to see; nearest-neighbour blocks keep the pixels exact. */
    static final int PNG_SCALE = 8;

    @Spec
    CommandSpec spec;

    @Option(names = "--class", description = "Class label to generate (default: 0).")
    Integer label;

    @Option(names = "--prompt", description = "Caption of a text-conditioned model (words of its vocabulary), instead"
            + " of --class.")
    String prompt;

    @Mixin
    SearchOptions search;

    @Option(names = "--out", defaultValue = "out/search",
            description = "Folder for result.json and best.png (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws Exception {
        SearchAlgorithm chosen = search.algorithm.algorithm();
        try (OutputDirectory dir = OutputDirectory.open(out, "--out"); Engine engine = search.engine.open()) {
            ModelInfo info = engine.model(search.request.model).info();
            // text models have no verifier yet (issue 13): unless named, no search and verifier none
            var parsed = spec.commandLine().getParseResult();
            boolean text = engine.model(search.request.model) instanceof io.noisesearch.model.TextDenoiser;
            SearchAlgorithm searchAlgorithm = text && !parsed.hasMatchedOption("--algorithm")
                    ? new io.noisesearch.search.NoSearch() : chosen;
            if (text && !parsed.hasMatchedOption("--verifier")) {
                search.request.verifier = "none";
            }
            if (prompt != null && label != null) {
                throw new ParameterException(spec.commandLine(), "--class and --prompt: give a class to a"
                        + " class-conditional model or a prompt to a text-conditioned one, not both");
            }
            SearchRequest request = search.request.request(searchAlgorithm, info, label == null ? 0 : label,
                    search.request.seed);
            if (prompt != null) {
                request = request.withPrompt(prompt);
            }
            SearchResult result = engine.search(request);
            Path written = dir.write("result.json", ResultDocument.of(request, result)::write);
            // the result describes what it holds: a latent model's decoded image
            if (result.model().isImage()) {
                dir.write("best.png", file -> PngWriter.write(file, result.sample(), result.model().layout(),
                        PNG_SCALE));
            }
            printSummary(result, written);
        }
        return 0;
    }

    /** What ended the search, for the summary line: nothing when it ran to its end. */
    private static String stopText(SearchResult result) {
        return switch (result.stoppedBy()) {
            case COMPLETED -> "";
            case BUDGET -> ", budget exhausted";
            case DEADLINE -> ", deadline reached";
            case TARGET -> ", target score reached";
            case PLATEAU -> ", plateau reached";
        };
    }

    private void printSummary(SearchResult result, Path file) {
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%s on %s %s, seed %d: best score %.4f (key %s); search %d NFEs (planned %d%s),"
                        + " final %d NFEs, %d ms -> %s%n",
                result.algorithm(), result.model().name(), prompt != null ? "'" + prompt + "'" : "class "
                        + result.label(), result.seed(), result.score(),
                ResultDocument.hex(result.key()), result.compute().searchNfe(), result.searchNfePlanned(),
                stopText(result),
                result.compute().finalNfe(), result.compute().wallMillis(), file);
        out.flush();
    }
}

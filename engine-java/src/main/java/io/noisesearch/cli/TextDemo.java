package io.noisesearch.cli;

import io.noisesearch.engine.Engine;
import io.noisesearch.format.Json;
import io.noisesearch.format.OutputDirectory;
import io.noisesearch.format.Pixels;
import io.noisesearch.format.PngWriter;
import io.noisesearch.report.ReportTable;
import io.noisesearch.search.NoSearch;
import io.noisesearch.search.RandomSearch;
import io.noisesearch.search.SearchAlgorithm;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.SearchResult;
import io.noisesearch.shapes.Aspect;
import io.noisesearch.shapes.Caption;
import io.noisesearch.shapes.Category;
import io.noisesearch.shapes.CheckSummary;
import io.noisesearch.shapes.PromptSet;
import io.noisesearch.shapes.ShapeChecker;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * {@code demo --track t2i}: a fixed slice of the 200 evaluation prompts, each made once without search and once by
 * best-of-N random search under a verifier, both judged by the shapes checker (the track's evaluation network, never
 * the verifier). Writes the category table (report.md, report.json), a captioned grid of both samples of every prompt
 * and each method's samples.npz (for {@code evaluate}).
 */
final class TextDemo {

    static final String MODEL = "shapes-flow";
    /** The text track's verifier: the checker is the evaluation network and never searches. */
    static final String VERIFIER = "clip";
    static final int CANDIDATES = 16;
    /** Prompts per category: 4 categories x 6 = 24, a slice of {@link PromptSet}. */
    static final int PER_CATEGORY = 6;
    /** Grid cells: 32-pixel images at 6x, so that the captions (up to 42 letters, 24 a line) fit under them. */
    private static final int GRID_SCALE = 6;
    /** Three prompts a row, each as its pair: no search, then search. */
    private static final int GRID_COLUMNS = 6;

    private final Engine engine;
    private final PrintWriter progress;

    TextDemo(Engine engine, PrintWriter progress) {
        this.engine = engine;
        this.progress = progress;
    }

    /**
     * The demo's prompts: {@link #PER_CATEGORY} of each category of the evaluation prompts, evenly spaced through the
     * category in file order, each caption once.
     */
    static List<Caption> prompts() {
        List<Caption> chosen = new ArrayList<>();
        for (Category category : Category.values()) {
            List<Caption> family = PromptSet.captions().stream().filter(c -> c.category() == category).toList();
            List<Caption> picked = new ArrayList<>();
            for (int i = 0; i < PER_CATEGORY; i++) {
                int at = i * family.size() / PER_CATEGORY;
                while (picked.contains(family.get(at % family.size()))) {
                    at++;
                }
                picked.add(family.get(at % family.size()));
            }
            chosen.addAll(picked);
        }
        return List.copyOf(chosen);
    }

    /** One method of the demo: its label and the algorithm of each request. */
    record Method(String name, SearchAlgorithm algorithm) {
    }

    /** A method's samples and their checker verdicts. */
    record Run(Method method, List<SearchResult> results, CheckSummary checked, double wallSeconds) {
    }

    /**
     * Runs no search and best-of-{@code candidates} for every prompt (prompt i with seed {@code seed + i}, the same
     * for both methods: no search's noise is search's first candidate), writes the files into {@code dir} and returns
     * the table.
     */
    String run(IntFunction<SearchRequest> requestFor, List<Caption> prompts, int candidates, String verifier,
               OutputDirectory dir) throws IOException {
        long start = System.nanoTime();
        List<Method> methods = List.of(new Method("none", new NoSearch()),
                new Method("random N=" + candidates, new RandomSearch(candidates)));
        List<Run> runs = new ArrayList<>();
        for (Method method : methods) {
            runs.add(run(method, requestFor, prompts));
        }
        writeGrid(dir, runs, prompts);
        for (Run run : runs) {
            String name = run.method().algorithm() instanceof NoSearch ? "samples-none.npz" : "samples-search.npz";
            List<String> captions = prompts.stream().map(Caption::text).toList();
            dir.write(name, f -> GenerateCommand.writeTextSamples(f, run.results(), captions));
        }
        String table = table(runs);
        SearchResult first = runs.getLast().results().getFirst();
        double wall = (System.nanoTime() - start) / 1e9;
        String header = String.format(Locale.ROOT, "Model %s, %s, guidance %s; %d prompts (%d of each category of"
                        + " %s); verifier %s; judged by the shapes checker (overall: the image is the caption's scene)."
                        + "%n%n", first.model().name(), first.finalSolver(), first.guidance(), prompts.size(),
                PER_CATEGORY, PromptSet.FILE, verifier);
        dir.write("report.md", f -> java.nio.file.Files.writeString(f, "# noisesearch demo: text to image\n\n" + header
                + table + "\n" + footer(runs, wall)));
        dir.write("report.json", f -> Json.write(f, document(runs, prompts, verifier, wall)));
        return table + footer(runs, wall);
    }

    private Run run(Method method, IntFunction<SearchRequest> requestFor, List<Caption> prompts) {
        // one untimed request first, so that loading the models and the JIT's warm-up land on no method
        engine.search(with(requestFor.apply(0), method));
        long start = System.nanoTime();
        List<SearchResult> results = new ArrayList<>();
        CheckSummary checked = new CheckSummary();
        for (int i = 0; i < prompts.size(); i++) {
            SearchResult result = engine.search(with(requestFor.apply(i), method));
            results.add(result);
            byte[] pixels = Pixels.toHwc(result.sample(), result.model().layout());
            checked.add(ShapeChecker.judge(pixels, 0, prompts.get(i)));
        }
        double wall = (System.nanoTime() - start) / 1e9;
        progress.printf(Locale.ROOT, "demo: %-12s %d prompts, %.1f s%n", method.name(), prompts.size(), wall);
        progress.flush();
        return new Run(method, results, checked, wall);
    }

    private static SearchRequest with(SearchRequest request, Method method) {
        return new SearchRequest(request.model(), request.label(), method.algorithm(), request.verifier(),
                request.searchSolver(), request.finalSolver(), request.guidance(), request.budgetNfe(), request.seed(),
                request.batchSize(), request.deadline(), request.prompt());
    }

    /** Per category: each method's overall, numeracy and spatial rates, and what search changed overall. */
    static String table(List<Run> runs) {
        List<String> header = new ArrayList<>(List.of("category", "n"));
        for (Run run : runs) {
            header.add(run.method().name() + " overall");
        }
        header.add("change");
        for (Run run : runs) {
            header.add(run.method().name() + " numeracy");
            header.add(run.method().name() + " spatial");
        }
        List<List<String>> rows = new ArrayList<>();
        Map<String, CheckSummary.Tally> first = runs.getFirst().checked().rows();
        for (String label : first.keySet()) {
            List<String> row = new ArrayList<>(List.of(label, Integer.toString(first.get(label).samples())));
            for (Run run : runs) {
                row.add(rate(run.checked().rows().get(label), Aspect.OVERALL));
            }
            double change = 100 * (runs.getLast().checked().rows().get(label).rate(Aspect.OVERALL)
                    - first.get(label).rate(Aspect.OVERALL));
            row.add(String.format(Locale.ROOT, "%+.1f", change));
            for (Run run : runs) {
                row.add(rate(run.checked().rows().get(label), Aspect.NUMERACY));
                row.add(rate(run.checked().rows().get(label), Aspect.SPATIAL));
            }
            rows.add(row);
        }
        return ReportTable.render(header, rows);
    }

    private static String rate(CheckSummary.Tally tally, Aspect aspect) {
        return tally.judged(aspect) == 0 ? "-" : String.format(Locale.ROOT, "%.1f%% (%d)", 100 * tally.rate(aspect),
                tally.passed(aspect));
    }

    private static String footer(List<Run> runs, double wall) {
        StringBuilder s = new StringBuilder();
        for (Run run : runs) {
            long nfe = run.results().stream().mapToLong(r -> r.compute().totalNfe()).sum();
            double gflops = run.results().stream().mapToDouble(r -> r.compute().flops()).sum() / 1e9;
            s.append(String.format(Locale.ROOT, "%s: %d NFEs, %.1f GFLOPs, %.1f s for %d prompts%n",
                    run.method().name(), nfe, gflops, run.wallSeconds(), run.results().size()));
        }
        s.append(String.format(Locale.ROOT, "%.1f s in all%n", wall));
        return s.toString();
    }

    /** Both samples of every prompt side by side, each under its caption with the method's name first. */
    private static void writeGrid(OutputDirectory dir, List<Run> runs, List<Caption> prompts) throws IOException {
        List<float[]> samples = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            for (Run run : runs) {
                samples.add(run.results().get(i).sample());
                captions.add((run.method().algorithm() instanceof NoSearch ? "none " : "search ")
                        + prompts.get(i).text());
            }
        }
        var layout = runs.getFirst().results().getFirst().model().layout();
        dir.write("grid.png", f -> PngWriter.writeCaptioned(f, samples, captions, layout, GRID_SCALE, GRID_COLUMNS));
    }

    private static Map<String, Object> document(List<Run> runs, List<Caption> prompts, String verifier, double wall) {
        SearchResult first = runs.getFirst().results().getFirst();
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("track", "t2i");
        doc.put("model", first.model().name());
        doc.put("verifier", verifier);
        doc.put("solver", first.finalSolver().toString());
        doc.put("guidance", first.guidance());
        doc.put("prompts", prompts.stream().map(Caption::text).toList());
        List<Map<String, Object>> methods = new ArrayList<>();
        for (Run run : runs) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("method", run.method().name());
            Map<String, Object> categories = new LinkedHashMap<>();
            run.checked().rows().forEach((label, tally) -> {
                Map<String, Object> aspects = new LinkedHashMap<>();
                for (Aspect aspect : Aspect.values()) {
                    if (tally.judged(aspect) > 0) {
                        aspects.put(aspect.label(), Map.of("judged", tally.judged(aspect), "passed",
                                tally.passed(aspect), "rate", tally.rate(aspect)));
                    }
                }
                categories.put(label, Map.of("samples", tally.samples(), "aspects", aspects));
            });
            m.put("categories", categories);
            m.put("overall", run.checked().all().rate(Aspect.OVERALL));
            m.put("verdicts", run.checked().judgements().stream().map(j -> j.overall()).toList());
            m.put("totalNfe", run.results().stream().mapToLong(r -> r.compute().totalNfe()).sum());
            m.put("flops", run.results().stream().mapToLong(r -> r.compute().flops()).sum());
            m.put("wallSeconds", run.wallSeconds());
            methods.add(m);
        }
        doc.put("methods", methods);
        doc.put("wallSeconds", wall);
        return doc;
    }
}

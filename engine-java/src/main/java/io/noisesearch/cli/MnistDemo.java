package io.noisesearch.cli;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.engine.Engine;
import io.noisesearch.report.MnistDemoReport;
import io.noisesearch.format.PngWriter;
import io.noisesearch.metrics.Evaluator;
import io.noisesearch.model.Denoiser;
import io.noisesearch.model.ModelInfo;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.search.NoSearch;
import io.noisesearch.search.PathSearch;
import io.noisesearch.search.RandomSearch;
import io.noisesearch.search.SearchAlgorithm;
import io.noisesearch.search.SearchPlan;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.SearchResult;
import io.noisesearch.search.ZeroOrderSearch;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The README's demo on a trained class-conditional image model (default {@code mnist-flow-s}): for every digit,
 * {@code perClass} samples (sample i with seed {@code seed + i}, the same seeds for every method) made by
 * <ul>
 *   <li>{@code none}: one noise, the final solver;</li>
 *   <li>{@code more-steps}: one noise, a final solver as long as a search method's total (budget + final solve);</li>
 *   <li>{@code random}, {@code zero-order}, {@code paths}: each the smallest of its family that plans at least the
 *       search budget, capped by it, searching with a cheap solver (PAPER.md: many cheap search iterations, one
 *       full-cost final solve).</li>
 * </ul>
 * Each method's samples are then measured by the evaluation network the model's manifest names (role
 * {@code evaluator}): accuracy of the requested digit, IS, FID, precision and recall.
 */
final class MnistDemo {

    static final String DEFAULT_MODEL = "mnist-flow-s";
    static final String DEFAULT_VERIFIER = "classifier";
    /** Sized so the demo ends well inside 5 minutes on a 2-core machine (docs/results.md). */
    static final int DEFAULT_PER_CLASS = 6;
    static final long DEFAULT_BUDGET_NFE = 100;
    static final int DEFAULT_SEARCH_STEPS = 10;
    /** Zero-order: 3 neighbours a round, so that the pivot and K = 3 rounds fill 100 NFEs of Euler x10 exactly. */
    static final int ZERO_ORDER_NEIGHBOURS = 3;
    static final double ZERO_ORDER_COSINE = 0.95;
    /**
     * Paths: M = 4, from sigma = 0.4 forward 0.1 and back 0.2 in L = 2 steps, four rounds at Euler x10's step
     * density; two paths (6 NFEs each to sigma, then 4 x 2 x (3 + 3 + 3 + 2)) fill 100 NFEs exactly.
     */
    static final int PATH_WIDTH = 4;
    static final double PATH_START = 0.4;
    static final double PATH_FORWARD = 0.1;
    static final double PATH_BACKWARD = 0.2;
    static final int PATH_LENGTH = 2;
    private static final int GRID_SCALE = 2;
    private static final int GRID_GAP = 2;

    /** The demo's knobs; {@code finalSolver} null and {@code guidance} NaN take the model's defaults. */
    record Settings(String model, String verifier, int perClass, long budgetNfe, SolverSettings searchSolver,
                    SolverSettings finalSolver, double guidance, long firstSeed, String backend) {
    }

    /** One row of the demo: how the sample is made and the solver of its returned sample. */
    record Method(String name, SearchAlgorithm algorithm, SolverSettings finalSolver, String configuration) {
    }

    private final Engine engine;
    private final Settings settings;
    private final int threads;
    private final PrintWriter progress;

    MnistDemo(Engine engine, Settings settings, int threads, PrintWriter progress) {
        this.engine = engine;
        this.settings = settings;
        this.threads = threads;
        this.progress = progress;
    }

    /**
     * The five rows at one search budget: none, more steps, random, zero-order and paths, each search method the
     * smallest of its family that plans at least {@code budgetNfe} search NFEs with {@code search}.
     */
    static List<Method> methods(SearchPlan plan, SolverSettings last, long budgetNfe) {
        SolverSettings search = plan.searchSolver();
        SolverSettings longer = lasting(last.kind(), budgetNfe + last.fullNfe());
        SearchAlgorithm random = Demo.smallestReaching(RandomSearch::new, plan, budgetNfe);
        SearchAlgorithm zeroOrder = Demo.smallestReaching(
                k -> new ZeroOrderSearch(ZERO_ORDER_NEIGHBOURS, k, ZERO_ORDER_COSINE, Double.NaN), plan, budgetNfe);
        SearchAlgorithm paths = Demo.smallestReaching(
                n -> new PathSearch(n, PATH_WIDTH, PATH_START, PATH_FORWARD, PATH_BACKWARD, PATH_LENGTH), plan,
                budgetNfe);
        String searched = "; search " + search + ", final " + last;
        return List.of(
                new Method("none", new NoSearch(), last, "one noise, " + last),
                new Method("more-steps", new NoSearch(), longer, "one noise, " + longer),
                new Method("random", random, last, Demo.describe(random) + searched),
                new Method("zero-order", zeroOrder, last, Demo.describe(zeroOrder) + searched),
                new Method("paths", paths, last, Demo.describe(paths) + "; search " + search
                        + ", no final solve"));
    }

    /** The solver of {@code kind} whose full solve costs about {@code nfe} NFEs (Heun: 2 steps - 1). */
    static SolverSettings lasting(SolverKind kind, long nfe) {
        long steps = kind == SolverKind.HEUN ? (nfe + 1) / 2 : nfe;
        return new SolverSettings(kind, Math.toIntExact(Math.max(1, steps)));
    }

    /** Runs every method, writes {@code grid.png} into {@code dir} and returns the report (not yet written). */
    MnistDemoReport run(Path dir) throws IOException {
        long start = System.nanoTime();
        Denoiser model = engine.model(settings.model());
        ModelInfo info = model.info();
        if (!info.isImage() || info.classes() < 2) {
            throw new InvalidRequestException("--model " + info.name() + ": the demo needs a class-conditional image"
                    + " model");
        }
        SolverSettings last = settings.finalSolver() != null ? settings.finalSolver() : info.defaultSolver();
        SearchPlan plan = new SearchPlan(info.schedule(), settings.searchSolver());
        List<Method> methods = methods(plan, last, settings.budgetNfe());
        double guidance = Double.isNaN(settings.guidance()) ? info.defaultGuidance() : settings.guidance();
        List<MnistDemoReport.Method> rows = new ArrayList<>();
        List<List<float[]>> grid = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        {
            Evaluator evaluator = engine.evaluator(model);
            warmUp(methods);
            float[] noneScores = null;
            for (Method method : methods) {
                List<SearchResult> results;
                long methodStart = System.nanoTime();
                try {
                    results = runAll(method, info);
                } catch (InvalidRequestException e) {
                    skipped.add(method.name() + " was skipped: " + e.getMessage());
                    continue;
                }
                double wall = (System.nanoTime() - methodStart) / 1e9;
                float[] scores = new float[results.size()];
                for (int i = 0; i < scores.length; i++) {
                    scores[i] = results.get(i).score();
                }
                boolean baseline = method.name().equals("none");
                noneScores = baseline ? scores : noneScores;
                rows.add(summarize(method, plan, results, scores, baseline ? null : noneScores, evaluator, wall));
                grid.add(firstOfEachClass(results, info.classes()));
            }
            PngWriter.writeGrid(dir.resolve("grid.png"), grid, info.layout(), GRID_SCALE, GRID_GAP);
            double total = (System.nanoTime() - start) / 1e9;
            return new MnistDemoReport(info.name(), settings.verifier(), evaluator.name(), settings.backend(),
                    info.classes(), settings.perClass(), settings.firstSeed(), settings.budgetNfe(),
                    settings.searchSolver().toString(), last.toString(), guidance, total, rows,
                    notes(methods, rows, skipped, evaluator, last));
        }
    }

    /** One small untimed search on both solvers, so that loading the models and JIT warm-up land on no method. */
    private void warmUp(List<Method> methods) {
        SearchRequest request = SearchRequest.of(settings.model(), 0, new RandomSearch(2), settings.verifier(), -1)
                .withSolvers(settings.searchSolver(), methods.getFirst().finalSolver())
                .withGuidance(settings.guidance());
        engine.search(request);
    }

    private List<SearchResult> runAll(Method method, ModelInfo info) {
        List<SearchResult> results = new ArrayList<>();
        int total = info.classes() * settings.perClass();
        long start = System.nanoTime();
        for (int label = 0; label < info.classes(); label++) {
            for (int j = 0; j < settings.perClass(); j++) {
                long seed = settings.firstSeed() + (long) label * settings.perClass() + j;
                SearchRequest request = SearchRequest.of(settings.model(), label, method.algorithm(),
                                settings.verifier(), seed)
                        .withSolvers(settings.searchSolver(), method.finalSolver())
                        .withGuidance(settings.guidance())
                        .withBudget(method.algorithm() instanceof NoSearch ? SearchRequest.UNLIMITED
                                : settings.budgetNfe());
                results.add(engine.search(request));
            }
        }
        progress.printf(Locale.ROOT, "demo: %-10s %d samples, %.1f s%n", method.name(), total,
                (System.nanoTime() - start) / 1e9);
        progress.flush();
        return results;
    }

    private static List<float[]> firstOfEachClass(List<SearchResult> results, int classes) {
        List<float[]> row = new ArrayList<>();
        for (int label = 0; label < classes; label++) {
            for (SearchResult result : results) {
                if (result.label() == label) {
                    row.add(result.sample());
                    break;
                }
            }
        }
        return row;
    }

    private MnistDemoReport.Method summarize(Method method, SearchPlan plan, List<SearchResult> results,
                                             float[] scores, float[] baseline, Evaluator evaluator, double wall) {
        int n = results.size();
        float[][] images = new float[n][];
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            images[i] = results.get(i).sample();
            labels[i] = results.get(i).label();
        }
        Evaluator.Evaluation evaluation = evaluator.evaluate(images, labels);
        double mean = 0;
        for (float score : scores) {
            mean += score;
        }
        mean /= n;
        double variance = 0;
        for (float score : scores) {
            variance += (score - mean) * (score - mean);
        }
        double standardError = n > 1 ? Math.sqrt(variance / (n - 1) / n) : 0;
        Double wins = null;
        if (baseline != null) {
            int won = 0;
            for (int i = 0; i < n; i++) {
                won += scores[i] > baseline[i] ? 1 : 0;
            }
            wins = (double) won / n;
        }
        return new MnistDemoReport.Method(method.name(), method.configuration(), n,
                method.algorithm().plannedSearchNfe(plan), mean, standardError, wins, evaluation.accuracy(),
                evaluation.inceptionScore(), evaluation.fid(), evaluation.precision(), evaluation.recall(),
                evaluation.perClassAccuracy(),
                results.stream().mapToLong(r -> r.compute().searchNfe()).average().orElse(0),
                results.stream().mapToLong(r -> r.compute().finalNfe()).average().orElse(0),
                results.stream().mapToLong(r -> r.compute().totalNfe()).average().orElse(0),
                results.stream().mapToLong(r -> r.compute().flops()).average().orElse(0) / 1e9,
                wall, (int) results.stream().filter(SearchResult::budgetExhausted).count());
    }

    private List<String> notes(List<Method> methods, List<MnistDemoReport.Method> rows, List<String> skipped,
                               Evaluator evaluator, SolverSettings last) {
        List<String> notes = new ArrayList<>();
        notes.add("Verifier score: the `" + settings.verifier() + "` verifier's score of the returned sample (for"
                + " `classifier`, the log-probability of the requested digit; higher is better). \"beats none\":"
                + " the share of samples scoring above no search's sample of the same digit and seed (none and"
                + " random share their first noise).");
        notes.add("Accuracy, IS, FID, precision and recall are measured by the evaluation network `"
                + evaluator.name() + "` (precision / recall: k-NN manifolds, k = " + Evaluator.K + ") against "
                + evaluator.referenceFeatures().length + " real test digits. With only " + settings.perClass() * 10
                + " samples per method FID is biased upwards: compare rows with each other, not with published"
                + " numbers.");
        Method longer = methods.get(1);
        notes.add("more-steps: no search, with the final solver lengthened to " + longer.finalSolver()
                + ", the total NFEs (search budget " + settings.budgetNfe() + " + final " + last.fullNfe()
                + ") that random and zero-order spend: the compute goes into denoising steps instead of search.");
        if (rows.stream().anyMatch(row -> row.method().equals("paths"))
                && methods.get(4).algorithm() instanceof PathSearch p) {
            notes.add(String.format(Locale.ROOT, "paths returns the sample its search ends on: the paths reach level 0"
                            + " during the search (%s to sigma = %s, then %d steps per backward step of %s) and are not"
                            + " re-solved, so paths has no final solve and spends about %d fewer total NFEs than random"
                            + " and zero-order at the same search budget. Where the budget stops it above level 0, the"
                            + " best path is finished with the search solver, counted as final NFEs.",
                    settings.searchSolver(), p.searchStart(), p.pathLength(), p.backwardStep(),
                    last.fullNfe()));
        }
        for (MnistDemoReport.Method row : rows) {
            if (row.budgetExhaustedRuns() > 0 && row.plannedSearchNfe() > settings.budgetNfe()) {
                notes.add(String.format(Locale.ROOT, "%s plans %d search NFEs; the budget of %d capped it in %d of %d"
                                + " samples.", row.method(), row.plannedSearchNfe(), settings.budgetNfe(),
                        row.budgetExhaustedRuns(), row.samples()));
            }
        }
        notes.addAll(skipped);
        return notes;
    }
}

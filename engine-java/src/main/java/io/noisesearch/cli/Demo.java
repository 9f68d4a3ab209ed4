package io.noisesearch.cli;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.LimitExceededException;
import io.noisesearch.engine.Engine;
import io.noisesearch.format.OutputDirectory;
import io.noisesearch.format.PngWriter;
import io.noisesearch.metrics.Evaluator;
import io.noisesearch.model.Denoiser;
import io.noisesearch.model.ModelInfo;
import io.noisesearch.model.TrainedModel;
import io.noisesearch.report.DemoReport;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.search.BeamSearch;
import io.noisesearch.search.EvolutionSearch;
import io.noisesearch.search.GradientSearch;
import io.noisesearch.search.NoSearch;
import io.noisesearch.search.PathSearch;
import io.noisesearch.search.PruneSearch;
import io.noisesearch.search.RandomSearch;
import io.noisesearch.search.SearchAlgorithm;
import io.noisesearch.search.SearchPlan;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.SearchResult;
import io.noisesearch.search.SmcSearch;
import io.noisesearch.search.ZeroOrderSearch;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * The README's demo: for every class of an image model, {@code perClass} samples made by each method of a list (no
 * search first, then searches held to one search budget), scored by one verifier. Trained models' samples are also
 * measured by the evaluation network their manifest names (role {@code evaluator}): accuracy of the requested class,
 * IS, FID, precision and recall. Writes {@code grid.png} (a row per method, a column per class).
 */
final class Demo {

    /** The exact-mixture demo: the oracle verifier scores the exact log-density, so search beats no search exactly. */
    static final String MIXTURE_MODEL = "gmm-image";
    static final String MIXTURE_VERIFIER = "oracle";
    static final int MIXTURE_PER_CLASS = 20;
    /**
     * With gmm-image's Heun x10 (19 NFEs a solve) four paths at the mixture demo's path settings cost exactly 352
     * NFEs, and random and zero-order fit 18 solves (342): the methods' granularities line up.
     */
    static final long MIXTURE_BUDGET_NFE = 352;

    static final String TRAINED_MODEL = "mnist-flow-s";
    static final String TRAINED_VERIFIER = "classifier";
    /** Sized so the demo ends well inside 5 minutes on a 2-core machine (docs/results.md). */
    static final int TRAINED_PER_CLASS = 6;
    static final long TRAINED_BUDGET_NFE = 100;
    static final int TRAINED_SEARCH_STEPS = 10;
    /**
     * Paths on trained models: M = 4, from sigma = 0.4 forward 0.1 and back 0.2 in L = 2 steps, four rounds at Euler
     * x10's step density; two paths (6 NFEs each to sigma, then 4 x 2 x (3 + 3 + 3 + 2)) fill 100 NFEs exactly.
     */
    static final int PATH_WIDTH = 4;
    static final double PATH_START = 0.4;
    static final double PATH_FORWARD = 0.1;
    static final double PATH_BACKWARD = 0.2;
    static final int PATH_LENGTH = 2;

    private static final int MAX_SIZE = 1 << 20;
    /** Grid cells about this many pixels wide, whatever the model's image size. */
    private static final int GRID_CELL = 56;
    private static final int GRID_GAP = 2;

    /**
     * The demo's knobs. Sample j of class c has seed {@code firstSeed + c * perClass + j}, or {@code firstSeed + j}
     * with {@code sameSeedsForEveryClass}; every method uses the same seeds. {@code guidance} NaN takes the model's.
     */
    record Settings(String model, String verifier, int perClass, long budgetNfe, SolverSettings searchSolver,
                    SolverSettings finalSolver, double guidance, long firstSeed, boolean sameSeedsForEveryClass,
                    int batchSize, String backend) {

        long seed(int label, int j) {
            return firstSeed + (sameSeedsForEveryClass ? 0 : (long) label * perClass) + j;
        }
    }

    /**
     * One row of the demo: how the sample is made and the solver of its returned sample.
     *
     * @param note what a reader must know about this row to compare it fairly; null if nothing
     */
    record Method(String name, SearchAlgorithm algorithm, SolverSettings finalSolver, String configuration,
                  String note) {
    }

    private final Engine engine;
    private final Settings settings;
    private final PrintWriter progress;

    Demo(Engine engine, Settings settings, PrintWriter progress) {
        this.engine = engine;
        this.settings = settings;
        this.progress = progress;
    }

    /**
     * gmm-image: no search, then random, zero-order and paths, each the smallest of its family that plans at least
     * the budget with the model's solver. Zero-order keeps the paper's small neighbourhood (N = 4) and spends a
     * larger budget on more iterations.
     */
    static List<Method> mixtureMethods(SearchPlan plan, long budgetNfe) {
        SolverSettings last = plan.searchSolver();
        return List.of(
                new Method("none", new NoSearch(), last, "one noise, final solve only", null),
                searched(smallestReaching(RandomSearch::new, plan, budgetNfe), last),
                searched(smallestReaching(k -> new ZeroOrderSearch(4, k, 0.95, Double.NaN), plan, budgetNfe), last),
                searched(smallestReaching(n -> new PathSearch(n, 2, 0.4, 0.05, 0.1, 2), plan, budgetNfe), last));
    }

    private static Method searched(SearchAlgorithm algorithm, SolverSettings last) {
        return new Method(algorithm.id(), algorithm, last, describe(algorithm), null);
    }

    /**
     * Trained models: none, more steps (one noise, a final solver as long as a search method's total: budget + final
     * solve), then random, zero-order and paths, each the smallest of its family that plans at least the budget with
     * the cheap search solver (PAPER.md: many cheap search iterations, one full-cost final solve). Zero-order: 3
     * neighbours a round, so that the pivot and K = 3 rounds fill 100 NFEs of Euler x10 exactly.
     */
    static List<Method> trainedMethods(SearchPlan plan, SolverSettings last, long budgetNfe) {
        SolverSettings search = plan.searchSolver();
        SolverSettings longer = lasting(last.kind(), budgetNfe + last.fullNfe());
        SearchAlgorithm random = smallestReaching(RandomSearch::new, plan, budgetNfe);
        SearchAlgorithm zeroOrder = smallestReaching(k -> new ZeroOrderSearch(3, k, 0.95, Double.NaN), plan,
                budgetNfe);
        SearchAlgorithm paths = smallestReaching(
                n -> new PathSearch(n, PATH_WIDTH, PATH_START, PATH_FORWARD, PATH_BACKWARD, PATH_LENGTH), plan,
                budgetNfe);
        String searched = "; search " + search + ", final " + last;
        String longerNote = "more-steps: no search, with the final solver lengthened to " + longer + ", the total NFEs"
                + " (search budget " + budgetNfe + " + final " + last.fullNfe() + ") that random and zero-order"
                + " spend: the compute goes into denoising steps instead of search.";
        String pathsNote = String.format(Locale.ROOT, "paths returns the sample its search ends on: the paths reach"
                        + " level 0 during the search (%s to sigma = %s, then %d steps per backward step of %s) and are"
                        + " not re-solved, so paths has no final solve and spends about %d fewer total NFEs than random"
                        + " and zero-order at the same search budget. Where the budget stops it above level 0, the"
                        + " best path is finished with the search solver, counted as final NFEs.",
                search, PATH_START, PATH_LENGTH, PATH_BACKWARD, last.fullNfe());
        return List.of(
                new Method("none", new NoSearch(), last, "one noise, " + last, null),
                new Method("more-steps", new NoSearch(), longer, "one noise, " + longer, longerNote),
                new Method("random", random, last, describe(random) + searched, null),
                new Method("zero-order", zeroOrder, last, describe(zeroOrder) + searched, null),
                new Method("paths", paths, last, describe(paths) + "; search " + search + ", no final solve",
                        pathsNote));
    }

    /** The smallest member of a one-parameter family (size 1, 2, ...) whose planned search NFEs reach the budget. */
    static SearchAlgorithm smallestReaching(IntFunction<SearchAlgorithm> family, SearchPlan plan, long budgetNfe) {
        for (int size = 1; size <= MAX_SIZE; size++) {
            SearchAlgorithm algorithm = family.apply(size);
            if (algorithm.plannedSearchNfe(plan) >= budgetNfe) {
                return algorithm;
            }
        }
        throw new IllegalArgumentException("--budget-nfe " + budgetNfe + " is too large for the demo");
    }

    /** The solver of {@code kind} whose full solve costs about {@code nfe} NFEs (Heun: 2 steps - 1). */
    static SolverSettings lasting(SolverKind kind, long nfe) {
        long steps = kind == SolverKind.HEUN ? (nfe + 1) / 2 : nfe;
        if (steps > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--budget-nfe: the more-steps method would need " + steps + " "
                    + kind.name().toLowerCase(Locale.ROOT) + " steps, more than a solver takes ("
                    + Integer.MAX_VALUE + ")");
        }
        return new SolverSettings(kind, (int) Math.max(1, steps));
    }

    /** The hyperparameters in the paper's symbols. */
    static String describe(SearchAlgorithm algorithm) {
        return switch (algorithm) {
            case NoSearch none -> "one noise, final solve only";
            case RandomSearch r -> "N=" + r.candidates();
            case ZeroOrderSearch z -> Double.isNaN(z.lambda())
                    ? String.format(Locale.ROOT, "N=%d, K=%d, c=%s", z.neighbours(), z.iterations(), z.cosine())
                    : String.format(Locale.ROOT, "N=%d, K=%d, lambda=%s", z.neighbours(), z.iterations(), z.lambda());
            case PathSearch p -> String.format(Locale.ROOT, "N=%d, M=%d, sigma=%s, df=%s, db=%s, L=%d", p.paths(),
                    p.width(), p.searchStart(), p.forwardStep(), p.backwardStep(), p.pathLength());
            case PruneSearch p -> String.format(Locale.ROOT, "N=%d, cuts at %s, keep 1/%d", p.candidates(),
                    p.pruneAt(), p.keep());
            case SmcSearch p -> String.format(Locale.ROOT, "K=%d, %s potential, lambda=%s, %s, every %d, tau=%s",
                    p.particles(), p.potential().id(), p.lambda(), p.resampling().id(), p.every(), p.essThreshold());
            case BeamSearch b -> String.format(Locale.ROOT, "%s B=%d, k=%d, levels %s, c=%s%s", b.mode(), b.beams(),
                    b.children(), b.levels(), b.cosine(), Double.isNaN(b.threshold()) ? "" : ", threshold "
                            + b.threshold());
            case EvolutionSearch e -> String.format(Locale.ROOT, "P=%s, G=%d, E=%d, c=%s..%s", e.population(),
                    e.generations(), e.elites(), e.cosineStart(), e.cosineEnd());
            case GradientSearch g -> String.format(Locale.ROOT, "R=%d, K=%d, c=%s", g.candidates(), g.iterations(),
                    g.stepCosine());
        };
    }

    /**
     * Runs every method, writes {@code grid.png} into {@code dir} and returns the report (not yet written). The
     * first method is the baseline of "beats none".
     */
    DemoReport run(List<Method> methods, OutputDirectory dir) throws IOException {
        long start = System.nanoTime();
        Denoiser model = engine.model(settings.model());
        ModelInfo info = model.info();
        if (!info.isImage() || info.classes() < 2) {
            throw new InvalidRequestException("--model " + info.name() + ": the demo needs a class-conditional image"
                    + " model");
        }
        SearchPlan plan = new SearchPlan(info.schedule(), settings.searchSolver());
        Evaluator evaluator = model instanceof TrainedModel ? engine.evaluator(model) : null;
        List<DemoReport.Method> rows = new ArrayList<>();
        List<List<float[]>> grid = new ArrayList<>();
        List<String> methodNotes = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        List<SearchResult> none = null;
        for (Method method : methods) {
            List<SearchResult> results;
            double wall;
            try {
                // One untimed search first, so that loading the models and JIT warm-up land on no method.
                engine.search(request(method, 0, -1));
                long methodStart = System.nanoTime();
                results = runAll(method, info.classes());
                wall = (System.nanoTime() - methodStart) / 1e9;
            } catch (LimitExceededException e) {
                throw e; // over a limit: refused, not skipped
            } catch (InvalidRequestException e) {
                skipped.add(method.name() + " was skipped: " + e.getMessage());
                continue;
            }
            progress.printf(Locale.ROOT, "demo: %-10s %d samples, %.1f s%n", method.name(), results.size(), wall);
            progress.flush();
            boolean baseline = method == methods.getFirst();
            none = baseline ? results : none;
            rows.add(DemoReport.Method.of(method.name(), method.configuration(),
                    method.algorithm().plannedSearchNfe(plan), results, baseline ? null : none,
                    evaluator == null ? null : measure(evaluator, results), wall));
            grid.add(firstOfEachClass(results, info.classes()));
            if (method.note() != null) {
                methodNotes.add(method.note());
            }
        }
        int scale = Math.ceilDiv(GRID_CELL, info.width());
        dir.write("grid.png", file -> PngWriter.writeGrid(file, grid, info.layout(), scale, GRID_GAP));
        List<String> notes = new ArrayList<>(intro(evaluator, info.classes()));
        notes.addAll(methodNotes);
        notes.addAll(capped(rows));
        notes.addAll(skipped);
        double guidance = Double.isNaN(settings.guidance()) ? info.defaultGuidance() : settings.guidance();
        return new DemoReport(info.name(), settings.verifier(), evaluator == null ? null : evaluator.name(),
                settings.backend(), info.classes(), settings.perClass(), settings.firstSeed(),
                settings.sameSeedsForEveryClass(), settings.budgetNfe(), settings.searchSolver().toString(),
                settings.finalSolver().toString(), guidance, (System.nanoTime() - start) / 1e9, rows, notes);
    }

    /** No search runs without a budget: more-steps spends its NFEs in the final solve. */
    private SearchRequest request(Method method, int label, long seed) {
        return SearchRequest.of(settings.model(), label, method.algorithm(), settings.verifier(), seed)
                .withSolvers(settings.searchSolver(), method.finalSolver())
                .withGuidance(settings.guidance())
                .withBatchSize(settings.batchSize())
                .withBudget(method.algorithm() instanceof NoSearch ? SearchRequest.UNLIMITED : settings.budgetNfe());
    }

    private List<SearchResult> runAll(Method method, int classes) {
        List<SearchResult> results = new ArrayList<>();
        for (int label = 0; label < classes; label++) {
            for (int j = 0; j < settings.perClass(); j++) {
                results.add(engine.search(request(method, label, settings.seed(label, j))));
            }
        }
        return results;
    }

    private static DemoReport.Quality measure(Evaluator evaluator, List<SearchResult> results) {
        float[][] images = new float[results.size()][];
        long[] labels = new long[results.size()];
        for (int i = 0; i < images.length; i++) {
            images[i] = results.get(i).sample();
            labels[i] = results.get(i).label();
        }
        return DemoReport.Quality.of(evaluator.evaluate(images, labels));
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

    /** What the score column means and, where measured, how the evaluation network measures. */
    private List<String> intro(Evaluator evaluator, int classes) {
        String meaning = switch (settings.verifier()) {
            case "classifier" -> "for `classifier`, the log-probability of the requested digit; ";
            case "oracle" -> "for `oracle`, the exact log-density of the requested class; ";
            default -> "";
        };
        List<String> notes = new ArrayList<>();
        notes.add("Verifier score: the `" + settings.verifier() + "` verifier's score of the returned sample ("
                + meaning + "higher is better). \"beats none\": the share of samples scoring above no search's sample"
                + " of the same class and seed (none and random share their first noise).");
        if (evaluator != null) {
            notes.add("Accuracy, IS, FID, precision and recall are measured by the evaluation network `"
                    + evaluator.name() + "` (precision / recall: k-NN manifolds, k = " + Evaluator.K + ") against "
                    + evaluator.referenceFeatures().length + " real test images. With only "
                    + classes * settings.perClass() + " samples per method FID is biased upwards: compare rows with"
                    + " each other, not with published numbers.");
        }
        return notes;
    }

    private List<String> capped(List<DemoReport.Method> rows) {
        List<String> notes = new ArrayList<>();
        for (DemoReport.Method row : rows) {
            if (row.budgetExhaustedRuns() > 0 && row.plannedSearchNfe() > settings.budgetNfe()) {
                notes.add(String.format(Locale.ROOT, "%s plans %d search NFEs; the budget of %d capped it in %d of %d"
                                + " samples.", row.method(), row.plannedSearchNfe(), settings.budgetNfe(),
                        row.budgetExhaustedRuns(), row.samples()));
            }
        }
        return notes;
    }
}

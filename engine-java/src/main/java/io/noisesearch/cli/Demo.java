package io.noisesearch.cli;

import io.noisesearch.engine.Engine;
import io.noisesearch.report.DemoReport;
import io.noisesearch.report.DemoReport.MethodSummary;
import io.noisesearch.model.ModelInfo;
import io.noisesearch.search.NoSearch;
import io.noisesearch.search.PathSearch;
import io.noisesearch.search.RandomSearch;
import io.noisesearch.search.SearchAlgorithm;
import io.noisesearch.search.SearchPlan;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.SearchResult;
import io.noisesearch.search.ZeroOrderSearch;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * The README's demo: no search and the three algorithms of PAPER.md on {@code gmm-image}, every class and a few
 * seeds each, all with the oracle verifier at one search budget. Each algorithm is sized to plan at least the
 * budget and is capped by it, so every method spends about the same search NFEs.
 */
final class Demo {

    static final String MODEL = "gmm-image";
    static final String VERIFIER = "oracle";
    /** Zero-order keeps the paper's small neighbourhood and spends a larger budget on more iterations. */
    static final int ZERO_ORDER_NEIGHBOURS = 4;
    static final int PATH_WIDTH = 2;
    private static final int MAX_SIZE = 1 << 20;

    private final Engine engine;
    private final String backend;
    private final long budgetNfe;
    private final int seedsPerClass;

    Demo(Engine engine, String backend, long budgetNfe, int seedsPerClass) {
        this.engine = engine;
        this.backend = backend;
        this.budgetNfe = budgetNfe;
        this.seedsPerClass = seedsPerClass;
    }

    /** No search first (the baseline), then each search sized to plan at least the budget under {@code plan}. */
    static List<SearchAlgorithm> methods(SearchPlan plan, long budgetNfe) {
        return List.of(
                new NoSearch(),
                smallestReaching(RandomSearch::new, plan, budgetNfe),
                smallestReaching(k -> new ZeroOrderSearch(ZERO_ORDER_NEIGHBOURS, k, 0.95, Double.NaN), plan, budgetNfe),
                smallestReaching(n -> new PathSearch(n, PATH_WIDTH, 0.4, 0.05, 0.1, 2), plan, budgetNfe));
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

    DemoReport run() {
        ModelInfo info = engine.model(MODEL).info();
        SearchPlan plan = new SearchPlan(info.schedule(), info.defaultSolver());
        float[] noSearchScores = null;
        List<MethodSummary> summaries = new ArrayList<>();
        for (SearchAlgorithm method : methods(plan, budgetNfe)) {
            List<SearchResult> results = runAll(method, info.classes());
            float[] scores = scores(results);
            boolean baseline = method instanceof NoSearch;
            noSearchScores = baseline ? scores : noSearchScores;
            summaries.add(summarize(method, method.plannedSearchNfe(plan), results, scores,
                    baseline ? null : noSearchScores));
        }
        return new DemoReport(MODEL, VERIFIER, backend, budgetNfe, info.classes(), seedsPerClass, summaries);
    }

    /** Every (class, seed), after one untimed search so that JIT warm-up does not land on the first method. */
    private List<SearchResult> runAll(SearchAlgorithm algorithm, int classes) {
        engine.search(request(algorithm, 0, -1));
        List<SearchResult> results = new ArrayList<>();
        for (int label = 0; label < classes; label++) {
            for (int seed = 0; seed < seedsPerClass; seed++) {
                results.add(engine.search(request(algorithm, label, seed)));
            }
        }
        return results;
    }

    private SearchRequest request(SearchAlgorithm algorithm, int label, long seed) {
        return SearchRequest.of(MODEL, label, algorithm, VERIFIER, seed).withBudget(budgetNfe);
    }

    private static float[] scores(List<SearchResult> results) {
        float[] scores = new float[results.size()];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = results.get(i).score();
        }
        return scores;
    }

    private static MethodSummary summarize(SearchAlgorithm method, long planned, List<SearchResult> results, float[] scores,
                                           float[] baseline) {
        int n = results.size();
        double mean = mean(scores);
        double variance = 0;
        for (float score : scores) {
            variance += (score - mean) * (score - mean);
        }
        double standardError = n > 1 ? Math.sqrt(variance / (n - 1) / n) : 0;
        return new MethodSummary(method.id(), describe(method), planned, n, mean, standardError,
                results.stream().mapToLong(r -> r.compute().searchNfe()).average().orElse(0),
                results.stream().mapToLong(r -> r.compute().finalNfe()).average().orElse(0),
                results.stream().mapToLong(r -> r.compute().wallMillis()).average().orElse(0),
                (int) results.stream().filter(SearchResult::budgetExhausted).count(),
                baseline == null ? null : winRate(scores, baseline));
    }

    private static double mean(float[] values) {
        double sum = 0;
        for (float value : values) {
            sum += value;
        }
        return values.length == 0 ? Double.NaN : sum / values.length;
    }

    /** Share of runs that beat the baseline on the same (class, seed): a paired view the means can hide. */
    private static double winRate(float[] scores, float[] baseline) {
        int wins = 0;
        for (int i = 0; i < scores.length; i++) {
            wins += scores[i] > baseline[i] ? 1 : 0;
        }
        return scores.length == 0 ? 0 : (double) wins / scores.length;
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
        };
    }
}

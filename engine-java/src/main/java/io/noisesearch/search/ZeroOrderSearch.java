package io.noisesearch.search;

import io.noisesearch.backend.Batch;
import io.noisesearch.noise.CandidateKeys;
import io.noisesearch.verify.Scores;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Zero-order search (PAPER.md, algorithm 2): from a random pivot noise, each iteration proposes N neighbours
 * on the sphere of the pivot's norm at cosine c (L2 distance lambda = |n| sqrt(2 - 2c)); the best neighbour
 * becomes the pivot if it beats it, otherwise the pivot is kept and the iteration is marked rejected. Give
 * either a cosine or a step length lambda (NaN for the other).
 */
public record ZeroOrderSearch(int neighbours, int iterations, double cosine, double lambda)
        implements SearchAlgorithm {

    public ZeroOrderSearch {
        if (neighbours < 1) {
            throw new IllegalArgumentException("--neighbours (or --candidates) must be at least 1, got " + neighbours);
        }
        if (iterations < 0 || iterations > CandidateKeys.MAX_ITERATION) {
            throw new IllegalArgumentException("--iterations must lie in 0.." + CandidateKeys.MAX_ITERATION
                    + " (the iteration field of candidate keys), got " + iterations);
        }
        if (Double.isNaN(cosine) == Double.isNaN(lambda)) {
            throw new IllegalArgumentException("zero-order search takes exactly one of --cosine and --lambda");
        }
        if (!Double.isNaN(cosine) && !(cosine > -1 && cosine < 1)) {
            throw new IllegalArgumentException("--cosine must lie in (-1, 1), got " + cosine);
        }
        if (!Double.isNaN(lambda) && !(lambda > 0 && Double.isFinite(lambda))) {
            throw new IllegalArgumentException("--lambda must be positive, got " + lambda);
        }
    }

    @Override
    public String id() {
        return "zero-order";
    }

    /** The pivot's solve plus N neighbours in each of K iterations: (1 + N K) solves. */
    @Override
    public long plannedSearchNfe(SearchPlan plan) {
        return Math.multiplyExact(plannedCandidates(), plan.searchSolver().fullNfe());
    }

    /**
     * The pivot's noise, sample and capture, the N directions, samples and captures every iteration reuses, and the
     * capture of the final solve; the N are allocated whole whatever the budget.
     */
    @Override
    public long peakRows(SearchPlan plan, long budgetNfe, boolean captures, int poolChunkRows) {
        if (budgetNfe < plan.searchSolver().fullNfe()) {
            return new NoSearch().peakRows(plan, budgetNfe, captures, poolChunkRows);
        }
        return (captures ? 3L : 2L) * neighbours + (captures ? 4 : 2);
    }

    @Override
    public long plannedCandidates() {
        return 1 + (long) neighbours * iterations;
    }

    @Override
    public long plannedTraceEntries() {
        return 1L + iterations;
    }

    @Override
    public String sizeOptions() {
        return "--neighbours (or --candidates) " + neighbours + " and --iterations " + iterations;
    }

    @Override
    public Outcome run(SearchContext context) {
        long cost = context.searchSolver().fullNfe();
        if (context.affordable(1, cost) == 0) {
            return new NoSearch().run(context);
        }
        double[] grid = context.fullGrid(context.searchSolver());
        long pivotKey = SearchContext.key(Stage.ZERO_ORDER_PIVOT, 0, 0);
        Batch pivotNoise = context.allocate(1);
        Batch pivotSample = context.allocate(1);
        context.drawNoise(pivotNoise, pivotKey);
        context.copy(pivotNoise, pivotSample);
        Batch pivotCapture = context.capturesFor(1);
        context.solve(pivotSample, grid, context.searchSolver(), pivotCapture);
        Scores pivot = context.score(pivotSample, pivotCapture);
        float pivotScore = context.combine(pivot)[0];
        List<Long> lineage = new ArrayList<>(List.of(pivotKey));
        context.trace().add(new TraceEntry("zero-order-pivot", 0, 0, new long[] {pivotKey},
                new float[] {pivotScore}, null, pivotKey, false));

        Batch directions = context.allocate(neighbours);
        Batch samples = context.allocate(neighbours);
        Batch captured = context.capturesFor(neighbours);
        for (int k = 1; k <= iterations; k++) {
            int n = context.affordable(neighbours, cost);
            if (n == 0) {
                break;
            }
            Batch noise = directions.rows(0, n);
            Batch sample = samples.rows(0, n);
            Batch capture = captured == null ? null : captured.rows(0, n);
            long first = SearchContext.key(Stage.ZERO_ORDER_NEIGHBOUR, k, 0);
            try {
                context.checkpoint();
                context.drawNoise(noise, first);
                context.neighbours(pivotNoise, noise, cosineFor(context, pivotNoise));
                context.copy(noise, sample);
                context.solve(sample, grid, context.searchSolver(), capture);
            } catch (SearchStopped e) {
                // The pivot of iteration k - 1 is what a budget that ends there returns.
                break;
            }
            // The verifier ranks the pivot with its neighbours: pool index 0 is the pivot.
            Scores candidates = context.score(sample, capture);
            float[] combined = context.combine(pivot.concat(candidates));
            float[] neighbourScores = Arrays.copyOfRange(combined, 1, combined.length);
            int best = Scores.argmax(neighbourScores);
            boolean accepted = neighbourScores[best] > combined[0];
            if (accepted) {
                pivotKey = first + best;
                lineage.add(pivotKey);
                context.copy(noise.row(best), pivotNoise);
                context.copy(sample.row(best), pivotSample);
                pivot = candidates.select(best);
            }
            pivotScore = accepted ? neighbourScores[best] : combined[0];
            context.trace().add(new TraceEntry(id(), k, 0, RandomSearch.consecutiveKeys(first, n), neighbourScores,
                    null, pivotKey, !accepted));
        }
        return context.finish(pivotNoise, pivotSample, pivotKey, lineage, pivotScore, pivot.column(0));
    }

    /** The cosine to use for this pivot: the set cosine, or the one that puts neighbours at distance lambda. */
    private float cosineFor(SearchContext context, Batch pivotNoise) {
        if (Double.isNaN(lambda)) {
            return (float) cosine;
        }
        float norm = context.norm(pivotNoise);
        double c = 1 - lambda * lambda / (2.0 * norm * norm);
        if (c <= -1) {
            throw new IllegalArgumentException("--lambda " + lambda + " exceeds the pivot's diameter 2|n| = " + 2 * norm);
        }
        return (float) c;
    }
}

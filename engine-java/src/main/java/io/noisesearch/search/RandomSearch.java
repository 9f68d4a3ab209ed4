package io.noisesearch.search;

import io.noisesearch.backend.Batch;
import io.noisesearch.verify.Scores;

import java.util.List;

/** Best-of-N: N i.i.d. noises, each solved and scored; the argmax wins (PAPER.md, search algorithm 1). */
public record RandomSearch(int candidates) implements SearchAlgorithm {

    public RandomSearch {
        if (candidates < 1) {
            throw new IllegalArgumentException("--candidates must be at least 1, got " + candidates);
        }
    }

    @Override
    public String id() {
        return "random";
    }

    @Override
    public long plannedSearchNfe(SearchPlan plan) {
        return Math.multiplyExact(candidates, plan.searchSolver().fullNfe());
    }

    /** The affordable pool and its captures, then the winner's noise and capture for the final solve. */
    @Override
    public long peakRows(SearchPlan plan, long budgetNfe, boolean captures) {
        long pool = Math.min(candidates, budgetNfe / plan.searchSolver().fullNfe());
        return pool * (captures ? 2 : 1) + new NoSearch().peakRows(plan, budgetNfe, captures);
    }

    @Override
    public long plannedCandidates() {
        return candidates;
    }

    @Override
    public long plannedTraceEntries() {
        return 1;
    }

    @Override
    public String sizeOptions() {
        return "--candidates " + candidates;
    }

    @Override
    public Outcome run(SearchContext context) {
        int n = context.affordable(candidates, context.searchSolver().fullNfe());
        if (n == 0) {
            return new NoSearch().run(context);
        }
        long first = SearchContext.key(Stage.RANDOM, 0, 0);
        Batch pool = context.allocate(n);
        Batch captured = context.capturesFor(n);
        context.solveKeys(pool, first, context.searchSolver(), captured);
        Scores members = context.scoreKeys(pool, captured, first, context.searchSolver());
        float[] scores = context.combine(members);
        int best = Scores.argmax(scores);
        long key = first + best;
        context.trace().add(new TraceEntry(id(), 0, 0, consecutiveKeys(first, n), scores, null, key, false,
                members));
        return context.finishKey(key, pool.row(best), List.of(key), scores[best], members.column(best));
    }

    static long[] consecutiveKeys(long first, int count) {
        long[] keys = new long[count];
        for (int i = 0; i < count; i++) {
            keys[i] = first + i;
        }
        return keys;
    }
}

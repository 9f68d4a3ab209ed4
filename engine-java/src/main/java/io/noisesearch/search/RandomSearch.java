package io.noisesearch.search;

import io.noisesearch.backend.Batch;
import io.noisesearch.verify.Scores;

import java.util.List;
import java.util.stream.IntStream;

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

    /**
     * The affordable pool and its captures when it fits in one chunk; else one chunk, its captures and the best row
     * so far. Then the winner's noise and capture for the final solve.
     */
    @Override
    public long peakRows(SearchPlan plan, long budgetNfe, boolean captures, int poolChunkRows) {
        long pool = Math.min(candidates, budgetNfe / plan.searchSolver().fullNfe());
        long held = pool <= poolChunkRows ? pool * (captures ? 2 : 1) : (long) poolChunkRows * (captures ? 2 : 1) + 1;
        return held + new NoSearch().peakRows(plan, budgetNfe, captures, poolChunkRows);
    }

    @Override
    public boolean acceptsStochasticSolver() {
        return true;
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
        int chunk = Math.min(n, context.poolChunkRows());
        Batch rows = context.allocate(chunk);
        Batch captured = context.capturesFor(chunk);
        // A pool larger than a chunk keeps only the best row so far (memory O(chunk), not O(candidates)).
        Batch kept = chunk < n ? context.allocate(1) : null;
        Scores members = null;
        int best = -1;
        float bestScore = Float.NaN;
        // Under a deadline or stopping rules the pool goes a solver batch at a time (a chunk holds whole batches), each
        // scored before the next check; without them, a chunk at a time.
        int step = context.stepRows(chunk);
        int done = 0;
        try {
            for (int at = 0; at < n; at += step) {
                int count = Math.min(step, n - at);
                context.checkpoint();
                Batch x = rows.rows(at % chunk, count);
                Batch capturedRows = captured == null ? null : captured.rows(at % chunk, count);
                context.solveKeys(x, first + at, context.searchSolver(), capturedRows);
                long evaluated = context.evaluations();
                Scores part = context.scoreKeys(x, capturedRows, first + at, context.searchSolver());
                // A stopping rule that fired inside this step ends the pool at the candidate that fired it, so the
                // pool does not depend on the batch size (the rest of the step was solved: it stays in the compute).
                long firedAt = context.stopFiredAt();
                if (firedAt >= 0 && firedAt >= evaluated && firedAt < evaluated + count) {
                    count = (int) (firedAt - evaluated) + 1;
                    part = part.select(IntStream.range(0, count).toArray());
                }
                members = members == null ? part : members.concat(part);
                done = at + count;
                if (kept != null) {
                    // One member: combining is per candidate, so the first strict maximum over chunks in order is the
                    // argmax of the whole pool (ties to the lowest index).
                    float[] partScores = context.combine(part);
                    int local = Scores.argmax(partScores);
                    if (best < 0 || partScores[local] > bestScore) {
                        best = at + local;
                        bestScore = partScores[local];
                        context.copy(x.row(local), kept);
                    }
                }
            }
        } catch (SearchStopped e) {
            // The candidates scored so far are the pool of a budget of done x NFE each; none scored: no search.
            if (done == 0) {
                throw e;
            }
        }
        n = done;
        float[] scores = context.combine(members);
        if (kept == null) {
            best = Scores.argmax(scores);
        } else if (best != Scores.argmax(scores)) {
            throw new IllegalStateException("chunked argmax " + best + " differs from the pool's "
                    + Scores.argmax(scores));
        }
        long key = first + best;
        context.trace().add(new TraceEntry(id(), 0, 0, consecutiveKeys(first, n), scores, null, key, false,
                members));
        return context.finishKey(key, kept != null ? kept : rows.row(best), List.of(key), scores[best],
                members.column(best));
    }

    static long[] consecutiveKeys(long first, int count) {
        long[] keys = new long[count];
        for (int i = 0; i < count; i++) {
            keys[i] = first + i;
        }
        return keys;
    }
}

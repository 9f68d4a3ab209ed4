package io.noisesearch.search;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.backend.Batch;
import io.noisesearch.schedule.Schedule;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.verify.Scores;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Early pruning, successive halving over the solve (beyond PAPER.md): N noises are solved from level 1 to the first
 * cut; at each cut every candidate still alive is scored on its clean x-prediction (one extra NFE each) and the best
 * ceil(n / keep) go on to the next cut; after the last cut the survivors are solved to 0, the argmax of their clean
 * scores wins and is finished like random search. Each segment gets the search solver's step density; levels are
 * grid parameters u (see {@link Schedule#timeOf}); ties go to the lowest candidate index. A verifier that compares
 * with an early x-prediction ({@code ssl}) takes it from the first segment, so its capture time must lie between the
 * first cut and 1.
 * <p>
 * Budget: the first segment (with its x-prediction) takes as many of the N as fit, and none fitting is no search;
 * every later segment must fit whole for all survivors, else the search stops and the best candidate of the last cut
 * is solved from its noise with the final solver (final NFEs), as random search finishes its winner.
 *
 * @param candidates N, the noises drawn
 * @param pruneAt    the cut levels, strictly descending in (0, 1)
 * @param keep       the keep factor: a cut keeps ceil(n / keep) of n candidates (1 drops none)
 */
public record PruneSearch(int candidates, List<Double> pruneAt, int keep) implements SearchAlgorithm {

    public PruneSearch {
        if (candidates < 1) {
            throw new IllegalArgumentException("--candidates must be at least 1, got " + candidates);
        }
        if (pruneAt == null || pruneAt.isEmpty()) {
            throw new IllegalArgumentException("--prune-at must name at least one level");
        }
        for (int i = 0; i < pruneAt.size(); i++) {
            Double level = pruneAt.get(i);
            if (level == null || !(level > 0 && level < 1)) {
                throw new IllegalArgumentException("--prune-at levels must lie in (0, 1), got " + level);
            }
            if (i > 0 && !(level < pruneAt.get(i - 1))) {
                throw new IllegalArgumentException("--prune-at levels must be strictly descending, got " + level
                        + " after " + pruneAt.get(i - 1));
            }
        }
        if (keep < 1) {
            throw new IllegalArgumentException("--keep must be at least 1, got " + keep);
        }
        pruneAt = List.copyOf(pruneAt);
    }

    @Override
    public String id() {
        return "prune";
    }

    /** Candidates left after a cut of n: ceil(n / keep). */
    long survivors(long n) {
        return (n + keep - 1) / keep;
    }

    /** The levels the solve passes: 1, the cuts, 0; segment j runs from level j to level j + 1. */
    private double[] levels() {
        double[] levels = new double[pruneAt.size() + 2];
        levels[0] = 1;
        for (int i = 0; i < pruneAt.size(); i++) {
            levels[i + 1] = pruneAt.get(i);
        }
        return levels;
    }

    /** Steps of segment j: the search solver's step density over its length, at least one. */
    private static int segmentSteps(double[] levels, int j, SolverSettings solver) {
        return (int) Math.max(1, Math.round((levels[j] - levels[j + 1]) * solver.steps()));
    }

    private static double[] segmentGrid(Schedule schedule, double[] levels, int j, SolverSettings solver) {
        return schedule.grid(levels[j], levels[j + 1], segmentSteps(levels, j, solver));
    }

    /** NFEs of one candidate over segment j and, above level 0, the x-prediction that scores it at the cut. */
    private static long stageNfe(SearchPlan plan, double[] levels, int j) {
        SolverSettings solver = plan.searchSolver();
        double end = plan.schedule().timeOf(levels[j + 1]);
        return solver.nfe(segmentSteps(levels, j, solver), end) + (levels[j + 1] > 0 ? 1 : 0);
    }

    /** Sum over segments j = 0..C of n_j (nfe(segment j) + 1 above 0), n_0 = N and n_j+1 = ceil(n_j / keep). */
    @Override
    public long plannedSearchNfe(SearchPlan plan) {
        double[] levels = levels();
        long total = 0;
        long alive = candidates;
        for (int j = 0; j + 1 < levels.length; j++) {
            total = Math.addExact(total, Math.multiplyExact(alive, stageNfe(plan, levels, j)));
            alive = survivors(alive);
        }
        return total;
    }

    /**
     * The affordable pool and a batch of the same size for the x-predictions and then the survivors (the two swap
     * at each cut), captures for the pool and for the first cut's survivors, the winner's noise and final capture.
     */
    @Override
    public long peakRows(SearchPlan plan, long budgetNfe, boolean captures, int poolChunkRows) {
        long n = Math.min(candidates, budgetNfe / stageNfe(plan, levels(), 0));
        if (n == 0) {
            return new NoSearch().peakRows(plan, budgetNfe, captures, poolChunkRows);
        }
        return 2 * n + (captures ? n + survivors(n) : 0) + new NoSearch().peakRows(plan, budgetNfe, captures, poolChunkRows);
    }

    /** Every cut scores the candidates alive, the final pick the last survivors. */
    @Override
    public long plannedCandidates() {
        long total = 0;
        long alive = candidates;
        for (int cut = 0; cut <= pruneAt.size(); cut++) {
            total += alive;
            alive = survivors(alive);
        }
        return total;
    }

    @Override
    public long plannedTraceEntries() {
        return pruneAt.size() + 1L;
    }

    @Override
    public String sizeOptions() {
        return "--candidates " + candidates + ", --prune-at " + pruneAt.size() + " levels and --keep " + keep;
    }

    @Override
    public Outcome run(SearchContext context) {
        Schedule schedule = context.info().schedule();
        checkCaptureTime(context, schedule);
        SolverSettings solver = context.searchSolver();
        SearchPlan plan = new SearchPlan(schedule, solver);
        double[] levels = levels();
        int n = context.affordable(candidates, stageNfe(plan, levels, 0));
        if (n == 0) {
            return new NoSearch().run(context);
        }
        // A stop after a cut solves that cut's best from its noise with the final solver.
        context.reserveFinalSolve();
        Pool pool = new Pool(context, n, (int) survivors(n));
        context.drawNoise(pool.alive, pool.firstKey);
        context.solve(pool.alive, segmentGrid(schedule, levels, 0, solver), solver, pool.captures);
        long bestKey = -1;
        for (int cut = 1; cut < levels.length - 1; cut++) {
            try {
                context.checkpoint();
                bestKey = cut(context, pool, cut, levels[cut]);
            } catch (SearchStopped e) {
                // Stopped in this cut's x-predictions: the last cut's best, or no search before the first cut.
                if (bestKey < 0) {
                    throw e;
                }
                return finishFromNoise(context, bestKey);
            }
            if (context.affordable(pool.size(), stageNfe(plan, levels, cut)) < pool.size()) {
                return finishFromNoise(context, bestKey);
            }
            try {
                context.checkpoint();
                context.solve(pool.alive, segmentGrid(schedule, levels, cut, solver), solver, null);
            } catch (SearchStopped e) {
                return finishFromNoise(context, bestKey);
            }
        }
        return pick(context, pool, levels.length - 1);
    }

    private void checkCaptureTime(SearchContext context, Schedule schedule) {
        double firstCut = schedule.timeOf(pruneAt.getFirst());
        double captureTime = context.verifierCaptureTime();
        if (!Double.isNaN(captureTime) && captureTime < firstCut) {
            throw new InvalidRequestException("--verifier captures its x-prediction at t = " + captureTime
                    + ", below the first cut (--prune-at " + pruneAt.getFirst() + ", t = " + firstCut + "): pruning"
                    + " takes the capture from the first segment, so it must lie between the first cut and 1");
        }
    }

    /** Scores the pool on its x-predictions at the level, keeps the best ceil(n / keep); returns the best's key. */
    private long cut(SearchContext context, Pool pool, int cut, double level) {
        Batch predictions = pool.spare.rows(0, pool.size());
        context.predictX0(pool.alive, context.info().schedule().timeOf(level), predictions);
        float[] combined = context.combine(context.score(predictions, pool.captures));
        int[] top = Scores.top(combined, (int) survivors(pool.size()));
        long bestKey = pool.key(top[0]);
        context.trace().add(new TraceEntry(id(), cut, level, pool.keys(), combined, null, bestKey, false));
        // Survivors stay in candidate order, so that ties at the final pick go to the lowest index.
        int[] kept = top.clone();
        Arrays.sort(kept);
        pool.keep(context, kept);
        return bestKey;
    }

    /** The survivors are clean: the argmax of their scores wins and is finished like random search's winner. */
    private Outcome pick(SearchContext context, Pool pool, int entry) {
        Scores members = context.score(pool.alive, pool.captures);
        float[] combined = context.combine(members);
        int winner = Scores.argmax(combined);
        long key = pool.key(winner);
        context.trace().add(new TraceEntry(id(), entry, 0, pool.keys(), combined, null, key, false));
        return context.finishKey(key, pool.alive.row(winner), List.of(key), combined[winner],
                members.column(winner));
    }

    /** The budget stopped the search above level 0: the best candidate of the last cut, solved from its noise. */
    private static Outcome finishFromNoise(SearchContext context, long key) {
        return context.finishKey(key, null, List.of(key), Float.NaN, null);
    }

    /**
     * The candidates alive (rows of {@code alive}, their captures, their indices among the N) and spare batches of
     * the same sizes: a cut writes its x-predictions to the spare rows, then gathers the survivors there, and the two
     * swap.
     */
    private static final class Pool {

        final long firstKey = SearchContext.key(Stage.PRUNE, 0, 0);
        Batch alive;
        Batch spare;
        Batch captures;
        Batch spareCaptures;
        int[] indices;

        Pool(SearchContext context, int n, int firstSurvivors) {
            alive = context.allocate(n);
            spare = context.allocate(n);
            captures = context.capturesFor(n);
            spareCaptures = captures == null ? null : context.allocate(firstSurvivors);
            indices = IntStream.range(0, n).toArray();
        }

        int size() {
            return indices.length;
        }

        long key(int row) {
            return firstKey + indices[row];
        }

        long[] keys() {
            return Arrays.stream(indices).mapToLong(i -> firstKey + i).toArray();
        }

        /** Keeps the given rows, in the given order. */
        void keep(SearchContext context, int[] rows) {
            Batch next = spare.rows(0, rows.length);
            Batch nextCaptures = captures == null ? null : spareCaptures.rows(0, rows.length);
            context.gather(alive, rows, next);
            context.gather(captures, rows, nextCaptures);
            spare = alive;
            alive = next;
            spareCaptures = captures;
            captures = nextCaptures;
            int[] previous = indices;
            indices = Arrays.stream(rows).map(r -> previous[r]).toArray();
        }
    }
}

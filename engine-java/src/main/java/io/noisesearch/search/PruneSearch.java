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
    public long peakRows(SearchPlan plan, long budgetNfe, boolean captures) {
        long n = Math.min(candidates, budgetNfe / stageNfe(plan, levels(), 0));
        if (n == 0) {
            return new NoSearch().peakRows(plan, budgetNfe, captures);
        }
        return 2 * n + (captures ? n + survivors(n) : 0) + new NoSearch().peakRows(plan, budgetNfe, captures);
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
        double firstCut = schedule.timeOf(pruneAt.getFirst());
        double captureTime = context.verifierCaptureTime();
        if (!Double.isNaN(captureTime) && captureTime < firstCut) {
            throw new InvalidRequestException("--verifier captures its x-prediction at t = " + captureTime
                    + ", below the first cut (--prune-at " + pruneAt.getFirst() + ", t = " + firstCut + "): pruning"
                    + " takes the capture from the first segment, so it must lie between the first cut and 1");
        }
        SolverSettings solver = context.searchSolver();
        SearchPlan plan = new SearchPlan(schedule, solver);
        double[] levels = levels();
        int n = context.affordable(candidates, stageNfe(plan, levels, 0));
        if (n == 0) {
            return new NoSearch().run(context);
        }
        long firstKey = SearchContext.key(Stage.PRUNE, 0, 0);
        Batch alive = context.allocate(n);
        Batch spare = context.allocate(n);
        Batch captures = context.capturesFor(n);
        Batch spareCaptures = captures == null ? null : context.allocate((int) survivors(n));
        context.drawNoise(alive, firstKey);
        context.solve(alive, segmentGrid(schedule, levels, 0, solver), solver, captures);
        int[] indices = IntStream.range(0, n).toArray();
        for (int cut = 1; cut < levels.length - 1; cut++) {
            Batch predictions = spare.rows(0, indices.length);
            context.predictX0(alive, schedule.timeOf(levels[cut]), predictions);
            float[] combined = context.combine(context.score(predictions, captures));
            int[] top = Scores.top(combined, (int) survivors(indices.length));
            long bestKey = firstKey + indices[top[0]];
            context.trace().add(new TraceEntry(id(), cut, levels[cut], keys(firstKey, indices), combined, null,
                    bestKey, false));
            // Survivors stay in candidate order, so that ties at the final pick go to the lowest index.
            int[] kept = top.clone();
            Arrays.sort(kept);
            Batch next = spare.rows(0, kept.length);
            context.gather(alive, kept, next);
            Batch nextCaptures = captures == null ? null : spareCaptures.rows(0, kept.length);
            context.gather(captures, kept, nextCaptures);
            spare = alive;
            alive = next;
            spareCaptures = captures;
            captures = nextCaptures;
            int[] previous = indices;
            indices = Arrays.stream(kept).map(i -> previous[i]).toArray();
            if (context.affordable(kept.length, stageNfe(plan, levels, cut)) < kept.length) {
                return finishFromNoise(context, bestKey);
            }
            context.solve(alive, segmentGrid(schedule, levels, cut, solver), solver, null);
        }
        Scores members = context.score(alive, captures);
        float[] combined = context.combine(members);
        int winner = Scores.argmax(combined);
        long key = firstKey + indices[winner];
        context.trace().add(new TraceEntry(id(), levels.length - 1, 0, keys(firstKey, indices), combined, null, key,
                false));
        Batch noise = context.allocate(1);
        context.drawNoise(noise, key);
        return context.finish(noise, alive.row(winner), key, List.of(key), combined[winner], members.column(winner));
    }

    /** The budget stopped the search above level 0: the best candidate of the last cut, solved from its noise. */
    private static Outcome finishFromNoise(SearchContext context, long key) {
        Batch noise = context.allocate(1);
        context.drawNoise(noise, key);
        return context.finish(noise, null, key, List.of(key), Float.NaN, null);
    }

    private static long[] keys(long firstKey, int[] indices) {
        return Arrays.stream(indices).mapToLong(i -> firstKey + i).toArray();
    }
}

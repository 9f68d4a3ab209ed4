package io.noisesearch.search;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.backend.Batch;
import io.noisesearch.compute.Phase;
import io.noisesearch.schedule.Schedule;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.verify.Scores;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Search over paths (PAPER.md, algorithm 3). N noises are solved down to the search start sigma. Each round
 * every one of the N partial samples gets M fresh noises and is noised forward from its level to level + df
 * with the schedule's exact transition kernel; the N*M candidates are solved back by db (> df) with L solver
 * steps, scored on their clean x-prediction (one extra NFE each; none once the level reaches 0, where the
 * sample is clean), and the best N survive. Levels are grid parameters u (see {@link Schedule#timeOf}). A verifier
 * that compares with an early x-prediction ({@code ssl}) takes it from the first solve (its capture time must lie
 * between the start and 1); candidates inherit their path's.
 *
 * @param paths        N, the number of paths kept
 * @param width        M, the candidates drawn per path and round
 * @param searchStart  sigma, the level where the search starts
 * @param forwardStep  df, how far each round noises forward
 * @param backwardStep db, how far each round solves back
 * @param pathLength   L, solver steps per backward step
 */
public record PathSearch(int paths, int width, double searchStart, double forwardStep, double backwardStep,
                         int pathLength) implements SearchAlgorithm {

    /** Levels closer to 0 than this are 0: the last round lands exactly on clean samples. */
    private static final double LEVEL_EPSILON = 1e-9;
    private static final int MAX_ROUNDS = 100_000;

    public PathSearch {
        if (paths < 1 || width < 1) {
            throw new IllegalArgumentException("--paths (or --candidates) and --paths-width must be at least 1, got "
                    + paths + " and " + width);
        }
        // A round's N*M candidates are the rows of one batch.
        if ((long) paths * width > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--paths (or --candidates) x --paths-width must be at most "
                    + Integer.MAX_VALUE + " candidates a round, got " + paths + " x " + width);
        }
        if (!(searchStart > 0 && searchStart < 1)) {
            throw new IllegalArgumentException("--search-start must lie in (0, 1), got " + searchStart);
        }
        if (!(forwardStep > 0) || !(searchStart + forwardStep <= 1)) {
            throw new IllegalArgumentException("--forward-step must be positive with search-start + forward-step <= 1, got "
                    + forwardStep);
        }
        if (!(backwardStep > forwardStep)) {
            throw new IllegalArgumentException("--backward-step must exceed --forward-step so that every round makes"
                    + " progress, got backward " + backwardStep + " <= forward " + forwardStep);
        }
        if (pathLength < 1) {
            throw new IllegalArgumentException("--path-length must be at least 1, got " + pathLength);
        }
        if (searchStart / (backwardStep - forwardStep) > MAX_ROUNDS) {
            throw new IllegalArgumentException("search over paths would need more than " + MAX_ROUNDS + " rounds");
        }
    }

    @Override
    public String id() {
        return "paths";
    }

    /** Steps of the first solve from noise down to sigma: the search solver's step density over (1 - sigma). */
    public int initialSteps(SolverSettings solver) {
        return Math.max(1, (int) Math.round((1 - searchStart) * solver.steps()));
    }

    /**
     * Solver steps that complete a path from {@code level} to 0 at the rounds' step density, L steps per db: a coarser
     * completion (one step from 0.25 is the x-prediction itself, the posterior mean) returns a blurred mean that an
     * oracle log-density rates far above any sample, so a cut search must finish as its rounds would.
     */
    int completionSteps(double level) {
        return Math.max(1, (int) Math.ceil(level * pathLength / backwardStep - LEVEL_EPSILON));
    }

    /** The level after a round that starts at {@code level}. */
    double nextLevel(double level) {
        double down = level + forwardStep - backwardStep;
        return down < LEVEL_EPSILON ? 0 : down;
    }

    /** NFEs of the first solve of one path, from noise down to sigma. */
    private long initialNfe(SearchPlan plan) {
        SolverSettings solver = plan.searchSolver();
        return solver.nfe(initialSteps(solver), plan.schedule().timeOf(searchStart));
    }

    /** Counted from the grids' step counts and end times, without building the grids. */
    @Override
    public long plannedSearchNfe(SearchPlan plan) {
        Schedule schedule = plan.schedule();
        SolverSettings solver = plan.searchSolver();
        long total = Math.multiplyExact(paths, initialNfe(plan));
        for (double level = searchStart; level > 0; level = nextLevel(level)) {
            double down = nextLevel(level);
            long segment = solver.nfe(pathLength, schedule.timeOf(down)) + (down > 0 ? 1 : 0);
            total = Math.addExact(total, Math.multiplyExact((long) paths * width, segment));
        }
        return total;
    }

    /** The affordable survivors and their captures; the N*M expanded candidates, their x-predictions and captures. */
    @Override
    public long peakRows(SearchPlan plan, long budgetNfe, boolean captures, int poolChunkRows) {
        long n = Math.min(paths, budgetNfe / initialNfe(plan));
        if (n == 0) {
            return new NoSearch().peakRows(plan, budgetNfe, captures, poolChunkRows);
        }
        return n * (captures ? 2 : 1) + n * width * (captures ? 3 : 2);
    }

    @Override
    public long plannedCandidates() {
        return rounds() * paths * width;
    }

    @Override
    public long plannedTraceEntries() {
        return rounds();
    }

    private long rounds() {
        long rounds = 0;
        for (double level = searchStart; level > 0; level = nextLevel(level)) {
            rounds++;
        }
        return rounds;
    }

    @Override
    public String sizeOptions() {
        return "--paths (or --candidates) " + paths + ", --paths-width " + width + " and --path-length " + pathLength;
    }

    @Override
    public Outcome run(SearchContext context) {
        Schedule schedule = context.info().schedule();
        double captureTime = context.verifierCaptureTime();
        if (!Double.isNaN(captureTime) && captureTime < schedule.timeOf(searchStart)) {
            throw new InvalidRequestException("--verifier captures its x-prediction at t = " + captureTime
                    + ", below the search start (t = " + schedule.timeOf(searchStart) + "): search over paths takes"
                    + " the capture from the first solve, so it must lie between the start and 1");
        }
        SolverSettings solver = context.searchSolver();
        // A search stopped above level 0 completes its best path from at most the search start.
        context.reserveCalls(solver.nfe(completionSteps(searchStart), 0));
        double[] initialGrid = schedule.grid(1, searchStart, initialSteps(solver));
        int n = context.affordable(paths, solver.nfe(initialGrid));
        if (n == 0) {
            return new NoSearch().run(context);
        }
        Batch survivors = context.allocate(n);
        long firstKey = SearchContext.key(Stage.PATHS_INITIAL, 0, 0);
        context.drawNoise(survivors, firstKey);
        // A verifier that compares with an early x-prediction (ssl) gets it from the first solve; each candidate of
        // a round inherits its path's capture, and survivors keep theirs.
        Batch captures = context.capturesFor(n);
        context.solve(survivors, initialGrid, solver, captures);
        List<List<Long>> lineages = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            lineages.add(List.of(firstKey + i));
        }

        Batch expanded = context.allocate(n * width);
        Batch predictions = context.allocate(n * width);
        Batch expandedCaptures = captures == null ? null : context.allocate(n * width);
        // The best survivor's scores: returned as they are when the last round lands on level 0.
        float bestScore = Float.NaN;
        float[] bestMembers = null;
        double level = searchStart;
        for (int round = 1; level > 0; round++) {
            double up = level + forwardStep;
            double down = nextLevel(level);
            double[] segment = schedule.grid(up, down, pathLength);
            long cost = solver.nfe(segment) + (down > 0 ? 1 : 0);
            if (context.affordable(n * width, cost) < n * width) {
                break;
            }
            int[] parents = IntStream.range(0, n * width).map(i -> i / width).toArray();
            long roundKey = SearchContext.key(Stage.PATHS_FORWARD, round, 0);
            Batch scored = expanded;
            try {
                context.checkpoint();
                context.gather(survivors, parents, expanded);
                context.gather(captures, parents, expandedCaptures);
                Schedule.Transition forward = schedule.forward(schedule.timeOf(level), schedule.timeOf(up));
                context.noiseForward(expanded, roundKey, forward);
                context.solve(expanded, segment, solver, null);
                if (down > 0) {
                    context.predictX0(expanded, schedule.timeOf(down), predictions);
                    scored = predictions;
                }
            } catch (SearchStopped e) {
                // The survivors of the last round are untouched: they end as a budget that stops here ends them.
                break;
            }
            Scores members = context.score(scored, expandedCaptures);
            float[] combined = context.combine(members);
            int[] top = Scores.top(combined, n);
            context.gather(expanded, top, survivors);
            context.gather(expandedCaptures, top, captures);
            bestScore = combined[top[0]];
            bestMembers = members.column(top[0]);
            List<List<Long>> next = new ArrayList<>();
            for (int survivor : top) {
                List<Long> lineage = new ArrayList<>(lineages.get(parents[survivor]));
                lineage.add(roundKey + survivor);
                next.add(lineage);
            }
            lineages = next;
            context.trace().add(new TraceEntry(id(), round, down,
                    RandomSearch.consecutiveKeys(roundKey, n * width), combined, parents, roundKey + top[0], false));
            level = down;
        }
        List<Long> lineage = lineages.get(0);
        long key = lineage.get(lineage.size() - 1);
        Batch best = survivors.row(0);
        if (level == 0) {
            return context.keep(best, key, lineage, bestScore, bestMembers);
        }
        return completeEarly(context, best, level, key, lineage, captures == null ? null : captures.row(0));
    }

    /**
     * The budget ran out above level 0: the best survivor so far (survivor 0 after any round, the first path
     * otherwise) is solved the rest of the way with the search solver at the rounds' step density; those NFEs are
     * final NFEs.
     */
    private Outcome completeEarly(SearchContext context, Batch best, double level, long key, List<Long> lineage,
                                  Batch capture) {
        context.meter().enter(Phase.FINAL);
        SolverSettings solver = context.searchSolver();
        context.solve(best, context.info().schedule().grid(level, 0, completionSteps(level)), solver, null);
        Scores members = context.score(best, capture);
        float score = context.combine(members)[0];
        return new Outcome(context.download(best), key, lineage, score, members.column(0), false);
    }
}

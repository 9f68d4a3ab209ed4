package io.noisesearch.search;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.backend.Batch;
import io.noisesearch.compute.Phase;
import io.noisesearch.model.ModelInfo;
import io.noisesearch.noise.CandidateKeys;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.verify.Scores;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Beam search over the denoising steps (classical search; beyond PAPER.md). B noises (random search's candidates 0 to
 * B - 1) are solved with the search solver down to the first expansion level. At each level every state is expanded
 * into k children, the state itself and k - 1 zero-order neighbours of it, {@code |x| (c u + sqrt(1 - c^2) w)} (the
 * norm-preserving neighbour of PAPER.md applied to the intermediate state), and each child is scored on its clean
 * x-prediction there (one NFE). Levels are grid parameters u, snapped to the search solver's grid (step
 * round((1 - u) S) of S), so that every segment is a slice of the full grid and a state solved level by level equals
 * the same state solved in one go, bit for bit.
 * <ul>
 * <li>{@code bfs}: the B k children are pruned back to the best B (kept in candidate order, ties to the lowest index)
 * and solved on to the next level; after the last level the B are solved to 0 and the argmax of their clean scores
 * wins. With k = 1 nothing is pruned and the search is best-of-B over random search's first B noises.</li>
 * <li>{@code dfs}: depth first over the same tree. The children of the first level (the B roots' B k children) and of
 * every later expansion (one state's k children) are tried best first; a child whose score is below the threshold,
 * and every child after it, is skipped, and a frame with none left is left for its parent's next child
 * (backtracking). A state taken at the last level is solved to 0 and scored; the first one at or above the threshold
 * wins. Without a threshold the first leaf wins (greedy descent).</li>
 * </ul>
 * With {@code step} expansion (a stochastic search solver) a state at level j is expanded into k children that
 * are the state advanced with the search solver over the next segment (to the next level, after the last one to 0),
 * each with step noise of its own: child 0 draws its parent's (so a state that stays child 0 is the plain stochastic
 * solve of its noise, and k = 1 is best-of-B over random search's stochastic candidates), child c >= 1 the noise of
 * key BEAM_STEP(level, b (k - 1) + c - 1) (dfs: BEAM_STEP(expansion, ...)) from there on. Children are scored where
 * their segment ends (x-prediction, one NFE; at 0 the sample itself). bfs: the best child at 0 wins. dfs: the
 * children of an expansion are entered best first (expanded in turn) as with neighbours; the last level's children
 * are clean leaves, so the best of them wins if it reaches the threshold, else the search backtracks.
 * <p>
 * A winner whose state was never perturbed (child 0 all the way) is finished like random search's (its noise
 * re-solved with the final solver where the solvers differ); any other returns its searched sample. A search that the
 * budget (a level must fit whole), a deadline or a stopping rule stops before level 0 completes its best state of the
 * last scored level (dfs: its best leaf, if any) with the search solver's remaining steps, as final NFEs.
 *
 * @param beams     B, the beams (bfs) or roots (dfs)
 * @param children  k, the children of a state at each level (1: the state alone)
 * @param levels    the expansion levels, strictly descending in (0, 1)
 * @param cosine    the cosine between a state and its neighbour children, in (-1, 1)
 * @param mode      {@code bfs} or {@code dfs}
 * @param threshold dfs only: the score below which a child is not entered (NaN: none)
 * @param expand    {@code neighbour} (zero-order neighbours at the level) or {@code step} (stochastic steps to the
 *                  next level)
 */
public record BeamSearch(int beams, int children, List<Double> levels, double cosine, String mode, double threshold,
                         String expand) implements SearchAlgorithm {

    public static final List<String> MODES = List.of("bfs", "dfs");
    public static final List<String> EXPANSIONS = List.of("neighbour", "step");

    /** Beam search with neighbour children. */
    public BeamSearch(int beams, int children, List<Double> levels, double cosine, String mode, double threshold) {
        this(beams, children, levels, cosine, mode, threshold, "neighbour");
    }

    public BeamSearch {
        if (beams < 1) {
            throw new IllegalArgumentException("--beam-width must be at least 1, got " + beams);
        }
        if (children < 1) {
            throw new IllegalArgumentException("--beam-children must be at least 1, got " + children);
        }
        if ((long) beams * children > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--beam-width x --beam-children must be at most " + Integer.MAX_VALUE
                    + " children a level, got " + beams + " x " + children);
        }
        if (levels == null || levels.isEmpty()) {
            throw new IllegalArgumentException("--beam-at must name at least one level");
        }
        for (int i = 0; i < levels.size(); i++) {
            Double level = levels.get(i);
            if (level == null || !(level > 0 && level < 1)) {
                throw new IllegalArgumentException("--beam-at levels must lie in (0, 1), got " + level);
            }
            if (i > 0 && !(level < levels.get(i - 1))) {
                throw new IllegalArgumentException("--beam-at levels must be strictly descending, got " + level
                        + " after " + levels.get(i - 1));
            }
        }
        levels = List.copyOf(levels);
        if (!(cosine > -1 && cosine < 1)) {
            throw new IllegalArgumentException("--beam-cosine must lie in (-1, 1), got " + cosine);
        }
        if (!MODES.contains(mode)) {
            throw new IllegalArgumentException("--beam-mode must be one of " + MODES + ", got '" + mode + "'");
        }
        if (Double.isInfinite(threshold)) {
            throw new IllegalArgumentException("--beam-threshold must be a finite score, got " + threshold);
        }
        if (!Double.isNaN(threshold) && mode.equals("bfs")) {
            throw new IllegalArgumentException("--beam-threshold is for --beam-mode dfs (bfs prunes by rank)");
        }
        if (!EXPANSIONS.contains(expand)) {
            throw new IllegalArgumentException("--beam-expand must be one of " + EXPANSIONS + ", got '" + expand + "'");
        }
        if (mode.equals("dfs") && saturatingTreeSize(beams, children, levels.size()) > CandidateKeys.MAX_ITERATION) {
            throw new IllegalArgumentException("--beam-mode dfs: a tree of --beam-width " + beams + ", --beam-children "
                    + children + " and " + levels.size() + " --beam-at levels has more expansions than the "
                    + CandidateKeys.MAX_ITERATION + " the iteration field of candidate keys names");
        }
    }

    @Override
    public String id() {
        return "beam";
    }

    private boolean depthFirst() {
        return mode.equals("dfs");
    }

    /** Whether children are stochastic steps to the next level. */
    private boolean stepping() {
        return expand.equals("step");
    }

    /** Step children draw the solver's noise: only a stochastic search solver makes them differ. */
    @Override
    public boolean acceptsStochasticSolver() {
        return stepping();
    }

    @Override
    public String requiresStochasticSolver() {
        return stepping() ? "--beam-expand step" : null;
    }

    /** Step expansion: where the children of level j end, the next level's step or S. */
    private static int stepEnd(int[] at, int j, int steps) {
        return j + 1 < at.length ? at[j + 1] : steps;
    }

    /** Step expansion: NFEs of one state's k children at level j, their segment and their x-prediction above 0. */
    private long stepCost(SolverSettings solver, double[] grid, int[] at, int j) {
        int to = stepEnd(at, j, solver.steps());
        return Math.multiplyExact(children, sliceNfe(solver, grid, at[j], to) + (to < solver.steps() ? 1 : 0));
    }

    /** Expansions of a whole dfs tree: the first level's, then one per child entered above the last level. */
    private static long saturatingTreeSize(int beams, int children, int levels) {
        long expansions = 1;
        long entered = (long) beams * children;
        for (int j = 1; j < levels; j++) {
            expansions = saturatingAdd(expansions, entered);
            entered = saturatingMultiply(entered, children);
        }
        return expansions;
    }

    private static long saturatingAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    private static long saturatingMultiply(long a, long b) {
        return Math.multiplyHigh(a, b) != 0 || a * b < 0 ? Long.MAX_VALUE : a * b;
    }

    /** Grid steps of the levels on the search solver's grid of {@code steps}: strictly increasing in 1..steps - 1. */
    int[] levelSteps(int steps) {
        int[] at = new int[levels.size()];
        for (int j = 0; j < at.length; j++) {
            at[j] = (int) Math.round((1 - levels.get(j)) * steps);
            if (at[j] < 1 || at[j] > steps - 1 || (j > 0 && at[j] <= at[j - 1])) {
                throw new InvalidRequestException("--beam-at " + levels.get(j) + " falls on step " + at[j] + " of the"
                        + " search solver's " + steps + " (--search-steps): levels must land on distinct steps strictly"
                        + " between 0 and " + steps + ", at least 1/" + steps + " apart");
            }
        }
        return at;
    }

    /** The grid parameter u of a level after snapping: (S - step) / S. */
    private static double snapped(int step, int steps) {
        return (double) (steps - step) / steps;
    }

    /** NFEs of a slice of the full grid from step {@code from} to step {@code to}. */
    private static long sliceNfe(SolverSettings solver, double[] grid, int from, int to) {
        return solver.nfe(Arrays.copyOfRange(grid, from, to + 1));
    }

    /**
     * bfs: B (nfe(0 -> l_1) + k) + sum over later levels of B (nfe(l_j-1 -> l_j) + k) + B nfe(l_C -> 0). dfs: the whole
     * tree (every child entered), or with no threshold the greedy path: the first level's B k children, then one
     * state entered per level.
     */
    @Override
    public long plannedSearchNfe(SearchPlan plan) {
        SolverSettings solver = plan.searchSolver();
        double[] grid = plan.schedule().grid(1, 0, solver.steps());
        int[] at = levelSteps(solver.steps());
        if (stepping()) {
            // B nfe(0 -> l_1) + sum over levels of E_j k (nfe(l_j -> l_j+1) + 1 above 0), l_C+1 = 0, with E_j the
            // states expanded at level j: B (bfs, and dfs's first level); dfs 1 greedy, else B k^j (the whole tree)
            long total = Math.multiplyExact(beams, sliceNfe(solver, grid, 0, at[0]));
            long expanded = beams;
            for (int j = 0; j < at.length; j++) {
                if (depthFirst() && j > 0) {
                    expanded = Double.isNaN(threshold) ? 1 : Math.multiplyExact(expanded, children);
                }
                total = Math.addExact(total, Math.multiplyExact(expanded, stepCost(solver, grid, at, j)));
            }
            return total;
        }
        long total = Math.multiplyExact(beams, Math.addExact(sliceNfe(solver, grid, 0, at[0]), children));
        long entered = depthFirst() ? Double.isNaN(threshold) ? 1 : (long) beams * children : beams;
        for (int j = 1; j < at.length; j++) {
            long each = Math.addExact(sliceNfe(solver, grid, at[j - 1], at[j]), children);
            total = Math.addExact(total, Math.multiplyExact(entered, each));
            if (depthFirst() && !Double.isNaN(threshold)) {
                entered = Math.multiplyExact(entered, children);
            }
        }
        return Math.addExact(total, Math.multiplyExact(entered, sliceNfe(solver, grid, at[at.length - 1],
                solver.steps())));
    }

    /**
     * bfs: the affordable beams and their captures, their B k children, x-predictions and captures, the best state of
     * the last level and its capture, the winner's noise and capture. dfs adds a frame of k children per level.
     */
    @Override
    public long peakRows(SearchPlan plan, long budgetNfe, boolean captures, int poolChunkRows) {
        SolverSettings solver = plan.searchSolver();
        double[] grid = plan.schedule().grid(1, 0, solver.steps());
        int[] at = levelSteps(solver.steps());
        long firstCost = sliceNfe(solver, grid, 0, at[0]) + (stepping() ? stepCost(solver, grid, at, 0) : children);
        long n = Math.min(beams, budgetNfe / firstCost);
        long tail = new NoSearch().peakRows(plan, budgetNfe, captures, poolChunkRows);
        if (n == 0) {
            return tail;
        }
        long perRow = captures ? 2 : 1;
        long rows = n * perRow + n * children * (perRow + 1) + perRow + tail;
        if (depthFirst()) {
            rows += (long) levels.size() * children * perRow + 2 * perRow;
        }
        return rows;
    }

    /** bfs: B k children at each level and B clean samples; dfs: as its planned NFEs, every child and leaf. */
    @Override
    public long plannedCandidates() {
        if (stepping() && depthFirst()) {
            long total = (long) beams * children;
            long expanded = beams;
            for (int j = 1; j < levels.size(); j++) {
                expanded = Double.isNaN(threshold) ? 1 : saturatingMultiply(expanded, children);
                total = saturatingAdd(total, saturatingMultiply(expanded, children));
            }
            return total;
        }
        if (stepping()) {
            return (long) beams * children * levels.size();
        }
        if (!depthFirst()) {
            return (long) beams * children * levels.size() + beams;
        }
        long total = (long) beams * children;
        long entered = Double.isNaN(threshold) ? 1 : (long) beams * children;
        for (int j = 1; j < levels.size(); j++) {
            total = saturatingAdd(total, saturatingMultiply(entered, children));
            if (!Double.isNaN(threshold)) {
                entered = saturatingMultiply(entered, children);
            }
        }
        return saturatingAdd(total, entered);
    }

    /**
     * bfs: one entry per level and one for the final pick; dfs: one per expansion and one per leaf (step children: one
     * per expansion, whose last level's children are the leaves).
     */
    @Override
    public long plannedTraceEntries() {
        if (stepping() && depthFirst()) {
            return Double.isNaN(threshold) ? levels.size() : saturatingTreeSize(beams, children, levels.size());
        }
        if (stepping()) {
            return levels.size();
        }
        if (!depthFirst()) {
            return levels.size() + 1L;
        }
        if (Double.isNaN(threshold)) {
            return levels.size() + 1L;
        }
        long leaves = (long) beams * children;
        for (int j = 1; j < levels.size(); j++) {
            leaves = saturatingMultiply(leaves, children);
        }
        return saturatingAdd(saturatingTreeSize(beams, children, levels.size()), leaves);
    }

    @Override
    public String sizeOptions() {
        return "--beam-width " + beams + ", --beam-children " + children + " and --beam-at " + levels.size()
                + " levels";
    }

    @Override
    public Outcome run(SearchContext context) {
        checkCaptureTime(context);
        return depthFirst() ? new DepthFirst(context).run()
                : stepping() ? steppedBreadthFirst(context) : breadthFirst(context);
    }

    private void checkCaptureTime(SearchContext context) {
        String problem = captureProblem(context.info(), context.verifierCaptureTime());
        if (problem != null) {
            throw new InvalidRequestException(problem);
        }
    }

    /**
     * Why a verifier capturing at {@code captureTime} (NaN: none) cannot score this search on a model, or null: beam
     * search takes the capture from the first segment, so it must lie between the first level and 1.
     */
    public String captureProblem(ModelInfo info, double captureTime) {
        double first = info.schedule().timeOf(levels.getFirst());
        if (Double.isNaN(captureTime) || captureTime >= first) {
            return null;
        }
        return "--verifier captures its x-prediction at t = " + captureTime + ", below the first level (--beam-at "
                + levels.getFirst() + ", t = " + first + "): beam search takes the capture from the first segment, so"
                + " it must lie between the first level and 1";
    }

    /** The roots of a search tree at its first level: their states, captures (or null) and lineages. */
    private record Roots(Batch states, Batch captures, List<List<Long>> lineages) {
    }

    private final class Tree {

        final SearchContext context;
        final SolverSettings solver;
        final double[] grid;
        final int[] at;
        final int steps;

        Tree(SearchContext context) {
            this.context = context;
            this.solver = context.searchSolver();
            this.steps = solver.steps();
            this.grid = context.fullGrid(solver);
            this.at = levelSteps(steps);
        }

        double[] slice(int from, int to) {
            return Arrays.copyOfRange(grid, from, to + 1);
        }

        /**
         * Random search's noises 0..n-1 solved to the first level ({@code stepNoise}: a stochastic solve, each root
         * drawing its own step noise), each root its own lineage.
         */
        Roots roots(int n, boolean stepNoise) {
            long firstKey = SearchContext.key(Stage.RANDOM, 0, 0);
            Batch states = context.allocate(n);
            Batch captures = context.capturesFor(n);
            context.drawNoise(states, firstKey);
            if (stepNoise) {
                context.solve(states, slice(0, at[0]), solver, captures, firstKey, 0);
            } else {
                context.solve(states, slice(0, at[0]), solver, captures);
            }
            List<List<Long>> lineages = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                lineages.add(List.of(firstKey + i));
            }
            return new Roots(states, captures, lineages);
        }

        long nfe(int from, int to) {
            return sliceNfe(solver, grid, from, to);
        }

        double levelOf(int j) {
            return snapped(at[j], steps);
        }

        /**
         * Writes the k children of each row of {@code states} to {@code out} (row b k + c is child c of state b): child
         * 0 the state itself, child c the neighbour of the state at the cosine with direction key {@code firstKey + b
         * (k - 1) + c - 1}. Captures (null: none) are inherited.
         */
        void expand(Batch states, Batch captures, Batch out, Batch outCaptures, long firstKey) {
            int n = states.rows();
            int[] parents = new int[n * children];
            for (int i = 0; i < parents.length; i++) {
                parents[i] = i / children;
            }
            context.gather(states, parents, out);
            context.gather(captures, parents, outCaptures);
            if (children == 1) {
                return;
            }
            for (int b = 0; b < n; b++) {
                Batch directions = out.rows(b * children + 1, children - 1);
                context.drawNoise(directions, firstKey + (long) b * (children - 1));
                context.neighbours(states.row(b), directions, (float) cosine);
            }
        }

        /** The key that names child c of state b: the state's own (child 0) or its neighbour direction's. */
        long childKey(long stateKey, long firstKey, int b, int c) {
            return c == 0 ? stateKey : firstKey + (long) b * (children - 1) + c - 1;
        }

        /** Scores rows on their clean x-prediction at level j (one NFE each). */
        Scores scoreAt(Batch rows, Batch captures, Batch predictions, int j) {
            context.predictX0(rows, grid[at[j]], predictions);
            return context.score(predictions, captures);
        }

        /**
         * Ends the search from a state at grid step {@code from} (one row): a pure noise is finished like random
         * search's winner, anything else is solved the rest of the way with the search solver as final NFEs (a
         * stochastic one with the step noise of the lineage's last key, as the state would have gone on).
         */
        Outcome complete(Batch state, Batch capture, int from, List<Long> lineage) {
            long key = lineage.getLast();
            if (lineage.size() == 1) {
                return context.finishKey(key, null, lineage, Float.NaN, null);
            }
            context.meter().enter(Phase.FINAL);
            context.solve(state, slice(from, steps), solver, null, key, from);
            Scores members = context.score(state, capture);
            return new Outcome(context.download(state), key, lineage, context.combine(members)[0],
                    members.column(0), false);
        }

        /** The winner at level 0: a pure noise is finished like random search's, anything else returned as searched. */
        Outcome finish(Batch sample, List<Long> lineage, float score, float[] memberScores) {
            long key = lineage.getLast();
            return lineage.size() == 1 ? context.finishKey(key, sample, lineage, score, memberScores)
                    : context.keep(sample, key, lineage, score, memberScores);
        }
    }

    private Outcome breadthFirst(SearchContext context) {
        Tree tree = new Tree(context);
        int n = context.affordable(beams, tree.nfe(0, tree.at[0]) + children);
        if (n == 0) {
            return new NoSearch().run(context);
        }
        // A search stopped above level 0 completes its best state with at most a full search solve.
        context.reserveCalls(tree.solver.fullNfe());
        Roots roots = tree.roots(n, false);
        Batch states = roots.states();
        Batch captures = roots.captures();
        List<List<Long>> lineages = roots.lineages();
        Batch expanded = context.allocate(n * children);
        Batch predictions = context.allocate(n * children);
        Batch expandedCaptures = captures == null ? null : context.allocate(n * children);
        // The best state of the last scored level, kept apart: the states move on while the next level is solved.
        Batch best = context.allocate(1);
        Batch bestCapture = context.capturesFor(1);
        List<Long> bestLineage = null;
        int bestStep = 0;
        for (int j = 0; j < tree.at.length; j++) {
            try {
                if (j > 0) {
                    if (context.affordable(n, tree.nfe(tree.at[j - 1], tree.at[j]) + children) < n) {
                        return tree.complete(best, bestCapture, bestStep, bestLineage);
                    }
                    context.checkpoint();
                    context.solve(states, tree.slice(tree.at[j - 1], tree.at[j]), tree.solver, null);
                }
                context.checkpoint();
                long levelKey = SearchContext.key(Stage.BEAM, j + 1, 0);
                tree.expand(states, captures, expanded, expandedCaptures, levelKey);
                float[] combined = context.combine(tree.scoreAt(expanded, expandedCaptures, predictions, j));
                int[] top = Scores.top(combined, n);
                int[] kept = top.clone();
                Arrays.sort(kept);
                long[] keys = new long[n * children];
                int[] parents = new int[n * children];
                List<List<Long>> next = new ArrayList<>();
                for (int i = 0; i < keys.length; i++) {
                    parents[i] = i / children;
                    List<Long> parent = lineages.get(parents[i]);
                    keys[i] = tree.childKey(parent.getLast(), levelKey, parents[i], i % children);
                }
                for (int i : kept) {
                    List<Long> lineage = new ArrayList<>(lineages.get(parents[i]));
                    if (i % children != 0) {
                        lineage.add(keys[i]);
                    }
                    next.add(lineage);
                }
                context.gather(expanded, kept, states);
                context.gather(expandedCaptures, kept, captures);
                context.copy(expanded.row(top[0]), best);
                if (bestCapture != null) {
                    context.copy(expandedCaptures.row(top[0]), bestCapture);
                }
                bestLineage = next.get(Arrays.binarySearch(kept, top[0]));
                bestStep = tree.at[j];
                lineages = next;
                context.trace().add(new TraceEntry(id(), j + 1, tree.levelOf(j), keys, combined, parents,
                        keys[top[0]], false));
            } catch (SearchStopped e) {
                if (bestLineage == null) {
                    throw e;
                }
                return tree.complete(best, bestCapture, bestStep, bestLineage);
            }
        }
        int last = tree.at[tree.at.length - 1];
        if (context.affordable(n, tree.nfe(last, tree.steps)) < n) {
            return tree.complete(best, bestCapture, bestStep, bestLineage);
        }
        try {
            context.checkpoint();
            context.solve(states, tree.slice(last, tree.steps), tree.solver, null);
        } catch (SearchStopped e) {
            return tree.complete(best, bestCapture, bestStep, bestLineage);
        }
        Scores members = context.score(states, captures);
        float[] combined = context.combine(members);
        int winner = Scores.argmax(combined);
        long[] keys = lineages.stream().mapToLong(List::getLast).toArray();
        context.trace().add(new TraceEntry(id(), tree.at.length + 1, 0, keys, combined, null, keys[winner], false));
        return tree.finish(states.row(winner), lineages.get(winner), combined[winner], members.column(winner));
    }

    /**
     * bfs with stochastic-step children: at level j every state's k children are the state advanced to the next level
     * (or 0) with step noise of their own, scored there, and pruned back to the best B; the best child at 0 wins.
     */
    private Outcome steppedBreadthFirst(SearchContext context) {
        Tree tree = new Tree(context);
        int n = context.affordable(beams, tree.nfe(0, tree.at[0]) + stepCost(tree.solver, tree.grid, tree.at, 0));
        if (n == 0) {
            return new NoSearch().run(context);
        }
        context.reserveCalls(tree.solver.fullNfe());
        Roots roots = tree.roots(n, true);
        Batch states = roots.states();
        Batch captures = roots.captures();
        List<List<Long>> lineages = roots.lineages();
        Batch expanded = context.allocate(n * children);
        Batch predictions = context.allocate(n * children);
        Batch expandedCaptures = captures == null ? null : context.allocate(n * children);
        Batch best = context.allocate(1);
        Batch bestCapture = context.capturesFor(1);
        List<Long> bestLineage = null;
        int bestStep = 0;
        for (int j = 0; j < tree.at.length; j++) {
            try {
                int to = stepEnd(tree.at, j, tree.steps);
                if (j > 0 && context.affordable(n, stepCost(tree.solver, tree.grid, tree.at, j)) < n) {
                    return tree.complete(best, bestCapture, bestStep, bestLineage);
                }
                context.checkpoint();
                long levelKey = SearchContext.key(Stage.BEAM_STEP, j + 1, 0);
                long[] keys = new long[n * children];
                int[] parents = new int[n * children];
                for (int i = 0; i < keys.length; i++) {
                    parents[i] = i / children;
                    keys[i] = tree.childKey(lineages.get(parents[i]).getLast(), levelKey, parents[i], i % children);
                }
                context.gather(states, parents, expanded);
                context.gather(captures, parents, expandedCaptures);
                context.solve(expanded, tree.slice(tree.at[j], to), tree.solver, null, keys, tree.at[j]);
                Scores members;
                if (to < tree.steps) {
                    context.predictX0(expanded, tree.grid[to], predictions);
                    members = context.score(predictions, expandedCaptures);
                } else {
                    members = context.score(expanded, expandedCaptures);
                }
                float[] combined = context.combine(members);
                int[] top = Scores.top(combined, n);
                List<List<Long>> childLineages = new ArrayList<>();
                for (int i = 0; i < keys.length; i++) {
                    List<Long> lineage = new ArrayList<>(lineages.get(parents[i]));
                    if (i % children != 0) {
                        lineage.add(keys[i]);
                    }
                    childLineages.add(lineage);
                }
                context.trace().add(new TraceEntry(id(), j + 1, to == tree.steps ? 0 : snapped(to, tree.steps), keys,
                        combined, parents, keys[top[0]], false));
                if (to == tree.steps) {
                    return tree.finish(expanded.row(top[0]), childLineages.get(top[0]), combined[top[0]],
                            members.column(top[0]));
                }
                int[] kept = top.clone();
                Arrays.sort(kept);
                context.gather(expanded, kept, states);
                context.gather(expandedCaptures, kept, captures);
                context.copy(expanded.row(top[0]), best);
                if (bestCapture != null) {
                    context.copy(expandedCaptures.row(top[0]), bestCapture);
                }
                bestLineage = childLineages.get(top[0]);
                bestStep = to;
                List<List<Long>> next = new ArrayList<>();
                for (int i : kept) {
                    next.add(childLineages.get(i));
                }
                lineages = next;
            } catch (SearchStopped e) {
                if (bestLineage == null) {
                    throw e;
                }
                return tree.complete(best, bestCapture, bestStep, bestLineage);
            }
        }
        throw new IllegalStateException("the last level's children end at 0");
    }

    /**
     * The depth-first search: a stack of frames, one per level entered, each the children of one expansion (the first
     * level's: all B roots' children) in rank order. A frame's rows are reused by the next frame at its depth.
     */
    private final class DepthFirst {

        final SearchContext context;
        final Tree tree;
        final Frame[] frames;
        final Batch current;
        final Batch currentCapture;
        Batch bestLeaf;
        float bestLeafScore = Float.NaN;
        float[] bestLeafMembers;
        List<Long> bestLeafLineage;
        /**
         * The top child of the last expansion, kept apart (its frame's rows are reused): completed when the search ends
         * without a leaf.
         */
        final Batch fallback;
        final Batch fallbackCapture;
        List<Long> fallbackLineage;
        /** The grid step the fallback sits at. */
        int fallbackStep;
        int expansions;

        DepthFirst(SearchContext context) {
            this.context = context;
            this.tree = new Tree(context);
            this.frames = new Frame[levels.size()];
            this.current = context.allocate(1);
            this.currentCapture = context.capturesFor(1);
            this.fallback = context.allocate(1);
            this.fallbackCapture = context.capturesFor(1);
        }

        Outcome run() {
            long firstCost = tree.nfe(0, tree.at[0])
                    + (stepping() ? stepCost(tree.solver, tree.grid, tree.at, 0) : children);
            int n = context.affordable(beams, firstCost);
            if (n == 0) {
                return new NoSearch().run(context);
            }
            context.reserveCalls(tree.solver.fullNfe());
            Roots first = tree.roots(n, stepping());
            Batch roots = first.states();
            Batch rootCaptures = first.captures();
            List<List<Long>> rootLineages = first.lineages();
            frames[0] = new Frame(context, n * children, rootCaptures != null);
            try {
                if (stepping()) {
                    return stepped(roots, rootCaptures, rootLineages);
                }
                expandInto(frames[0], 0, roots, rootCaptures, rootLineages);
                int depth = 0;
                while (depth >= 0) {
                    Frame frame = frames[depth];
                    int child = frame.nextChild();
                    if (child < 0) {
                        depth--;
                        continue;
                    }
                    int from = tree.at[depth];
                    boolean last = depth == tree.at.length - 1;
                    int to = last ? tree.steps : tree.at[depth + 1];
                    if (context.affordable(1, tree.nfe(from, to) + (last ? 0 : children)) == 0) {
                        return end();
                    }
                    enter(frame, child);
                    context.solve(current, tree.slice(from, to), tree.solver, null);
                    if (last) {
                        if (leaf(frame.lineages.get(child))) {
                            return tree.finish(bestLeaf, bestLeafLineage, bestLeafScore, bestLeafMembers);
                        }
                        continue;
                    }
                    depth++;
                    if (frames[depth] == null) {
                        frames[depth] = new Frame(context, children, currentCapture != null);
                    }
                    context.checkpoint();
                    expandInto(frames[depth], depth, current, currentCapture, List.of(frame.lineages.get(child)));
                }
            } catch (SearchStopped e) {
                if (fallbackLineage == null && bestLeaf == null) {
                    throw e;
                }
            }
            return end();
        }

        /** A checkpoint, then child {@code child} of the frame (and its capture) copied into the current state. */
        void enter(Frame frame, int child) {
            context.checkpoint();
            context.copy(frame.states.row(child), current);
            if (currentCapture != null) {
                context.copy(frame.captures.row(child), currentCapture);
            }
        }

        /**
         * Step children: frame d holds the children that the expansion at level d advanced to level d + 1; entering
         * one expands it there. The last level's expansion yields leaves, ranked: its best wins if accepted.
         */
        Outcome stepped(Batch roots, Batch rootCaptures, List<List<Long>> rootLineages) {
            if (stepInto(frames[0], 0, roots, rootCaptures, rootLineages)) {
                return tree.finish(bestLeaf, bestLeafLineage, bestLeafScore, bestLeafMembers);
            }
            int depth = tree.at.length > 1 ? 0 : -1;
            while (depth >= 0) {
                Frame frame = frames[depth];
                int child = frame.nextChild();
                if (child < 0) {
                    depth--;
                    continue;
                }
                int j = depth + 1;
                if (context.affordable(1, stepCost(tree.solver, tree.grid, tree.at, j)) == 0) {
                    return end();
                }
                enter(frame, child);
                if (frames[j] == null) {
                    frames[j] = new Frame(context, children, currentCapture != null);
                }
                if (stepInto(frames[j], j, current, currentCapture, List.of(frame.lineages.get(child)))) {
                    return tree.finish(bestLeaf, bestLeafLineage, bestLeafScore, bestLeafMembers);
                }
                if (j < tree.at.length - 1) {
                    depth = j;
                }
            }
            return end();
        }

        /**
         * Expands states (their lineages given) at level j into k stochastic steps each to the next level (or 0),
         * scored there, into the frame's rows, ranked; returns whether they are leaves whose best is accepted.
         */
        boolean stepInto(Frame frame, int j, Batch states, Batch captures, List<List<Long>> lineages) {
            int rows = states.rows() * children;
            int to = stepEnd(tree.at, j, tree.steps);
            Batch out = frame.states.rows(0, rows);
            Batch outCaptures = frame.captures == null ? null : frame.captures.rows(0, rows);
            long firstKey = SearchContext.key(Stage.BEAM_STEP, ++expansions, 0);
            int[] parents = new int[rows];
            long[] keys = new long[rows];
            frame.lineages.clear();
            for (int i = 0; i < rows; i++) {
                parents[i] = i / children;
                List<Long> parent = lineages.get(parents[i]);
                keys[i] = tree.childKey(parent.getLast(), firstKey, parents[i], i % children);
                List<Long> lineage = new ArrayList<>(parent);
                if (i % children != 0) {
                    lineage.add(keys[i]);
                }
                frame.lineages.add(lineage);
            }
            context.gather(states, parents, out);
            context.gather(captures, parents, outCaptures);
            context.solve(out, tree.slice(tree.at[j], to), tree.solver, null, keys, tree.at[j]);
            boolean leaves = to == tree.steps;
            Scores members;
            if (leaves) {
                members = context.score(out, outCaptures);
            } else {
                Batch x0 = predictionRows(rows);
                context.predictX0(out, tree.grid[to], x0);
                members = context.score(x0, outCaptures);
            }
            float[] combined = context.combine(members);
            frame.rank(combined);
            int top = frame.order[0];
            boolean accepted = leaves && (Double.isNaN(threshold) || combined[top] >= threshold);
            context.trace().add(new TraceEntry(id() + "-dfs", expansions, leaves ? 0 : snapped(to, tree.steps), keys,
                    combined, null, keys[top], leaves && !accepted));
            if (leaves) {
                if (bestLeaf == null || combined[top] > bestLeafScore) {
                    if (bestLeaf == null) {
                        bestLeaf = context.allocate(1);
                    }
                    context.copy(out.row(top), bestLeaf);
                    bestLeafScore = combined[top];
                    bestLeafMembers = members.column(top);
                    bestLeafLineage = frame.lineages.get(top);
                }
                return accepted;
            }
            context.copy(out.row(top), fallback);
            if (fallbackCapture != null) {
                context.copy(outCaptures.row(top), fallbackCapture);
            }
            fallbackLineage = frame.lineages.get(top);
            fallbackStep = to;
            return false;
        }

        /** Expands states (their lineages given) at level j into the frame's rows and ranks the children. */
        void expandInto(Frame frame, int j, Batch states, Batch captures, List<List<Long>> lineages) {
            int rows = states.rows() * children;
            Batch out = frame.states.rows(0, rows);
            Batch outCaptures = frame.captures == null ? null : frame.captures.rows(0, rows);
            long firstKey = SearchContext.key(Stage.BEAM, ++expansions, 0);
            tree.expand(states, captures, out, outCaptures, firstKey);
            Batch x0 = predictionRows(rows);
            float[] combined = context.combine(tree.scoreAt(out, outCaptures, x0, j));
            long[] keys = new long[rows];
            frame.lineages.clear();
            for (int i = 0; i < rows; i++) {
                List<Long> parent = lineages.get(i / children);
                keys[i] = tree.childKey(parent.getLast(), firstKey, i / children, i % children);
                List<Long> lineage = new ArrayList<>(parent);
                if (i % children != 0) {
                    lineage.add(keys[i]);
                }
                frame.lineages.add(lineage);
            }
            frame.rank(combined);
            int top = frame.order[0];
            context.copy(out.row(top), fallback);
            if (fallbackCapture != null) {
                context.copy(outCaptures.row(top), fallbackCapture);
            }
            fallbackLineage = frame.lineages.get(top);
            fallbackStep = tree.at[j];
            context.trace().add(new TraceEntry(id() + "-dfs", expansions, tree.levelOf(j), keys, combined, null,
                    keys[frame.order[0]], false));
        }

        /** The x-predictions of an expansion: one batch, as large as the first level's. */
        private Batch predictionsBatch;

        Batch predictionRows(int rows) {
            if (predictionsBatch == null || predictionsBatch.rows() < rows) {
                predictionsBatch = context.allocate(rows);
            }
            return predictionsBatch.rows(0, rows);
        }

        /** Scores the clean state in {@code current}; returns whether it is accepted (at or above the threshold). */
        boolean leaf(List<Long> lineage) {
            Scores members = context.score(current, currentCapture);
            float score = context.combine(members)[0];
            boolean accepted = Double.isNaN(threshold) || score >= threshold;
            if (bestLeaf == null || score > bestLeafScore) {
                if (bestLeaf == null) {
                    bestLeaf = context.allocate(1);
                }
                context.copy(current, bestLeaf);
                bestLeafScore = score;
                bestLeafMembers = members.column(0);
                bestLeafLineage = lineage;
            }
            context.trace().add(new TraceEntry(id() + "-dfs-leaf", expansions, 0, new long[] {lineage.getLast()},
                    new float[] {score}, null, lineage.getLast(), !accepted));
            return accepted;
        }

        /** Stopped or exhausted without an accepted leaf: the best leaf, else the last expansion's top child completed. */
        Outcome end() {
            if (bestLeaf != null) {
                return tree.finish(bestLeaf, bestLeafLineage, bestLeafScore, bestLeafMembers);
            }
            return tree.complete(fallback, fallbackCapture, fallbackStep, fallbackLineage);
        }
    }

    /** The children of one expansion, their lineages, their rank order and the next one to try. */
    private final class Frame {

        final Batch states;
        final Batch captures;
        final List<List<Long>> lineages = new ArrayList<>();
        float[] scores;
        int[] order;
        int next;

        Frame(SearchContext context, int rows, boolean captured) {
            states = context.allocate(rows);
            captures = captured ? context.allocate(rows) : null;
        }

        void rank(float[] combined) {
            scores = combined;
            order = Scores.rankOrder(combined);
            next = 0;
        }

        /** The next child at or above the threshold in rank order, or -1 when none is left. */
        int nextChild() {
            if (next >= order.length) {
                return -1;
            }
            int child = order[next];
            if (!Double.isNaN(threshold) && scores[child] < threshold) {
                next = order.length;
                return -1;
            }
            next++;
            return child;
        }
    }
}

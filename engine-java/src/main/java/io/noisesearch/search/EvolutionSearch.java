package io.noisesearch.search;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.backend.Batch;
import io.noisesearch.noise.CandidateKeys;
import io.noisesearch.sampling.Sampler;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.verify.Scores;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Evolutionary search over starting noises (EvoSearch-like; beyond PAPER.md). Generation 0 is random search's first
 * P_0 noises. Each generation g = 1..G keeps the E elites of the one before (its best E in rank order, not solved
 * again) and fills the rest of its P_g with mutants: mutant i of the M = P_g - E has parent elite floor(i E / M) and
 * as noise the zero-order neighbour of the parent's noise at cosine c_g, {@code |n| (c u + sqrt(1 - c^2) w)}, which
 * keeps the parent's norm (direction key: stage evolution, iteration g, index i); c_g anneals linearly from the start
 * cosine (g = 1) to the end cosine (g = G), and cosine 1 copies the parent. Every individual is solved with the search
 * solver and scored on its clean sample; a generation's pool is its elites followed by its mutants (ties go to the
 * lowest index, so to the elites), and the best of the last generation wins. With G = 0 the search is random search
 * over P_0 noises.
 * <p>
 * Budget: generation 0 takes as many of its P_0 as fit (none: no search), a later one as many of its mutants as fit
 * (none: the search stops); a deadline or a stopping rule stops the search before its next generation. The winner is
 * finished like random search's: its noise (a mutant's is its own noise, not a key's) re-solved with the final solver
 * where the solvers differ.
 * <p>
 * Intermediate states ({@code evoAt}, EvoSearch's evolution along the trajectory): generation g mutates its elites'
 * states at level u_g (1: the starting noise), snapped to the search solver's grid (step a_g = round((1 - u_g) S)), and
 * its mutants are solved from there to 0. Every individual keeps its state at the next generation's level, taken on the
 * way down (its solve is cut there: slices of one grid, so the same bits as one solve); elites carried into the next
 * generation are solved on from u_g to u_g+1 (E nfe(a_g -> a_g+1) more). A mutant winner of such a search returns its
 * searched sample (its state was not a noise). Levels do not rise from one generation to the next.
 *
 * @param population  the population schedule P_0, ..., P_G (one entry: every generation that size)
 * @param generations G, the generations after the first
 * @param elites      E, the individuals kept from one generation to the next, fewer than every later P_g
 * @param cosineStart the mutation cosine of generation 1, in (-1, 1]
 * @param cosineEnd   the mutation cosine of generation G, in (-1, 1]
 * @param evoAt       the level u_g in (0, 1] where generation g mutates, one for every generation or one per
 *                    generation 1..G, non-increasing ([1]: starting noises only)
 */
public record EvolutionSearch(List<Integer> population, int generations, int elites, double cosineStart,
                              double cosineEnd, List<Double> evoAt) implements SearchAlgorithm {

    /** Evolution of starting noises only. */
    public EvolutionSearch(List<Integer> population, int generations, int elites, double cosineStart,
                           double cosineEnd) {
        this(population, generations, elites, cosineStart, cosineEnd, List.of(1.0));
    }

    public EvolutionSearch {
        if (generations < 0 || generations > CandidateKeys.MAX_ITERATION) {
            throw new IllegalArgumentException("--generations must lie in 0.." + CandidateKeys.MAX_ITERATION
                    + " (the iteration field of candidate keys), got " + generations);
        }
        if (population == null || population.isEmpty()
                || (population.size() != 1 && population.size() != generations + 1)) {
            throw new IllegalArgumentException("--population must give one size, or one per generation ("
                    + (generations + 1) + " with --generations " + generations + "), got "
                    + (population == null ? 0 : population.size()));
        }
        for (Integer size : population) {
            if (size == null || size < 1) {
                throw new IllegalArgumentException("--population sizes must be at least 1, got " + size);
            }
        }
        population = List.copyOf(population);
        if (elites < 1) {
            throw new IllegalArgumentException("--elites must be at least 1, got " + elites);
        }
        for (int g = 1; g <= generations; g++) {
            int size = population.size() == 1 ? population.getFirst() : population.get(g);
            if (elites >= size) {
                throw new IllegalArgumentException("--elites " + elites + " must be fewer than generation " + g
                        + "'s --population " + size + " (the rest are its mutants)");
            }
        }
        for (double c : new double[] {cosineStart, cosineEnd}) {
            if (!(c > -1 && c <= 1)) {
                throw new IllegalArgumentException("--evo-cosine-start and --evo-cosine-end must lie in (-1, 1], got "
                        + c);
            }
        }
        if (evoAt == null || evoAt.isEmpty() || (evoAt.size() != 1 && evoAt.size() != generations)) {
            throw new IllegalArgumentException("--evo-at must give one level, or one per generation 1.." + generations
                    + ", got " + (evoAt == null ? 0 : evoAt.size()));
        }
        for (int i = 0; i < evoAt.size(); i++) {
            Double level = evoAt.get(i);
            if (level == null || !(level > 0 && level <= 1)) {
                throw new IllegalArgumentException("--evo-at levels must lie in (0, 1], got " + level);
            }
            if (i > 0 && level > evoAt.get(i - 1)) {
                throw new IllegalArgumentException("--evo-at levels must not rise from one generation to the next, got "
                        + level + " after " + evoAt.get(i - 1));
            }
        }
        evoAt = List.copyOf(evoAt);
    }

    /** Whether some generation mutates an intermediate state. */
    private boolean intermediate() {
        return evoAt.stream().anyMatch(level -> level < 1);
    }

    /**
     * The grid steps of the mutation levels on {@code steps} steps: index g (1..G) is generation g's, index 0 and
     * G + 1 repeat the first and last (nothing to carry before generation 1 or after G).
     */
    int[] levelSteps(int steps) {
        int[] at = new int[generations + 2];
        for (int g = 1; g <= generations; g++) {
            double level = evoAt.size() == 1 ? evoAt.getFirst() : evoAt.get(g - 1);
            at[g] = (int) Math.round((1 - level) * steps);
            if (at[g] > steps - 1) {
                throw new InvalidRequestException("--evo-at " + level + " falls on step " + at[g] + " of the search"
                        + " solver's " + steps + " (--search-steps): a level must lie at least 1/" + steps
                        + " above 0");
            }
        }
        at[0] = generations == 0 ? 0 : at[1];
        at[generations + 1] = at[generations];
        return at;
    }

    private static long sliceNfe(SolverSettings solver, double[] grid, int from, int to) {
        return from == to ? 0 : solver.nfe(Arrays.copyOfRange(grid, from, to + 1));
    }

    @Override
    public String id() {
        return "evolution";
    }

    /** P_g, the size of generation g. */
    public int size(int generation) {
        return population.size() == 1 ? population.getFirst() : population.get(generation);
    }

    /** c_g, the mutation cosine of generation g = 1..G: linear from the start cosine to the end cosine. */
    public double cosine(int generation) {
        return generations <= 1 ? cosineStart
                : cosineStart + (cosineEnd - cosineStart) * (generation - 1) / (generations - 1);
    }

    /**
     * P_0 full solves, and for g = 1..G: (P_g - E) solves from a_g to 0 and E elites carried from a_g to a_g+1 (with
     * starting noises only, (P_0 + sum (P_g - E)) full solves).
     */
    @Override
    public long plannedSearchNfe(SearchPlan plan) {
        SolverSettings solver = plan.searchSolver();
        double[] grid = plan.schedule().grid(1, 0, solver.steps());
        int[] at = levelSteps(solver.steps());
        long total = Math.multiplyExact(size(0), solver.fullNfe());
        for (int g = 1; g <= generations; g++) {
            total = Math.addExact(total, Math.multiplyExact(size(g) - elites,
                    sliceNfe(solver, grid, at[g], solver.steps())));
            total = Math.addExact(total, Math.multiplyExact(elites, sliceNfe(solver, grid, at[g], at[g + 1])));
        }
        return total;
    }

    /**
     * Noises, samples and captures for the largest generation (generation 0 as far as the budget lets it draw, later
     * ones whole), spare rows of each for the elites, then the winner's noise and capture for the final solve.
     */
    @Override
    public long peakRows(SearchPlan plan, long budgetNfe, boolean captures, int poolChunkRows) {
        long first = Math.min(size(0), budgetNfe / plan.searchSolver().fullNfe());
        long tail = new NoSearch().peakRows(plan, budgetNfe, captures, poolChunkRows);
        if (first == 0) {
            return tail;
        }
        long largest = first;
        for (int g = 1; g <= generations; g++) {
            largest = Math.max(largest, size(g));
        }
        long perRow = captures ? 3 : 2;
        return (largest + elites) * perRow + tail;
    }

    /** Every generation's pool in the trace, its elites included: P_0 + ... + P_G. */
    @Override
    public long plannedCandidates() {
        long total = 0;
        for (int g = 0; g <= generations; g++) {
            total += size(g);
        }
        return total;
    }

    @Override
    public long plannedTraceEntries() {
        return generations + 1L;
    }

    @Override
    public String sizeOptions() {
        return "--population " + population + ", --generations " + generations + " and --elites " + elites;
    }

    @Override
    public Outcome run(SearchContext context) {
        SolverSettings solver = context.searchSolver();
        double[] grid = context.fullGrid(solver);
        int steps = solver.steps();
        int[] at = levelSteps(steps);
        checkCaptureTime(context, grid, at);
        int first = context.affordable(size(0), solver.fullNfe());
        if (first == 0) {
            return new NoSearch().run(context);
        }
        int largest = first;
        for (int g = 1; g <= generations; g++) {
            largest = Math.max(largest, size(g));
        }
        Population pool = new Population(context, largest, elites, grid);
        long firstKey = SearchContext.key(Stage.RANDOM, 0, 0);
        List<List<Long>> lineages = new ArrayList<>();
        for (int i = 0; i < first; i++) {
            lineages.add(List.of(firstKey + i));
        }
        context.drawNoise(pool.noise.rows(0, first), firstKey);
        Scores members = pool.solveAndScore(context, 0, first, 0, at[1]);
        float[] combined = context.combine(members);
        int kept = Math.min(elites, first);
        int[] top = Scores.top(combined, kept);
        float score = combined[top[0]];
        context.trace().add(new TraceEntry(id(), 0, 0, RandomSearch.consecutiveKeys(firstKey, first), combined, null,
                firstKey + top[0], false));
        lineages = pool.keep(context, top, members, lineages);
        for (int g = 1; g <= generations; g++) {
            long carry = (long) kept * sliceNfe(solver, grid, at[g], at[g + 1]);
            int mutants = context.affordable(size(g) - elites, sliceNfe(solver, grid, at[g], steps), carry);
            if (mutants == 0) {
                break;
            }
            long generationKey = SearchContext.key(Stage.EVOLUTION, g, 0);
            Scores fresh;
            try {
                context.checkpoint();
                int[] parents = mutate(context, pool, kept, mutants, generationKey, cosine(g));
                if (at[g + 1] > at[g]) {
                    // the elites' states move on to the next generation's level, as the mutants' do on their way
                    context.solve(pool.noise.rows(0, kept), Arrays.copyOfRange(grid, at[g], at[g + 1] + 1), solver,
                            null);
                }
                fresh = pool.solveAndScore(context, kept, mutants, at[g], at[g + 1]);
                for (int i = 0; i < mutants; i++) {
                    List<Long> lineage = new ArrayList<>(lineages.get(parents[i]));
                    lineage.add(generationKey + i);
                    lineages.add(lineage);
                }
                Scores all = pool.eliteScores.concat(fresh);
                combined = context.combine(all);
                long[] keys = new long[kept + mutants];
                int[] poolParents = new int[kept + mutants];
                for (int i = 0; i < keys.length; i++) {
                    keys[i] = lineages.get(i).getLast();
                    poolParents[i] = i < kept ? i : parents[i - kept];
                }
                top = Scores.top(combined, Math.min(elites, kept + mutants));
                score = combined[top[0]];
                context.trace().add(new TraceEntry(id(), g, 0, keys, combined, poolParents, keys[top[0]], false));
                lineages = pool.keep(context, top, all, lineages);
                kept = top.length;
            } catch (SearchStopped e) {
                // The elites of the last whole generation are what a budget that ends there returns.
                break;
            }
        }
        List<Long> lineage = lineages.getFirst();
        long key = lineage.getLast();
        float[] winnerMembers = pool.eliteScores.column(0);
        Batch sample = pool.sample.row(0);
        if (lineage.size() == 1) {
            return context.finishKey(key, sample, lineage, score, winnerMembers);
        }
        if (intermediate()) {
            return context.keep(sample, key, lineage, score, winnerMembers);
        }
        return context.finish(pool.noise.row(0), sample, key, lineage, score, winnerMembers);
    }

    /**
     * A capturing verifier (ssl@T) takes its capture on the way from the lowest mutation level to 0, where every
     * individual's solve passes: the full grid's step nearest T must not lie above that level.
     */
    private void checkCaptureTime(SearchContext context, double[] grid, int[] at) {
        double captureTime = context.verifierCaptureTime();
        int lowest = at[generations + 1];
        if (!Double.isNaN(captureTime) && lowest > 0 && Sampler.nearestStep(grid, captureTime) < lowest) {
            throw new InvalidRequestException("--verifier captures its x-prediction at t = " + captureTime
                    + ", above the lowest --evo-at level (t = " + grid[lowest] + "): evolving intermediate states"
                    + " takes the capture below the last level where they are mutated");
        }
    }

    /**
     * Writes the mutants' noises to rows {@code kept..kept + mutants - 1}: mutant i the neighbour of elite
     * {@code floor(i kept / mutants)} at the cosine, its direction the noise of key {@code generationKey + i}; returns
     * each mutant's parent.
     */
    private static int[] mutate(SearchContext context, Population pool, int kept, int mutants, long generationKey,
                                double cosine) {
        int[] parents = new int[mutants];
        int start = 0;
        for (int e = 0; e < kept; e++) {
            int end = (int) ((long) (e + 1) * mutants / kept);
            if (end > start) {
                Batch rows = pool.noise.rows(kept + start, end - start);
                Batch parent = pool.noise.row(e);
                if (cosine == 1) {
                    for (int r = 0; r < rows.rows(); r++) {
                        context.copy(parent, rows.row(r));
                    }
                } else {
                    context.drawNoise(rows, generationKey + start);
                    context.neighbours(parent, rows, (float) cosine);
                }
                for (int i = start; i < end; i++) {
                    parents[i] = e;
                }
            }
            start = end;
        }
        return parents;
    }

    /**
     * A generation's rows: noises, samples and captures, the elites in rows 0..kept - 1 and the mutants after them,
     * with the elites' member scores; spare rows to gather the next elites into.
     */
    private static final class Population {

        final Batch noise;
        final Batch sample;
        final Batch captures;
        final Batch spareNoise;
        final Batch spareSample;
        final Batch spareCaptures;
        Scores eliteScores;

        final double[] grid;

        Population(SearchContext context, int rows, int elites, double[] grid) {
            this.grid = grid;
            noise = context.allocate(rows);
            sample = context.allocate(rows);
            captures = context.capturesFor(rows);
            spareNoise = context.allocate(elites);
            spareSample = context.allocate(elites);
            spareCaptures = context.capturesFor(elites);
        }

        /**
         * Solves rows {@code from..from + count - 1} from their states at grid step {@code start} (noises at 0) to 0
         * and scores them; each row's state at step {@code next} (the next generation's level) replaces its state.
         */
        Scores solveAndScore(SearchContext context, int from, int count, int start, int next) {
            Batch x = sample.rows(from, count);
            Batch states = noise.rows(from, count);
            Batch captured = captures == null ? null : captures.rows(from, count);
            SolverSettings solver = context.searchSolver();
            context.copy(states, x);
            if (next > start) {
                context.solve(x, Arrays.copyOfRange(grid, start, next + 1), solver, null);
                context.copy(x, states);
            }
            context.solve(x, Arrays.copyOfRange(grid, next, grid.length), solver, captured);
            return context.score(x, captured);
        }

        /** Moves the rows {@code top} (best first) to rows 0..; returns their lineages in that order. */
        List<List<Long>> keep(SearchContext context, int[] top, Scores members, List<List<Long>> lineages) {
            int n = top.length;
            context.gather(noise, top, spareNoise.rows(0, n));
            context.gather(sample, top, spareSample.rows(0, n));
            context.gather(captures, top, spareCaptures == null ? null : spareCaptures.rows(0, n));
            context.copy(spareNoise.rows(0, n), noise.rows(0, n));
            context.copy(spareSample.rows(0, n), sample.rows(0, n));
            if (captures != null) {
                context.copy(spareCaptures.rows(0, n), captures.rows(0, n));
            }
            eliteScores = members.select(top);
            List<List<Long>> next = new ArrayList<>();
            for (int i : top) {
                next.add(lineages.get(i));
            }
            return next;
        }
    }
}

package io.noisesearch.search;

import io.noisesearch.backend.Batch;
import io.noisesearch.noise.CandidateKeys;
import io.noisesearch.verify.Scores;

import java.util.ArrayList;
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
 *
 * @param population  the population schedule P_0, ..., P_G (one entry: every generation that size)
 * @param generations G, the generations after the first
 * @param elites      E, the individuals kept from one generation to the next, fewer than every later P_g
 * @param cosineStart the mutation cosine of generation 1, in (-1, 1]
 * @param cosineEnd   the mutation cosine of generation G, in (-1, 1]
 */
public record EvolutionSearch(List<Integer> population, int generations, int elites, double cosineStart,
                              double cosineEnd) implements SearchAlgorithm {

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

    /** P_0 + sum over g of (P_g - E) individuals solved, each a full search solve. */
    @Override
    public long plannedSearchNfe(SearchPlan plan) {
        long solved = size(0);
        for (int g = 1; g <= generations; g++) {
            solved = Math.addExact(solved, size(g) - elites);
        }
        return Math.multiplyExact(solved, plan.searchSolver().fullNfe());
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
        long cost = context.searchSolver().fullNfe();
        int first = context.affordable(size(0), cost);
        if (first == 0) {
            return new NoSearch().run(context);
        }
        int largest = first;
        for (int g = 1; g <= generations; g++) {
            largest = Math.max(largest, size(g));
        }
        Population pool = new Population(context, largest, elites);
        long firstKey = SearchContext.key(Stage.RANDOM, 0, 0);
        List<List<Long>> lineages = new ArrayList<>();
        for (int i = 0; i < first; i++) {
            lineages.add(List.of(firstKey + i));
        }
        context.drawNoise(pool.noise.rows(0, first), firstKey);
        Scores members = pool.solveAndScore(context, 0, first);
        float[] combined = context.combine(members);
        int kept = Math.min(elites, first);
        int[] top = Scores.top(combined, kept);
        float score = combined[top[0]];
        context.trace().add(new TraceEntry(id(), 0, 0, RandomSearch.consecutiveKeys(firstKey, first), combined, null,
                firstKey + top[0], false));
        lineages = pool.keep(context, top, members, lineages);
        for (int g = 1; g <= generations; g++) {
            int mutants = context.affordable(size(g) - elites, cost);
            if (mutants == 0) {
                break;
            }
            long generationKey = SearchContext.key(Stage.EVOLUTION, g, 0);
            Scores fresh;
            try {
                context.checkpoint();
                int[] parents = mutate(context, pool, kept, mutants, generationKey, cosine(g));
                fresh = pool.solveAndScore(context, kept, mutants);
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
        return context.finish(pool.noise.row(0), sample, key, lineage, score, winnerMembers);
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

        Population(SearchContext context, int rows, int elites) {
            noise = context.allocate(rows);
            sample = context.allocate(rows);
            captures = context.capturesFor(rows);
            spareNoise = context.allocate(elites);
            spareSample = context.allocate(elites);
            spareCaptures = context.capturesFor(elites);
        }

        /** Copies rows {@code from..from + count - 1}'s noises to their samples, solves and scores them. */
        Scores solveAndScore(SearchContext context, int from, int count) {
            Batch x = sample.rows(from, count);
            Batch captured = captures == null ? null : captures.rows(from, count);
            context.copy(noise.rows(from, count), x);
            context.solve(x, context.fullGrid(context.searchSolver()), context.searchSolver(), captured);
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

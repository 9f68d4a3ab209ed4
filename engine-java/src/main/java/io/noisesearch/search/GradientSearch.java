package io.noisesearch.search;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.backend.Batch;
import io.noisesearch.noise.CandidateKeys;
import io.noisesearch.sampling.GuidedDenoiser;
import io.noisesearch.verify.Scores;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * First-order search (PAPER.md, algorithm 4): R starting noises (random search's candidates 0..R-1) each climb the
 * verifier's score by K gradient steps on the sphere of their norm. A step moves a noise n along its gradient projected
 * on the sphere's tangent plane to the point at cosine c from n, |n| (c u + sqrt(1 - c^2) w), the zero-order neighbour
 * in the gradient's direction (norm preserved). Gradients are exact, carried back through the solver in closed form
 * ({@link SearchContext#solveWithGradient}), so the model must be an exact mixture and the verifier oracle or
 * posterior. Every point visited is scored. A restart keeps its best point; a step that does not beat it is undone
 * and the next step leaves the best point again at half the angle (backtracking), so a restart's best only rises and
 * its steps shrink near a maximum instead of circling it. The best restart wins.
 *
 * @param candidates R, the restarts
 * @param iterations K, the gradient steps of each restart
 * @param stepCosine c, the cosine between a point and the next at the first step (the step's angle is acos c)
 */
public record GradientSearch(int candidates, int iterations, double stepCosine) implements SearchAlgorithm {

    public GradientSearch {
        if (candidates < 1) {
            throw new IllegalArgumentException("--candidates must be at least 1, got " + candidates);
        }
        if (iterations < 0 || iterations > CandidateKeys.MAX_ITERATION) {
            throw new IllegalArgumentException("--iterations must lie in 0.." + CandidateKeys.MAX_ITERATION
                    + " (the iteration field of candidate keys), got " + iterations);
        }
        if (!(stepCosine > -1 && stepCosine < 1)) {
            throw new IllegalArgumentException("--gradient-cosine must lie in (-1, 1), got " + stepCosine);
        }
    }

    @Override
    public String id() {
        return "gradient";
    }

    /** A solve with its reverse pass costs (1 + BACKWARD_NFE) solves; each restart ends on one plain solve. */
    private static long stepCost(SearchPlan plan) {
        return (1L + GuidedDenoiser.BACKWARD_NFE) * plan.searchSolver().fullNfe();
    }

    /** R (K (1 + 2) F + F) with F the search solver's NFEs: K solves with their reverse pass and a last solve. */
    @Override
    public long plannedSearchNfe(SearchPlan plan) {
        long perRestart = Math.addExact(Math.multiplyExact(iterations, stepCost(plan)), plan.searchSolver().fullNfe());
        return Math.multiplyExact(candidates, perRestart);
    }

    /**
     * The R noises, samples, gradients, best noises, samples and gradients, the solve's kept states (F a row, for at
     * most R rows) and four work rows a row.
     */
    @Override
    public long peakRows(SearchPlan plan, long budgetNfe, boolean captures, int poolChunkRows) {
        long fullNfe = plan.searchSolver().fullNfe();
        if (budgetNfe < fullNfe) {
            return new NoSearch().peakRows(plan, budgetNfe, captures, poolChunkRows);
        }
        long rows = Math.min(candidates, budgetNfe / fullNfe);
        return Math.multiplyExact(rows, 10 + fullNfe);
    }

    @Override
    public long plannedCandidates() {
        return (long) candidates * (iterations + 1);
    }

    @Override
    public long plannedTraceEntries() {
        return 1L + iterations;
    }

    @Override
    public String sizeOptions() {
        return "--candidates " + candidates + " and --iterations " + iterations;
    }

    @Override
    public Outcome run(SearchContext context) {
        String unavailable = context.gradientUnavailable();
        if (unavailable != null) {
            throw new InvalidRequestException("--algorithm gradient: " + unavailable);
        }
        long solve = context.searchSolver().fullNfe();
        long step = (1L + GuidedDenoiser.BACKWARD_NFE) * solve;
        int rows = Math.min(candidates, context.affordable(candidates, solve));
        if (rows == 0) {
            return new NoSearch().run(context);
        }
        Restarts restarts = new Restarts(context, rows, stepCosine);
        int active = rows;
        for (int k = 0; k <= iterations; k++) {
            // every point of this iteration that fits is scored; a row climbs (2 more solves) only where the budget
            // also keeps a solve for its next point
            long left = context.budgetLeft();
            int evaluate = (int) Math.min(active, left / solve);
            int climbs = k == iterations ? 0 : (int) Math.min(evaluate, (left - evaluate * solve) / step);
            if (evaluate < active || (k < iterations && climbs < evaluate)) {
                context.budgetCut();
            }
            if (evaluate == 0) {
                break;
            }
            Scores scores;
            try {
                context.checkpoint();
                scores = restarts.evaluate(evaluate, climbs);
            } catch (SearchStopped e) {
                // what the restarts reached so far is what a budget that ends here returns
                break;
            }
            float[] combined = restarts.keepOrBacktrack(k, scores, climbs);
            int leader = restarts.leader();
            context.trace().add(new TraceEntry(id(), k, 0, keys(k, evaluate), combined, null,
                    key(leader, restarts.bestStep[leader]), false));
            if (climbs == 0) {
                break;
            }
            restarts.step(climbs);
            active = climbs;
        }
        return restarts.scored == 0 ? new NoSearch().run(context) : restarts.finish();
    }

    /**
     * The restarts' batches (row r is restart r; the rows still climbing are a prefix) and what each keeps: its best
     * point's noise, sample, gradient, scores and step, its accepted steps (its lineage) and its step's cosine.
     */
    private static final class Restarts {

        final SearchContext context;
        final Batch noise;
        final Batch sample;
        final Batch gradient;
        final Batch bestNoise;
        final Batch bestSample;
        final Batch bestGradient;
        final float[] best;
        final float[][] bestMembers;
        final int[] bestStep;
        final double[] cosine;
        final List<List<Long>> accepted = new ArrayList<>();
        /** Restarts scored at least once: the first iteration's rows. */
        int scored;

        Restarts(SearchContext context, int rows, double stepCosine) {
            this.context = context;
            noise = context.allocate(rows);
            sample = context.allocate(rows);
            gradient = context.allocate(rows);
            bestNoise = context.allocate(rows);
            bestSample = context.allocate(rows);
            bestGradient = context.allocate(rows);
            best = new float[rows];
            bestMembers = new float[rows][];
            bestStep = new int[rows];
            cosine = new double[rows];
            Arrays.fill(cosine, stepCosine);
            context.drawNoise(noise, key(0, 0));
        }

        /** Solves and scores rows 0..evaluate-1; the first {@code climbs} also get their gradient. */
        Scores evaluate(int evaluate, int climbs) {
            if (climbs == 0) {
                return solveAndScore(context, noise.rows(0, evaluate), sample.rows(0, evaluate));
            }
            Scores scores = context.solveWithGradient(noise.rows(0, climbs), sample.rows(0, climbs),
                    gradient.rows(0, climbs));
            if (climbs == evaluate) {
                return scores;
            }
            return scores.concat(solveAndScore(context, noise.rows(climbs, evaluate - climbs),
                    sample.rows(climbs, evaluate - climbs)));
        }

        /**
         * A point that beats its restart's best becomes it (with its gradient where it climbs); otherwise the restart
         * goes back to its best point and gradient at half the angle, cos(a / 2) = sqrt((1 + cos a) / 2). Returns the
         * combined scores.
         */
        float[] keepOrBacktrack(int k, Scores scores, int climbs) {
            float[] combined = context.combine(scores);
            for (int r = 0; r < combined.length; r++) {
                if (k == 0 || combined[r] > best[r]) {
                    best[r] = combined[r];
                    bestMembers[r] = scores.column(r);
                    bestStep[r] = k;
                    if (k == 0) {
                        accepted.add(new ArrayList<>());
                    }
                    accepted.get(r).add(key(r, k));
                    context.copy(noise.row(r), bestNoise.row(r));
                    context.copy(sample.row(r), bestSample.row(r));
                    if (r < climbs) {
                        context.copy(gradient.row(r), bestGradient.row(r));
                    }
                } else if (r < climbs) {
                    cosine[r] = Math.sqrt((1 + cosine[r]) / 2);
                    context.copy(bestNoise.row(r), noise.row(r));
                    context.copy(bestGradient.row(r), gradient.row(r));
                }
            }
            scored = Math.max(scored, combined.length);
            return combined;
        }

        /**
         * Moves each climbing noise along its gradient to the point at its cosine, or leaves it where its gradient
         * vanishes (a saturated score: the posterior of a well-separated class is 1 to double precision).
         */
        void step(int climbs) {
            for (int r = 0; r < climbs; r++) {
                Batch direction = gradient.row(r);
                if (context.norm(direction) > 0) {
                    context.neighbours(noise.row(r), direction, (float) cosine[r]);
                    context.copy(direction, noise.row(r));
                }
            }
        }

        /** The restart with the best point so far (ties to the lowest index). */
        int leader() {
            return Scores.argmax(Arrays.copyOf(best, scored));
        }

        Outcome finish() {
            int winner = leader();
            return context.finish(bestNoise.row(winner), bestSample.row(winner), key(winner, bestStep[winner]),
                    List.copyOf(accepted.get(winner)), best[winner], bestMembers[winner]);
        }
    }

    /** The plain solve and score of a point that takes no further step. */
    private static Scores solveAndScore(SearchContext context, Batch noise, Batch sample) {
        context.copy(noise, sample);
        context.solve(sample, context.fullGrid(context.searchSolver()), context.searchSolver(), null);
        return context.score(sample, null);
    }

    /** Restart r after k steps: random candidate r at k = 0, then a name of stage {@link Stage#GRADIENT_STEP}. */
    static long key(int restart, int k) {
        return k == 0 ? SearchContext.key(Stage.RANDOM, 0, restart) : SearchContext.key(Stage.GRADIENT_STEP, k, restart);
    }

    private static long[] keys(int k, int n) {
        long[] keys = new long[n];
        for (int r = 0; r < n; r++) {
            keys[r] = key(r, k);
        }
        return keys;
    }
}

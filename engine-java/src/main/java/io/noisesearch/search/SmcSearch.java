package io.noisesearch.search;

import io.noisesearch.backend.Batch;
import io.noisesearch.noise.StepSeeds;
import io.noisesearch.sampling.Sampler;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.verify.Scores;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Sequential Monte Carlo over the solve (Feynman-Kac steering, Singhal et al. 2025; tempered SMC): K particles
 * follow the search solver (a stochastic one, so that resampled copies part again) step by step. At potential
 * levels (every k steps whose start level lies in the window) each particle's clean x-prediction at that level,
 * taken from the step's own denoiser call, is scored by the verifier (reward r), its log weight grows by log G,
 * and the particles are resampled when the effective sample size falls below tau K (always at tau = 1), after which
 * the weights start again at 1. The verifier picks the final particle among the K samples at t = 0.
 *
 * <p>Particle slot i carries key RANDOM(0, i): the initial noise of slot i is random search's candidate i, and the
 * noise of its step j is (seed, that key, j), so K = 1 is the plain stochastic sampler and an ODE solver without
 * resampling gives random search's candidates. Resampling after step j draws its uniforms from key
 * SMC_RESAMPLE(j, 0); a particle that resampling moves into slot i after step j gets SMC_MOVE(j + 1, i) in its lineage.
 *
 * @param particles    K
 * @param potential    how rewards along a particle's path become its potential (FK steering's max, difference, sum)
 * @param lambda       the inverse temperature of the potentials: log G = lambda x the potential's statistic
 * @param resampling   the scheme
 * @param every        k: potentials every k steps of the window
 * @param essThreshold tau in (0, 1]: resample when ESS / K < tau; 1 resamples at every potential
 * @param windowFrom   the highest level (grid parameter u) of a potential
 * @param windowTo     the lowest level of a potential
 */
public record SmcSearch(int particles, Potential potential, double lambda, Resampling resampling, int every,
                        double essThreshold, double windowFrom, double windowTo) implements SearchAlgorithm {

    /** FK steering's potentials, from the rewards r_1..r_n a particle's path has had at its potential levels. */
    public enum Potential {
        /** log G_n = lambda max(r_1..r_n). */
        MAX,
        /** log G_n = lambda (r_n - r_n-1), r_0 = 0: the weights telescope to exp(lambda r_n). */
        DIFFERENCE,
        /** log G_n = lambda (r_1 + ... + r_n). */
        SUM;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Potential parse(String text) {
            for (Potential p : values()) {
                if (p.id().equalsIgnoreCase(text)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("--potential: unknown potential '" + text
                    + "' (expected max, difference or sum)");
        }
    }

    /** A hard ceiling on particles: one batch of them and their x-predictions. */
    public static final int MAX_PARTICLES = 1 << 24;

    public SmcSearch {
        if (particles < 1 || particles > MAX_PARTICLES) {
            throw new IllegalArgumentException("--particles must lie in 1.." + MAX_PARTICLES + ", got " + particles);
        }
        if (potential == null || resampling == null) {
            throw new IllegalArgumentException("--potential and --resampling are required");
        }
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("--smc-lambda must be finite and at least 0, got " + lambda);
        }
        if (every < 1) {
            throw new IllegalArgumentException("--resample-every must be at least 1, got " + every);
        }
        if (!(essThreshold > 0 && essThreshold <= 1)) {
            throw new IllegalArgumentException("--ess-threshold must lie in (0, 1], got " + essThreshold);
        }
        if (!(windowTo >= 0 && windowTo <= windowFrom && windowFrom <= 1)) {
            throw new IllegalArgumentException("--steer-window must be two levels 1 >= from >= to >= 0, got "
                    + windowFrom + "," + windowTo);
        }
    }

    @Override
    public String id() {
        return "smc";
    }

    @Override
    public boolean acceptsStochasticSolver() {
        return true;
    }

    /** Its potentials score x-predictions of unfinished paths: a rule firing there would leave it no sample. */
    @Override
    public boolean acceptsStoppingRules() {
        return false;
    }

    /** Every particle takes the full search solve; the x-predictions come from the steps' own denoiser calls. */
    @Override
    public long plannedSearchNfe(SearchPlan plan) {
        return Math.multiplyExact(particles, plan.searchSolver().fullNfe());
    }

    /** The particles, their x-predictions and the batch resampling gathers into; captures and their spare. */
    @Override
    public long peakRows(SearchPlan plan, long budgetNfe, boolean captures, int poolChunkRows) {
        long k = Math.min(particles, budgetNfe / plan.searchSolver().fullNfe());
        return k == 0 ? new NoSearch().peakRows(plan, budgetNfe, captures, poolChunkRows) : (captures ? 5 : 3) * k;
    }

    /** The final pool; each potential level scores the particles again (their number depends on the steps). */
    @Override
    public long plannedCandidates() {
        return particles;
    }

    @Override
    public long plannedTraceEntries() {
        return 2;
    }

    @Override
    public String sizeOptions() {
        return "--particles " + particles;
    }

    /** Whether step j of a grid of {@code steps} steps scores a potential: in the window, every k-th of it. */
    boolean potentialAt(int j, int steps) {
        double u = 1 - (double) j / steps;
        if (u > windowFrom || u < windowTo) {
            return false;
        }
        int firstInWindow = (int) Math.ceil((1 - windowFrom) * steps - 1e-9);
        return (j - firstInWindow) % every == 0;
    }

    @Override
    public Outcome run(SearchContext context) {
        SolverSettings solver = context.searchSolver();
        // stopped by a deadline, smc ends as no search (its particles are samples only at t = 0): keep time for that
        context.reserveFinalSolve();
        int k = context.affordable(particles, solver.fullNfe());
        if (k == 0) {
            return new NoSearch().run(context);
        }
        long first = SearchContext.key(Stage.RANDOM, 0, 0);
        long[] slotKeys = RandomSearch.consecutiveKeys(first, k);
        double[] grid = context.fullGrid(solver);
        int steps = grid.length - 1;
        Batch x = context.allocate(k);
        Batch spare = context.allocate(k);
        Batch x0 = context.allocate(k);
        // A capturing verifier (ssl@T) compares with the x-prediction at the full grid's step nearest T, taken as a
        // full solve takes it; potentials start at that step, where the capture exists.
        int captureStep = Double.isNaN(context.verifierCaptureTime()) ? -1
                : Sampler.nearestStep(grid, context.verifierCaptureTime());
        Batch captured = captureStep < 0 ? null : context.allocate(k);
        Batch capturedSpare = captureStep < 0 ? null : context.allocate(k);
        context.drawNoise(x, first);
        Particles state = new Particles(k, first);
        for (int j = 0; j < steps; j++) {
            context.checkpoint();
            double[] segment = {grid[j], grid[j + 1]};
            boolean scored = potentialAt(j, steps) && grid[j + 1] > 0 && j >= captureStep;
            if (!scored && j != captureStep) {
                context.solve(x, segment, solver, null, first, j);
                continue;
            }
            context.solveFrom(x, segment, solver, x0, first, j);
            if (j == captureStep) {
                context.copy(x0, captured);
            }
            if (!scored) {
                continue;
            }
            float[] rewards = context.combine(context.score(x0, captured));
            state.weigh(rewards);
            int[] parents = null;
            double[] weights = Resampling.normalise(state.logWeights);
            double ess = Resampling.effectiveSampleSize(weights);
            if (k > 1 && (essThreshold == 1 || ess < essThreshold * k)) {
                long resampleKey = SearchContext.key(Stage.SMC_RESAMPLE, j, 0);
                parents = resampling.ancestors(weights, i -> StepSeeds.uniform(context.seed(), resampleKey, i));
                context.gather(x, parents, spare);
                Batch moved = x;
                x = spare;
                spare = moved;
                if (captured != null) {
                    context.gather(captured, parents, capturedSpare);
                    Batch movedCaptures = captured;
                    captured = capturedSpare;
                    capturedSpare = movedCaptures;
                }
                state.resample(parents, j);
            }
            context.trace().add(new TraceEntry(id(), j, 1 - (double) j / steps, slotKeys, rewards, parents,
                    first + Scores.argmax(rewards), false));
        }
        Scores members = context.score(x, captured);
        float[] scores = context.combine(members);
        int best = Scores.argmax(scores);
        context.trace().add(new TraceEntry(id(), steps, 0, slotKeys, scores, null, first + best, false));
        return context.keep(x.row(best), first + best, state.lineage(best), scores[best], members.column(best));
    }

    /** The host side of the particles: log weights, the reward statistics of their paths and their lineages. */
    private final class Particles {
        final double[] logWeights;
        double[] previous;
        double[] max;
        double[] sum;
        List<List<Long>> lineages = new ArrayList<>();

        Particles(int k, long first) {
            logWeights = new double[k];
            previous = new double[k];
            max = new double[k];
            Arrays.fill(max, Double.NEGATIVE_INFINITY);
            sum = new double[k];
            for (int i = 0; i < k; i++) {
                lineages.add(List.of(first + i));
            }
        }

        /** Multiplies each weight by the potential of its path with this level's reward. */
        void weigh(float[] rewards) {
            for (int i = 0; i < rewards.length; i++) {
                double r = rewards[i];
                max[i] = Math.max(max[i], r);
                sum[i] += r;
                double statistic = switch (potential) {
                    case MAX -> max[i];
                    case DIFFERENCE -> r - previous[i];
                    case SUM -> sum[i];
                };
                previous[i] = r;
                // lambda 0 leaves the weights equal, even where a statistic is infinite
                logWeights[i] += lambda == 0 ? 0 : lambda * statistic;
            }
        }

        /** After step {@code step}, slot i takes the state of slot parents[i]; weights start again at 1. */
        void resample(int[] parents, int step) {
            previous = pick(previous, parents);
            max = pick(max, parents);
            sum = pick(sum, parents);
            Arrays.fill(logWeights, 0);
            List<List<Long>> next = new ArrayList<>();
            for (int i = 0; i < parents.length; i++) {
                List<Long> lineage = new ArrayList<>(lineages.get(parents[i]));
                if (parents[i] != i) {
                    lineage.add(SearchContext.key(Stage.SMC_MOVE, step + 1, i));
                }
                next.add(lineage);
            }
            lineages = next;
        }

        /**
         * Particle {@code i}'s path: the key of its first noise, then SMC_MOVE(j, slot) for each move into another
         * slot, whose key names its step noise from step j on.
         */
        List<Long> lineage(int i) {
            return List.copyOf(lineages.get(i));
        }

        private static double[] pick(double[] values, int[] parents) {
            double[] out = new double[parents.length];
            for (int i = 0; i < parents.length; i++) {
                out[i] = values[parents[i]];
            }
            return out;
        }
    }
}

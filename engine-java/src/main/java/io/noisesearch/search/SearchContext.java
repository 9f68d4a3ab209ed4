package io.noisesearch.search;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import io.noisesearch.compute.ComputeMeter;
import io.noisesearch.compute.Phase;
import io.noisesearch.model.ModelIdentity;
import io.noisesearch.model.ModelInfo;
import io.noisesearch.noise.CandidateKeys;
import io.noisesearch.sampling.Adjoint;
import io.noisesearch.sampling.GuidedDenoiser;
import io.noisesearch.sampling.Sampler;
import io.noisesearch.schedule.Schedule;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.verify.DifferentiableVerifier;
import io.noisesearch.verify.Scores;
import io.noisesearch.verify.Verifier;
import io.noisesearch.verify.VerifierInput;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Everything one running request shares with its algorithm: the stream, the request's arena (every batch of
 * the search is allocated from it before the loops and released when the request ends), the guided model,
 * the verifier, the solvers, the budget and the meter. Work is done in chunks of at most {@code batchSize}
 * rows; every kernel is row-independent, so results do not depend on the chunking.
 */
public final class SearchContext {

    /** The most bytes of samples a pool chunk holds beyond one solver batch. */
    public static final long POOL_CHUNK_BYTES = 64L << 20;

    private final Backend backend;
    private final Kernels kernels;
    private final Arena arena;
    private final GuidedDenoiser model;
    private final Verifier verifier;
    private final int label;
    private final long seed;
    private final SolverSettings searchSolver;
    private final SolverSettings finalSolver;
    private final long budgetNfe;
    private final int batchSize;
    private final ComputeMeter meter;
    private final Sampler sampler;
    private final List<TraceEntry> trace = new ArrayList<>();
    private final SolveCache cache;
    /** The model's identity in the cache's rows (its files' hash and the backend); null without a cache. */
    private final String modelIdentity;
    private final SearchControl control;
    /**
     * The denoiser calls the search ran and when the first one ended on the control's clock: the time of one call is
     * measured from the later ones (the first carries the warm-up of a cold engine).
     */
    private long calls;
    private long firstCallEnd;
    /** Denoiser calls kept free before the deadline for what ends the search (the final solve of the winner). */
    private long reserveCalls;
    /** Where this search's call times go and the others' are read from (null: its own calls and the cold cost). */
    private final CallTimes estimates;
    /** The clock reading at the last call's end or batch boundary: a call's time runs from there (with estimates). */
    private long lastMark;
    /** Time kept after the final solve for what still ends the answer (a latent model's decode), ns. */
    private long afterNanos;
    /** Whether any candidate was scored: before that, a stop ends in no search's final solve. */
    private boolean scoredAny;
    private boolean budgetExhausted;
    private boolean deadlineReached;
    /** The stopping rules' state (null: none set). */
    private final StopRules.Tracker stopTracker;
    /** The first thing that stopped the search, or null while nothing has. */
    private StopReason stoppedBy;
    /** The reverse pass's work rows (first-order search), allocated at its first gradient for one chunk of rows. */
    private Batch adjointStates;
    private Batch adjointWork;

    public SearchContext(Backend backend, Kernels kernels, Arena arena, GuidedDenoiser model, Verifier verifier,
                         int label, long seed, SolverSettings searchSolver, SolverSettings finalSolver,
                         long budgetNfe, int batchSize, ComputeMeter meter, Sampler.Workspace workspace) {
        this(backend, kernels, arena, model, verifier, label, seed, searchSolver, finalSolver, budgetNfe, batchSize,
                meter, workspace, null);
    }

    /** @param cache where keyed candidates' solves and scores are kept across searches; null for none */
    public SearchContext(Backend backend, Kernels kernels, Arena arena, GuidedDenoiser model, Verifier verifier,
                         int label, long seed, SolverSettings searchSolver, SolverSettings finalSolver,
                         long budgetNfe, int batchSize, ComputeMeter meter, Sampler.Workspace workspace,
                         SolveCache cache) {
        this(backend, kernels, arena, model, verifier, label, seed, searchSolver, finalSolver, budgetNfe, batchSize,
                meter, workspace, cache, SearchControl.none());
    }

    /**
     * @param control the request's deadline and cancellation, read after every denoiser call (the meter calls back)
     *                and at the algorithms' batch boundaries
     */
    public SearchContext(Backend backend, Kernels kernels, Arena arena, GuidedDenoiser model, Verifier verifier,
                         int label, long seed, SolverSettings searchSolver, SolverSettings finalSolver,
                         long budgetNfe, int batchSize, ComputeMeter meter, Sampler.Workspace workspace,
                         SolveCache cache, SearchControl control) {
        this(backend, kernels, arena, model, verifier, label, seed, searchSolver, finalSolver, budgetNfe, batchSize,
                meter, workspace, cache, control, StopRules.NONE);
    }

    /**
     * @param stop the request's stopping rules, read on every candidate scored in the search phase; they need one score
     *             per candidate, so a verifier ensemble (whose scores are ranks within a pool) is refused
     */
    public SearchContext(Backend backend, Kernels kernels, Arena arena, GuidedDenoiser model, Verifier verifier,
                         int label, long seed, SolverSettings searchSolver, SolverSettings finalSolver,
                         long budgetNfe, int batchSize, ComputeMeter meter, Sampler.Workspace workspace,
                         SolveCache cache, SearchControl control, StopRules stop) {
        if (stop.any() && verifier.members().size() > 1) {
            throw new InvalidRequestException((Double.isNaN(stop.targetScore()) ? "--stop-patience" : "--stop-at-score")
                    + ": stopping rules read one score per candidate, but verifier " + verifier.name()
                    + " ranks candidates within a pool; use a single verifier");
        }
        this.stopTracker = stop.any() ? stop.tracker() : null;
        this.backend = backend;
        this.kernels = kernels;
        this.arena = arena;
        this.model = model;
        this.verifier = verifier;
        this.label = label;
        this.seed = seed;
        this.searchSolver = searchSolver;
        this.finalSolver = finalSolver;
        this.budgetNfe = budgetNfe;
        this.batchSize = batchSize;
        this.meter = meter;
        if (workspace.capacity() != batchSize) {
            throw new IllegalArgumentException("workspace of " + workspace.capacity() + " rows for batches of "
                    + batchSize);
        }
        this.sampler = new Sampler(model, kernels, workspace, Sampler.GRAPHS);
        this.cache = cache;
        this.modelIdentity = cache == null ? null
                : ModelIdentity.of(model.denoiser()) + "/" + backend.name();
        this.control = control;
        this.reserveCalls = finalSolver.equals(searchSolver) ? 0 : finalSolver.fullNfe();
        this.estimates = control.estimates();
        this.lastMark = estimates == null ? 0 : control.now();
        meter.afterEvaluation(this::modelCalled);
    }

    /**
     * Runs the algorithm; a deadline reached before it scored any candidate ends it as a budget of zero would: the
     * first random candidate solved with the final solver ({@link NoSearch}), so a sample always comes back.
     */
    public Outcome run(Function<SearchContext, Outcome> algorithm) {
        try {
            return algorithm.apply(this);
        } catch (SearchStopped e) {
            trace.clear();
            return new NoSearch().run(this);
        }
    }

    /** Whether the search stopped proposing because its deadline came. */
    public boolean deadlineReached() {
        return deadlineReached;
    }

    /**
     * What ended the search: the first of its budget, its deadline or a stopping rule to stop it (a rule that fired at
     * the search's last unit of work ended it too), else {@link StopReason#COMPLETED}.
     */
    public StopReason stoppedBy() {
        return stoppedBy == null ? StopReason.COMPLETED : stoppedBy;
    }

    /** Candidates scored in the search phase so far (each one an evaluation of the stopping rules). */
    public long evaluations() {
        return stopTracker == null ? -1 : stopTracker.evaluations();
    }

    /** The 0-based evaluation at which a stopping rule fired, or -1 (none fired, or no rules). */
    public long stopFiredAt() {
        return stopTracker == null ? -1 : stopTracker.firedAt();
    }

    private void stopped(StopReason reason) {
        if (stoppedBy == null) {
            stoppedBy = reason;
        }
    }

    /**
     * Keeps time for {@code calls} denoiser calls of one row after the search, in place of the final solve's (an
     * algorithm that ends otherwise, as search over paths completes its best path).
     */
    void reserveCalls(long count) {
        reserveCalls = count;
    }

    /** Keeps time for a full final solve of one row (an algorithm whose stop always re-solves its winner). */
    void reserveFinalSolve() {
        reserveCalls = finalSolver.fullNfe();
    }

    /** Keeps {@code nanos} free after the final solve for the rest of the answer (a latent model's decode). */
    public void reserveAfter(long nanos) {
        afterNanos = Math.max(0, nanos);
    }

    /** Whether the request has a deadline: then pools are solved and scored a solver batch at a time. */
    boolean hasDeadline() {
        return control.hasDeadline();
    }

    /**
     * Rows solved and scored before the next deadline or stopping-rule check: one solver batch under a deadline or
     * stopping rules, else the whole {@code rows} (fewer, larger calls; the same results, rows being independent).
     */
    int stepRows(int rows) {
        return control.hasDeadline() || stopTracker != null ? Math.min(rows, batchSize) : rows;
    }

    /** After each denoiser call: one more call timed; then the batch-boundary check. */
    private void modelCalled() {
        control.throwIfCancelled();
        calls++;
        if (estimates != null) {
            long now = control.now();
            estimates.recordCall(model.info().name(), meter.lastSamples(), now - lastMark, now);
            lastMark = now;
        }
        if (calls == 1 && control.hasDeadline()) {
            firstCallEnd = control.now();
        }
        checkDeadline();
    }

    /**
     * A batch boundary: cancelled, the request ends here ({@link java.util.concurrent.CancellationException}); in the
     * search phase, once a stopping rule fired or past the deadline less the reserve for what ends the search (the
     * next call and the fallback's, {@link #reserveNanos}; before any candidate is scored, at least a final solve,
     * which no search's fallback takes), the search stops proposing ({@link SearchStopped}). Algorithms call it before
     * each unit of work (a pool step, an iteration, a round), so a rule fired in one unit stops the search before the
     * next.
     */
    void checkpoint() {
        control.throwIfCancelled();
        if (estimates != null) {
            // what ran since the last call (scoring, the host's work) is no model call's time
            lastMark = control.now();
        }
        if (stopTracker != null && stopTracker.fired() != null && meter.phase() == Phase.SEARCH) {
            stopped(stopTracker.fired());
            throw new SearchStopped(stopTracker.fired());
        }
        checkDeadline();
    }

    /** The deadline part of {@link #checkpoint}, also run after every denoiser call. */
    private void checkDeadline() {
        control.throwIfCancelled();
        if (!control.hasDeadline() || meter.phase() != Phase.SEARCH) {
            return;
        }
        long now = control.now();
        if (control.remainingNanos(now) <= reserveNanos(now)) {
            deadlineReached = true;
            stopped(StopReason.DEADLINE);
            throw new SearchStopped(StopReason.DEADLINE);
        }
    }

    /**
     * The time kept at {@code now}: the next call (the longer of this search's mean interval between calls after the
     * first and the shared estimate for a call of a solver batch: a high quantile, since under load one call can take
     * several times the mean), then what ends the search: its fallback's calls of one row (the estimate for one, else
     * this search's mean, else the cold cost; at least a whole final solve's estimate where one of that many calls
     * was timed) and the decode after them.
     */
    private long reserveNanos(long now) {
        long own = calls < 2 ? -1 : (now - firstCallEnd) / (calls - 1);
        long shared = estimates == null ? -1 : estimates.call(model.info().name(), batchSize, now);
        long next = own >= 0 || shared >= 0 ? Math.max(own, shared)
                : CallTimes.cold(model.info().flopsPerSample(), batchSize);
        long fallbackCalls = scoredAny ? reserveCalls : Math.max(reserveCalls, finalSolver.fullNfe());
        long perCall = 0;
        if (fallbackCalls > 0) {
            long oneRow = estimates == null ? -1 : estimates.call(model.info().name(), 1, now);
            perCall = oneRow >= 0 ? oneRow : own >= 0 ? own : CallTimes.cold(model.info().flopsPerSample(), 1);
        }
        long fallback = estimates == null ? CallTimes.sum(0, fallbackCalls, perCall, 0)
                : estimates.solve(model.info().name(), fallbackCalls, perCall, now);
        return CallTimes.sum(next, 1, fallback, afterNanos);
    }

    /** The request's seed, which names every draw of the search with a key. */
    long seed() {
        return seed;
    }

    public ModelInfo info() {
        return model.info();
    }

    public SolverSettings searchSolver() {
        return searchSolver;
    }

    public ComputeMeter meter() {
        return meter;
    }

    public List<TraceEntry> trace() {
        return trace;
    }

    public boolean budgetExhausted() {
        return budgetExhausted;
    }

    /** Rows a pool is solved and scored in at once ({@link #poolChunkRows(int, Verifier, int)}). */
    public int poolChunkRows() {
        return poolChunkRows(batchSize, verifier, model.info().dim());
    }

    /**
     * Rows of a best-of-N pool held at once: one solver batch, or as many whole batches as one verifier call takes
     * up to {@link #POOL_CHUNK_BYTES}, so that chunks split the pool where the solver's batches do (results do not
     * change). An ensemble ranks the whole pool before it knows its winner, so it holds the pool whole.
     */
    public static int poolChunkRows(int batchSize, Verifier verifier, int dim) {
        if (verifier.members().size() > 1) {
            return Integer.MAX_VALUE;
        }
        long byBytes = POOL_CHUNK_BYTES / ((long) dim * Batch.FLOAT_BYTES);
        long rows = Math.min(verifier.rowsPerCall(batchSize), byBytes);
        return (int) Math.min(Integer.MAX_VALUE, (long) batchSize * Math.max(1, rows / batchSize));
    }

    public Batch allocate(int rows) {
        return backend.allocate(arena, rows, model.info().dim());
    }

    /** A batch for the captured x-predictions of {@code rows} candidates, or null when the verifier needs none. */
    public Batch capturesFor(int rows) {
        return Double.isNaN(verifier.captureTime()) ? null : allocate(rows);
    }

    /** Row r of {@code out} gets the noise of candidate key {@code firstKey + r} under the request's seed. */
    public void drawNoise(Batch out, long firstKey) {
        kernels.gaussianNoise(out, seed, firstKey);
    }

    /** Turns every row of {@code directions}, in place, into a neighbour of {@code pivot} (one row) at the cosine. */
    public void neighbours(Batch pivot, Batch directions, float cosine) {
        kernels.zeroOrderNeighbours(pivot, directions, directions, cosine);
    }

    /** Noises every row of x forward by the transition, row r with the noise of key {@code firstKey + r}. */
    public void noiseForward(Batch x, long firstKey, Schedule.Transition transition) {
        kernels.forwardNoise(x, seed, firstKey, transition.a(), transition.s());
    }

    public void copy(Batch src, Batch dst) {
        kernels.copy(src, dst);
    }

    /** Row i of {@code dst} gets row {@code rows[i]} of {@code src}; a null src (no captures) gathers nothing. */
    public void gather(Batch src, int[] rows, Batch dst) {
        if (src != null) {
            kernels.gatherRows(src, rows, dst);
        }
    }

    /** The L2 norm of a one-row batch. */
    public float norm(Batch row) {
        if (row.rows() != 1) {
            throw new IllegalArgumentException("norm of one row, got " + row.rows());
        }
        float[] norm = new float[1];
        kernels.rowNorm(row, norm);
        return norm[0];
    }

    public static long key(Stage stage, int iteration, long index) {
        return CandidateKeys.encode(stage.code(), iteration, index);
    }

    /**
     * How many of {@code wanted} candidates costing {@code nfeEach} search NFEs fit in what is left of the
     * budget; when fewer than wanted fit, the budget is marked exhausted.
     */
    public int affordable(int wanted, long nfeEach) {
        long left = budgetNfe - meter.nfe(Phase.SEARCH);
        long fit = Math.max(0, Math.min(wanted, left / nfeEach));
        if (fit < wanted) {
            budgetExhausted = true;
            stopped(StopReason.BUDGET);
        }
        return (int) fit;
    }

    /**
     * {@link #affordable(int, long)} after a fixed cost that the candidates bring with them (evolution's elites carried
     * to the next level): none fit unless the fixed cost and at least one candidate do.
     */
    public int affordable(int wanted, long nfeEach, long fixedNfe) {
        long left = budgetNfe - meter.nfe(Phase.SEARCH) - fixedNfe;
        long fit = left < nfeEach ? 0 : Math.min(wanted, left / nfeEach);
        if (fit < wanted) {
            budgetExhausted = true;
            stopped(StopReason.BUDGET);
        }
        return (int) fit;
    }

    /** Search NFEs left in the budget. */
    long budgetLeft() {
        return Math.max(0, budgetNfe - meter.nfe(Phase.SEARCH));
    }

    /** Marks the budget exhausted: the algorithm cut its work short to fit it. */
    void budgetCut() {
        budgetExhausted = true;
    }

    /** The time grid of a full solve (u from 1 to 0) with the given settings. */
    public double[] fullGrid(SolverSettings settings) {
        return model.info().schedule().grid(1, 0, settings.steps());
    }

    /**
     * Solves every row of x over the time grid with an ODE solver, chunk by chunk; captures go to the same rows of
     * {@code captured}. A stochastic solver needs its noise's keys ({@link #solve(Batch, double[], SolverSettings,
     * Batch, long, int)}).
     */
    public void solve(Batch x, double[] times, SolverSettings settings, Batch captured) {
        solve(x, times, settings, captured, null);
    }

    /**
     * {@link #solve(Batch, double[], SolverSettings, Batch)} with any solver: a stochastic one draws row r's noise at
     * the grid's step i from key {@code firstKey + r} at solver step {@code firstStep + i} (a grid that starts at step
     * j of a full grid passes j, so that solving a full grid in segments draws what one solve draws).
     */
    public void solve(Batch x, double[] times, SolverSettings settings, Batch captured, long firstKey, int firstStep) {
        solve(x, times, settings, captured, new Sampler.StepNoise(seed, firstKey, firstStep));
    }

    /**
     * {@link #solve(Batch, double[], SolverSettings, Batch, long, int)} for rows whose keys are not consecutive: a
     * stochastic solver draws row r's noise from {@code keys[r]}.
     */
    public void solve(Batch x, double[] times, SolverSettings settings, Batch captured, long[] keys, int firstStep) {
        if (keys.length != x.rows()) {
            throw new IllegalArgumentException(keys.length + " keys for " + x.rows() + " rows");
        }
        solve(x, times, settings, captured, Sampler.StepNoise.perRow(seed, keys, firstStep));
    }

    /**
     * Steps of a full grid (from its step {@code firstStep}) with any solver, as {@link #solve(Batch, double[],
     * SolverSettings, Batch, long, int)}; {@code x0} gets each row's clean x-prediction at {@code times[0]}, converted
     * from the first step's own denoiser call (no extra NFE).
     */
    public void solveFrom(Batch x, double[] times, SolverSettings settings, Batch x0, long firstKey, int firstStep) {
        solve(x, times, settings, times[0], x0, new Sampler.StepNoise(seed, firstKey, firstStep));
    }

    private void solve(Batch x, double[] times, SolverSettings settings, Batch captured, Sampler.StepNoise noise) {
        solve(x, times, settings, verifier.captureTime(), captured, noise);
    }

    private void solve(Batch x, double[] times, SolverSettings settings, double captureTime, Batch captured,
                       Sampler.StepNoise noise) {
        for (int start = 0; start < x.rows(); start += batchSize) {
            int count = Math.min(batchSize, x.rows() - start);
            Sampler.Capture capture = captured == null ? null
                    : new Sampler.Capture(captureTime, captured.rows(start, count));
            sampler.solve(x.rows(start, count), times, settings, noise == null ? null : noise.fromRow(start),
                    capture);
        }
    }

    /** The clean x-prediction of every row of x at time t (one NFE each). */
    public void predictX0(Batch x, double t, Batch out) {
        for (int start = 0; start < x.rows(); start += batchSize) {
            int count = Math.min(batchSize, x.rows() - start);
            sampler.predictX0(x.rows(start, count), t, out.rows(start, count));
        }
    }

    /**
     * The member scores of every row, from calls of the verifier's {@link Verifier#rowsPerCall} rows; in the search
     * phase each row, in order, is an evaluation of the stopping rules.
     */
    public Scores score(Batch samples, Batch captured) {
        return observed(scoreRows(samples, captured));
    }

    /** Feeds the search phase's scores, in row order, to the stopping rules (when the request has any). */
    private Scores observed(Scores scores) {
        if (stopTracker != null && meter.phase() == Phase.SEARCH) {
            float[] single = scores.member(0);
            for (float score : single) {
                StopReason fired = stopTracker.observe(score);
                if (fired != null) {
                    stopped(fired);
                }
            }
        }
        return scores;
    }

    private Scores scoreRows(Batch samples, Batch captured) {
        float[][] out = new float[verifier.members().size()][samples.rows()];
        int chunk = Math.max(1, verifier.rowsPerCall(batchSize));
        for (int start = 0; start < samples.rows(); start += chunk) {
            int count = Math.min(chunk, samples.rows() - start);
            Batch capturedRows = captured == null ? null : captured.rows(start, count);
            verifier.score(kernels, new VerifierInput(samples.rows(start, count), capturedRows, label,
                    model.prompt() == null ? null : model.prompt().prompt()), out, start);
            meter.verifierEvaluation(count, verifier.flopsPerSample());
            // a latent model's decodes before the verifier: forward passes (their FLOPs are the verifier's)
            meter.auxiliaryEvaluation((long) count * verifier.decodesPerSample(), 0);
        }
        scoredAny = true;
        return Scores.of(out);
    }

    /** One score per candidate of the pool; an ensemble ranks the whole pool, a pool of one as rank 1. */
    public float[] combine(Scores memberScores) {
        return verifier.combine(memberScores);
    }

    /**
     * Finishes a search whose winner starts from a known noise: with equal search and final settings the searched
     * sample is returned as is; otherwise the noise is solved again with the final solver and scored.
     *
     * @param noise        the winner's starting noise (one row); solved in place when re-solved
     * @param sample       the winner's searched sample (one row), or null when it was never searched
     * @param searchScores the winner's member scores from the search (ignored when sample is null)
     */
    public Outcome finish(Batch noise, Batch sample, long key, List<Long> lineage, float score,
                          float[] searchScores) {
        if (sample != null && finalSolver.equals(searchSolver)) {
            return keep(sample, key, lineage, score, searchScores);
        }
        meter.enter(Phase.FINAL);
        Batch captured = capturesFor(1);
        Scores scores = timedFinish(() -> {
            solve(noise, fullGrid(finalSolver), finalSolver, captured, key, 0);
            return score(noise, captured);
        });
        return finished(noise, captured, sample, key, lineage, score, scores);
    }

    /**
     * {@link #finish} for a winner whose noise is candidate {@code key}'s own (drawn, never moved): its final solve
     * and score go through the request's cache.
     */
    public Outcome finishKey(long key, Batch sample, List<Long> lineage, float score, float[] searchScores) {
        if (sample != null && finalSolver.equals(searchSolver)) {
            return keep(sample, key, lineage, score, searchScores);
        }
        meter.enter(Phase.FINAL);
        Batch noise = allocate(1);
        Batch captured = capturesFor(1);
        Scores scores = timedFinish(() -> {
            solveKeys(noise, key, finalSolver, captured);
            return scoreKeys(noise, captured, key, finalSolver);
        });
        return finished(noise, captured, sample, key, lineage, score, scores);
    }

    /**
     * Runs a final solve and its scoring; one that ran every call of the final solver (none served by the cache) is
     * timed whole into the call times: what a deadline's fallback costs ({@link CallTimes#finish}).
     */
    private Scores timedFinish(Supplier<Scores> solveAndScore) {
        if (estimates == null) {
            return solveAndScore.get();
        }
        long callsBefore = calls;
        long start = control.now();
        Scores scores = solveAndScore.get();
        if (calls - callsBefore == finalSolver.fullNfe()) {
            long now = control.now();
            estimates.recordFinish(model.info().name(), finalSolver.fullNfe(), now - start, now);
        }
        return scores;
    }

    private Outcome finished(Batch solved, Batch captured, Batch sample, long key, List<Long> lineage, float score,
                             Scores scores) {
        float finalScore = scores.members() == 1 || sample == null ? combine(scores)[0] : score;
        return new Outcome(download(solved), key, lineage, finalScore, scores.column(0), false);
    }

    /** The noise of candidate {@code key} solved with the final solver and scored, as a search that chose it ends. */
    public Outcome solveCandidate(long key) {
        return finishKey(key, null, List.of(key), Float.NaN, null);
    }

    /**
     * Row r of {@code out} gets the noise of candidate key {@code firstKey + r} solved over the full grid of
     * {@code settings}, its capture the same row of {@code captured} (null: none). Rows the request's cache holds
     * are read from it and charged to the meter as if solved ({@link ComputeMeter#servedDenoiserEvaluation}); the
     * others are drawn, solved together and kept in the cache.
     */
    public void solveKeys(Batch out, long firstKey, SolverSettings settings, Batch captured) {
        if (cache == null) {
            drawNoise(out, firstKey);
            solve(out, fullGrid(settings), settings, captured, firstKey, 0);
            return;
        }
        int rows = out.rows();
        double at = captured == null ? Double.NaN : verifier.captureTime();
        float[][] samples = new float[rows][];
        float[][] captures = new float[rows][];
        List<Integer> misses = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            samples[r] = cache.row(row(firstKey + r, settings, Double.NaN));
            captures[r] = captured == null || samples[r] == null ? null : cache.row(row(firstKey + r, settings, at));
            if (samples[r] == null || (captured != null && captures[r] == null)) {
                misses.add(r);
            }
        }
        if (!misses.isEmpty()) {
            solveMisses(out, firstKey, settings, captured, at, misses);
        }
        int hits = rows - misses.size();
        if (hits > 0) {
            placeHits(out, captured, samples, captures, hits);
        }
        meter.servedDenoiserEvaluation((long) hits * settings.fullNfe(), model.guided() ? 2 : 1,
                model.info().flopsPerSample());
    }

    /**
     * Puts the rows the cache held (non-null in {@code samples}, and in {@code captures} where captured) into their
     * rows of {@code out} and {@code captured}: one upload of all of them (one per captures), then a copy per row
     * unless every row was held.
     */
    private void placeHits(Batch out, Batch captured, float[][] samples, float[][] captures, int hits) {
        int dim = model.info().dim();
        float[] heldSamples = new float[hits * dim];
        float[] heldCaptures = captured == null ? null : new float[hits * dim];
        int[] at = new int[hits];
        int h = 0;
        for (int r = 0; r < out.rows(); r++) {
            if (samples[r] != null && (captured == null || captures[r] != null)) {
                System.arraycopy(samples[r], 0, heldSamples, h * dim, dim);
                if (captured != null) {
                    System.arraycopy(captures[r], 0, heldCaptures, h * dim, dim);
                }
                at[h++] = r;
            }
        }
        Batch uploaded = backend.upload(arena, heldSamples, hits, dim);
        Batch uploadedCaptures = captured == null ? null : backend.upload(arena, heldCaptures, hits, dim);
        if (hits == out.rows()) {
            copy(uploaded, out);
            if (captured != null) {
                copy(uploadedCaptures, captured);
            }
            return;
        }
        for (int i = 0; i < hits; i++) {
            copy(uploaded.row(i), out.row(at[i]));
            if (captured != null) {
                copy(uploadedCaptures.row(i), captured.row(at[i]));
            }
        }
    }

    /** Draws and solves the rows the cache lacks, compacted into one batch unless all are missing. */
    private void solveMisses(Batch out, long firstKey, SolverSettings settings, Batch captured, double at,
                             List<Integer> misses) {
        boolean all = misses.size() == out.rows();
        Batch x = all ? out : allocate(misses.size());
        Batch xCaptured = captured == null ? null : all ? captured : allocate(misses.size());
        if (all) {
            drawNoise(x, firstKey);
            solve(x, fullGrid(settings), settings, xCaptured, firstKey, 0);
        } else {
            for (int i = 0; i < misses.size(); i++) {
                drawNoise(x.row(i), firstKey + misses.get(i));
            }
            if (settings.stochastic()) {
                // the rows' keys are not consecutive: each row's step noise is named by its own key
                for (int i = 0; i < misses.size(); i++) {
                    solve(x.row(i), fullGrid(settings), settings, xCaptured == null ? null : xCaptured.row(i),
                            firstKey + misses.get(i), 0);
                }
            } else {
                solve(x, fullGrid(settings), settings, xCaptured);
            }
        }
        float[] solved = download(x);
        float[] early = xCaptured == null ? null : download(xCaptured);
        int dim = model.info().dim();
        for (int i = 0; i < misses.size(); i++) {
            long key = firstKey + misses.get(i);
            cache.putRow(row(key, settings, Double.NaN), Arrays.copyOfRange(solved, i * dim, (i + 1) * dim));
            if (early != null) {
                cache.putRow(row(key, settings, at), Arrays.copyOfRange(early, i * dim, (i + 1) * dim));
            }
            if (!all) {
                copy(x.row(i), out.row(misses.get(i)));
                if (captured != null) {
                    copy(xCaptured.row(i), captured.row(misses.get(i)));
                }
            }
        }
    }

    /**
     * {@link #score} of samples that {@link #solveKeys} solved from keys {@code firstKey + r} with {@code settings}:
     * scores the cache holds for this verifier are read from it and charged as if scored; the others are scored
     * and kept. Without a cache, or with a verifier whose scores are not a function of the sample, plain scoring.
     */
    public Scores scoreKeys(Batch samples, Batch captured, long firstKey, SolverSettings settings) {
        String verifierIdentity = cache == null ? null : verifier.identity();
        if (verifierIdentity == null) {
            return score(samples, captured);
        }
        return observed(scoreKeysCached(samples, captured, firstKey, settings, verifierIdentity));
    }

    private Scores scoreKeysCached(Batch samples, Batch captured, long firstKey, SolverSettings settings,
                                   String verifierIdentity) {
        int rows = samples.rows();
        int members = verifier.members().size();
        float[][] out = new float[members][rows];
        List<Integer> misses = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            float[] held = cache.scores(row(firstKey + r, settings, Double.NaN), verifierIdentity);
            if (held == null || held.length != members) {
                misses.add(r);
            } else {
                for (int m = 0; m < members; m++) {
                    out[m][r] = held[m];
                }
            }
        }
        if (!misses.isEmpty()) {
            boolean all = misses.size() == rows;
            int[] missRows = misses.stream().mapToInt(Integer::intValue).toArray();
            Batch x = all ? samples : allocate(missRows.length);
            Batch xCaptured = captured == null || all ? captured : allocate(missRows.length);
            if (!all) {
                gather(samples, missRows, x);
                gather(captured, missRows, xCaptured);
            }
            Scores fresh = scoreRows(x, xCaptured);
            for (int i = 0; i < missRows.length; i++) {
                float[] column = fresh.column(i);
                for (int m = 0; m < members; m++) {
                    out[m][missRows[i]] = column[m];
                }
                cache.putScores(row(firstKey + missRows[i], settings, Double.NaN), verifierIdentity, column);
            }
        }
        meter.servedVerifierEvaluation(rows - misses.size(), verifier.flopsPerSample());
        scoredAny = true;
        return Scores.of(out);
    }

    private SolveCache.Row row(long key, SolverSettings settings, double at) {
        return new SolveCache.Row(modelIdentity, label, seed, key, settings, model.scale(), at);
    }

    /**
     * Why the request's model and verifier give no closed-form gradient of the score in the starting noise (a line
     * naming the model or verifier); null when they do.
     */
    public String gradientUnavailable() {
        if (!model.differentiable()) {
            return "model " + info().name() + " has no closed-form Jacobian (first-order search runs on the exact"
                    + " mixtures: gmm-2d, gmm-image, gmm-image-vp)";
        }
        if (!(verifier instanceof DifferentiableVerifier)) {
            return "verifier " + verifier.name() + " has no closed-form gradient (oracle and posterior have)";
        }
        return null;
    }

    /**
     * Solves every row of {@code noise} with the search solver into {@code sample}, scores the samples, and writes
     * into {@code gradient} the gradient of each row's score in its noise: the verifier's gradient carried back
     * through the solver ({@link Adjoint}). A row costs the solve's NFEs forward and {@link GuidedDenoiser#BACKWARD_NFE}
     * times as many backward; chunks of the solver's batch size, so the result does not depend on it.
     */
    public Scores solveWithGradient(Batch noise, Batch sample, Batch gradient) {
        if (gradientUnavailable() != null) {
            throw new IllegalStateException(gradientUnavailable());
        }
        double[] grid = fullGrid(searchSolver);
        int evaluations = Math.toIntExact(searchSolver.fullNfe());
        int capacity = Math.min(noise.rows(), batchSize);
        if (adjointWork == null || adjointWork.rows() < 4 * capacity) {
            adjointStates = allocate(Math.multiplyExact(evaluations, capacity));
            adjointWork = allocate(4 * capacity);
        }
        Adjoint adjoint = new Adjoint(model, kernels);
        DifferentiableVerifier differentiable = (DifferentiableVerifier) verifier;
        copy(noise, sample);
        for (int start = 0; start < noise.rows(); start += batchSize) {
            int n = Math.min(batchSize, noise.rows() - start);
            Batch x = sample.rows(start, n);
            Batch g = gradient.rows(start, n);
            sampler.solveKeepingStates(x, grid, searchSolver.kind(), adjointStates);
            Batch scratch = adjointWork.rows(0, n);
            differentiable.gradient(kernels, new VerifierInput(x, null, label), g, scratch);
            meter.verifierEvaluation(n, differentiable.gradientFlopsPerSample());
            adjoint.backward(g, grid, searchSolver.kind(), adjointStates, adjointWork.rows(n, n),
                    adjointWork.rows(2 * n, n), adjointWork.rows(3 * n, n));
        }
        return score(sample, null);
    }

    /** Returns a searched sample as it is (search over paths ends on its samples). */
    public Outcome keep(Batch sample, long key, List<Long> lineage, float score, float[] memberScores) {
        return new Outcome(download(sample), key, lineage, score, memberScores, true);
    }

    /** A host copy of a batch of this search, once the search's stream has written it. */
    public float[] download(Batch batch) {
        return backend.download(kernels, batch);
    }

    public double verifierCaptureTime() {
        return verifier.captureTime();
    }
}

package io.noisesearch.sampling;

import io.noisesearch.noise.StepSeeds;
import io.noisesearch.schedule.Coefficients;
import io.noisesearch.schedule.Prediction;
import io.noisesearch.schedule.Schedule;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;

import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import io.noisesearch.model.Denoiser;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the probability-flow ODE of a guided denoiser over a time grid, in place on a batch of candidates.
 * Its scratch batches ({@link Workspace}) are allocated once for a capacity of rows and reused by every solve; on a
 * CUDA stream with a device-resident model, each solve shape is recorded once as a CUDA graph and replayed, also by
 * later samplers in the same workspace.
 */
public final class Sampler {

    private final GuidedDenoiser model;
    private final Schedule schedule;
    private final Prediction prediction;
    private final Kernels kernels;
    private final Workspace space;
    private final boolean graphs;
    private int graphsRecorded;
    private int graphLaunches;

    /** Whether solves may be recorded as graphs: {@code -Dnoisesearch.graphs=false} turns them off. */
    public static final boolean GRAPHS = !"false".equalsIgnoreCase(System.getProperty("noisesearch.graphs", "true"));

    /** Graphs kept per workspace (least recently used destroyed). */
    static final int MAX_GRAPHS = 32;

    private static final Logger LOG = LoggerFactory.getLogger(Sampler.class);

    /**
     * What a recorded solve depends on besides the workspace's batches: the model and the request's label and
     * guidance scale (kernel arguments), the rows, the grid, the solver and the capture step.
     */
    private record GraphKey(Denoiser denoiser, int label, float scale, int rows, List<Double> times, SolverKind kind,
                            int captureStep) {
    }

    /** A recorded solve, in an arena of its own so that it can be destroyed when it leaves the cache. */
    private record Recorded(Kernels.Graph graph, long evaluations, Arena arena) {
    }

    /**
     * The batches a sampler works in and the solves it recorded as graphs, for one capacity of rows of one
     * dimension. An engine keeps one per stream and model across searches, so that a later search of the same
     * shape replays the graph an earlier one recorded (the graph refers to these batches). Not thread-safe: one
     * search at a time.
     */
    public static final class Workspace implements AutoCloseable {

        private final Backend backend;
        private final Arena arena;
        private final int capacity;
        private final int dim;
        private final Batch first;
        private final Batch second;
        private final Batch predicted;
        private final Batch corrected;
        private final Batch unconditional;
        private Batch work;
        private Batch workCapture;
        private boolean recordingFailed;
        private final Map<GraphKey, Recorded> graphs = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<GraphKey, Recorded> eldest) {
                if (size() > MAX_GRAPHS) {
                    eldest.getValue().arena().close();
                    return true;
                }
                return false;
            }
        };

        /** A workspace with an arena of its own, released by {@link #close()}. */
        public Workspace(Backend backend, int capacity, int dim) {
            if (capacity < 1 || dim < 1) {
                throw new IllegalArgumentException("workspace of " + capacity + " rows of " + dim + " values");
            }
            this.backend = backend;
            this.arena = Arena.ofShared();
            this.capacity = capacity;
            this.dim = dim;
            try {
                this.first = backend.allocate(arena, capacity, dim);
                this.second = backend.allocate(arena, capacity, dim);
                this.predicted = backend.allocate(arena, capacity, dim);
                this.corrected = backend.allocate(arena, capacity, dim);
                this.unconditional = backend.allocate(arena, capacity, dim);
            } catch (RuntimeException e) {
                arena.close(); // what was allocated before the failure goes back
                throw e;
            }
        }

        public int capacity() {
            return capacity;
        }

        public int dim() {
            return dim;
        }

        /** Graphs held now. */
        public int graphs() {
            return graphs.size();
        }

        private Batch work() {
            if (work == null) {
                work = backend.allocate(arena, capacity, dim);
            }
            return work;
        }

        private Batch workCapture() {
            if (workCapture == null) {
                workCapture = backend.allocate(arena, capacity, dim);
            }
            return workCapture;
        }

        /** Destroys the graphs, then releases the batches. */
        @Override
        public void close() {
            try {
                graphs.values().forEach(recorded -> recorded.arena().close());
                graphs.clear();
            } finally {
                arena.close();
            }
        }
    }

    public Sampler(GuidedDenoiser model, Backend backend, Kernels kernels, Arena arena, int capacity) {
        this(model, backend, kernels, arena, capacity, GRAPHS);
    }

    /**
     * A sampler with a workspace of its own that lives as long as {@code arena}; records graphs only when
     * {@code useGraphs} and the stream and the model allow it.
     */
    public Sampler(GuidedDenoiser model, Backend backend, Kernels kernels, Arena arena, int capacity,
                   boolean useGraphs) {
        this(model, kernels, ownedBy(arena, new Workspace(backend, capacity, model.info().dim())), useGraphs);
    }

    /** A sampler in a workspace kept by the caller (graphs it recorded before are replayed). */
    public Sampler(GuidedDenoiser model, Kernels kernels, Workspace space, boolean useGraphs) {
        if (space.dim() != model.info().dim()) {
            throw new IllegalArgumentException("workspace of dimension " + space.dim() + " for model "
                    + model.info().name() + " of dimension " + model.info().dim());
        }
        this.model = model;
        this.space = space;
        this.graphs = useGraphs && kernels.canCapture() && model.capturable();
        this.schedule = model.info().schedule();
        this.prediction = model.info().prediction();
        this.kernels = kernels;
    }

    /** Closes {@code space} when {@code arena} closes. */
    private static Workspace ownedBy(Arena arena, Workspace space) {
        MemorySegment.NULL.reinterpret(0, arena, ignored -> space.close());
        return space;
    }

    public int capacity() {
        return space.capacity();
    }

    /** An x0 capture on the way: the clean prediction at the grid time nearest {@code time}, into {@code out}. */
    public record Capture(double time, Batch out) {
    }

    /**
     * Names the fresh noise of a stochastic solve: row r at step i of the grid draws the noise of key
     * {@code firstKey + r} (or {@code keys[r]} where the rows' keys are given one by one) at solver step
     * {@code firstStep + i} ({@link StepSeeds}), so a segment of a full grid draws what the full solve draws there.
     *
     * @param keys each row's key (null: consecutive keys from {@code firstKey})
     */
    public record StepNoise(long seed, long firstKey, int firstStep, long[] keys) {

        public StepNoise(long seed, long firstKey, int firstStep) {
            this(seed, firstKey, firstStep, null);
        }

        /** Rows whose keys are not consecutive (beam search's children): row r draws from {@code keys[r]}. */
        public static StepNoise perRow(long seed, long[] keys, int firstStep) {
            return new StepNoise(seed, keys[0], firstStep, keys.clone());
        }

        /** The naming of rows from {@code start} on. */
        public StepNoise fromRow(int start) {
            return keys == null ? new StepNoise(seed, firstKey + start, firstStep)
                    : perRow(seed, java.util.Arrays.copyOfRange(keys, start, keys.length), firstStep);
        }
    }

    /**
     * x += s z, row r's z the contract's noise of its key under the step seed: one call over consecutive keys, else
     * one per run of consecutive keys (rows are independent, so the result is the same row for row).
     */
    private void addStepNoise(Batch x, long stepSeed, StepNoise noise, float s) {
        if (noise.keys() == null) {
            kernels.forwardNoise(x, stepSeed, noise.firstKey(), 1f, s);
            return;
        }
        long[] keys = noise.keys();
        int start = 0;
        for (int r = 1; r <= x.rows(); r++) {
            if (r == x.rows() || keys[r] != keys[r - 1] + 1) {
                kernels.forwardNoise(x.rows(start, r - start), stepSeed, keys[start], 1f, s);
                start = r;
            }
        }
    }

    /**
     * Integrates x over the grid with the solver's settings: an ODE solver as {@link #solve(Batch, double[],
     * SolverKind, Capture)}; a stochastic one (euler-sde, ddpm, ddim with eta > 0) with its steps' noise named by
     * {@code noise} (required then, ignored otherwise), always as direct calls (no graphs: each step has its seed).
     */
    public void solve(Batch x, double[] times, SolverSettings settings, StepNoise noise, Capture capture) {
        if (!settings.stochastic()) {
            // euler-sde at noise scale 0 is Euler, call for call
            solve(x, times, settings.kind() == SolverKind.EULER_SDE ? SolverKind.EULER : settings.kind(), capture);
            return;
        }
        if (noise == null) {
            throw new IllegalArgumentException("a stochastic solve (" + settings + ") needs the keys of its noise");
        }
        checkRows(x);
        int captureStep = capture == null ? -1 : nearestStep(times, capture.time());
        solveStochastic(x, times, settings, noise, capture == null ? null : capture.out(), captureStep);
    }

    /**
     * The stochastic steps. Euler-Maruyama of the reverse SDE dx = [v - g^2/2 grad log p] dt + g dW with
     * grad log p = -eps/sigma and g^2 = 2 S^2 sigma(t): x' = x + dt (v + S^2 eps) + S sqrt(2 sigma |dt|) z, the
     * marginals of the ODE for any S; the step that ends at t = 0 is the ODE's (no noise is left to add).
     * DDIM with eta: x' = alpha' x0 + sqrt(sigma'^2 - c^2) eps + c z with c = eta s sigma' / sigma, s the noise of
     * the forward transition t' -> t (the DDPM posterior's standard deviation at eta = 1).
     */
    private void solveStochastic(Batch x, double[] times, SolverSettings settings, StepNoise noise, Batch captureOut,
                                 int captureStep) {
        int n = x.rows();
        for (int i = 0; i + 1 < times.length; i++) {
            double t = times[i];
            double next = times[i + 1];
            Batch pred = space.predicted.rows(0, n);
            evaluate(x, t, pred, n, true);
            if (i == captureStep) {
                kernels.convertPrediction(x, pred, captureOut, prediction, Prediction.X0, schedule.at(t));
            }
            long stepSeed = StepSeeds.of(noise.seed(), noise.firstStep() + i);
            if (settings.kind() == SolverKind.EULER_SDE) {
                eulerMaruyamaStep(x, pred, t, next, settings.noise(), stepSeed, noise);
            } else {
                double eta = settings.kind() == SolverKind.DDPM ? 1 : settings.noise();
                ddimNoisyStep(x, pred, t, next, eta, stepSeed, noise);
            }
        }
    }

    private void eulerMaruyamaStep(Batch x, Batch pred, double t, double next, double scale, long stepSeed,
                                   StepNoise noise) {
        int n = x.rows();
        Batch v = velocity(x, pred, space.first.rows(0, n), t);
        float dt = (float) (next - t);
        if (next == 0) {
            kernels.eulerStep(x, v, x, dt);
            return;
        }
        Batch eps = space.second.rows(0, n);
        kernels.convertPrediction(x, pred, eps, prediction, Prediction.EPSILON, schedule.at(t));
        Batch drift = space.corrected.rows(0, n);
        kernels.eulerStep(v, eps, drift, (float) (scale * scale));
        kernels.eulerStep(x, drift, x, dt);
        double sigma = schedule.at(t).sigma();
        addStepNoise(x, stepSeed, noise, (float) (scale * Math.sqrt(2 * sigma * (t - next))));
    }

    private void ddimNoisyStep(Batch x, Batch pred, double t, double next, double eta, long stepSeed,
                               StepNoise noise) {
        Coefficients now = schedule.at(t);
        Coefficients to = schedule.at(next);
        double c = next == 0 || now.sigma() == 0 ? 0
                : eta * schedule.forward(next, t).s() * to.sigma() / now.sigma();
        if (c == 0) {
            kernels.ddimStep(x, pred, x, prediction, now, to);
            return;
        }
        double kept = Math.sqrt(Math.max(0, (double) to.sigma() * to.sigma() - c * c));
        kernels.ddimStep(x, pred, x, prediction, now, new Coefficients(to.alpha(), (float) kept, to.dalpha(),
                to.dsigma()));
        addStepNoise(x, stepSeed, noise, (float) c);
    }

    public void solve(Batch x, double[] times, SolverKind kind) {
        solve(x, times, kind, null);
    }

    /**
     * Integrates x from times[0] to times[last] with the given solver; x holds the result. Where the stream can
     * record graphs and the model only issues kernels ({@link GuidedDenoiser#capturable()}), the solve of a shape
     * (rows, grid, solver, capture step) is recorded once as a graph over the sampler's own work batches and
     * replayed for every later solve of that shape: x is copied in and out on the device.
     */
    public void solve(Batch x, double[] times, SolverKind kind, Capture capture) {
        if (kind.stochastic()) {
            throw new IllegalArgumentException("solver " + kind.id() + " draws noise: solve it with its settings and"
                    + " the keys of its noise");
        }
        checkRows(x);
        int captureStep = capture == null ? -1 : nearestStep(times, capture.time());
        if (graphs && !space.recordingFailed && solveWithGraph(x, times, kind, capture, captureStep)) {
            return;
        }
        solveDirect(x, times, kind, capture == null ? null : capture.out(), captureStep, true, null);
    }

    /**
     * {@link #solve} as direct calls, copying every state the model is evaluated at, in evaluation order, into
     * consecutive blocks of {@code x.rows()} rows of {@code states} (as many blocks as the solve's NFEs): what the
     * reverse pass ({@link Adjoint}) reads. The same calls as {@link #solve}, so the same samples.
     */
    public void solveKeepingStates(Batch x, double[] times, SolverKind kind, Batch states) {
        checkRows(x);
        solveDirect(x, times, kind, null, -1, true, states);
    }

    /** Graphs recorded by this sampler (each one a shape it solved). */
    public int graphsRecorded() {
        return graphsRecorded;
    }

    /** Solves that ran as a graph launch. */
    public int graphLaunches() {
        return graphLaunches;
    }

    private boolean solveWithGraph(Batch x, double[] times, SolverKind kind, Capture capture, int captureStep) {
        int n = x.rows();
        Batch in = space.work().rows(0, n);
        Batch captured = captureStep >= 0 ? space.workCapture().rows(0, n) : null;
        GraphKey key = new GraphKey(model.denoiser(), model.label(), model.scale(), n,
                Arrays.stream(times).boxed().toList(), kind, captureStep);
        Recorded recorded = space.graphs.get(key);
        if (recorded == null) {
            long[] evaluations = new long[1];
            Arena graphArena = Arena.ofShared();
            Kernels.Graph graph;
            try {
                graph = kernels.capture(graphArena, () ->
                        evaluations[0] = solveDirect(in, times, kind, captured, captureStep, false, null));
            } catch (RuntimeException e) {
                graphArena.close();
                LOG.debug("solves of {} run without graphs: recording failed: {}", model.info().name(), e.getMessage());
                space.recordingFailed = true;
                return false;
            }
            recorded = new Recorded(graph, evaluations[0], graphArena);
            space.graphs.put(key, recorded);
            graphsRecorded++;
        }
        kernels.copy(x, in);
        recorded.graph().replay();
        graphLaunches++;
        model.charge(n, recorded.evaluations());
        kernels.copy(in, x);
        if (captured != null) {
            kernels.copy(captured, capture.out());
        }
        return true;
    }

    /**
     * The solve as direct calls; returns the number of model evaluations. {@code charge}: whether each evaluation
     * is charged to the meter as it is issued (not while the calls are being recorded); {@code states}, when not
     * null, gets a copy of every evaluated state.
     */
    private long solveDirect(Batch x, double[] times, SolverKind kind, Batch captureOut, int captureStep,
                             boolean charge, Batch states) {
        int n = x.rows();
        long evaluations = 0;
        for (int i = 0; i + 1 < times.length; i++) {
            double t = times[i];
            double next = times[i + 1];
            Batch pred = space.predicted.rows(0, n);
            keep(states, x, evaluations);
            evaluate(x, t, pred, n, charge);
            evaluations++;
            if (i == captureStep) {
                kernels.convertPrediction(x, pred, captureOut, prediction, Prediction.X0, schedule.at(t));
            }
            if (kind == SolverKind.DDIM) {
                kernels.ddimStep(x, pred, x, prediction, schedule.at(t), schedule.at(next));
                continue;
            }
            Batch v = velocity(x, pred, space.first.rows(0, n), t);
            float dt = (float) (next - t);
            if (kind == SolverKind.EULER || next == 0) {
                kernels.eulerStep(x, v, x, dt);
                continue;
            }
            Batch predictor = space.second.rows(0, n);
            kernels.eulerStep(x, v, predictor, dt);
            Batch pred2 = space.corrected.rows(0, n);
            keep(states, predictor, evaluations);
            evaluate(predictor, next, pred2, n, charge);
            evaluations++;
            kernels.heunStep(x, v, velocity(predictor, pred2, pred2, next), x, dt);
        }
        return evaluations;
    }

    private void keep(Batch states, Batch x, long evaluation) {
        if (states != null) {
            kernels.copy(x, states.rows(Math.toIntExact(evaluation * x.rows()), x.rows()));
        }
    }

    private void evaluate(Batch x, double t, Batch out, int n, boolean charge) {
        if (charge) {
            model.predict(kernels, x, t, out, space.unconditional.rows(0, n));
        } else {
            model.evaluate(kernels, x, t, out, space.unconditional.rows(0, n));
        }
    }

    /** One extra evaluation: the clean x-prediction of x at time t (how noisy candidates are scored). */
    public void predictX0(Batch x, double t, Batch out) {
        checkRows(x);
        Batch pred = space.predicted.rows(0, x.rows());
        model.predict(kernels, x, t, pred, space.unconditional.rows(0, x.rows()));
        kernels.convertPrediction(x, pred, out, prediction, Prediction.X0, schedule.at(t));
    }

    /** The velocity of a prediction: the prediction itself for velocity models, else converted into out. */
    private Batch velocity(Batch x, Batch pred, Batch out, double t) {
        if (prediction == Prediction.VELOCITY) {
            return pred;
        }
        kernels.convertPrediction(x, pred, out, prediction, Prediction.VELOCITY, schedule.at(t));
        return out;
    }

    private void checkRows(Batch x) {
        if (x.rows() > space.capacity()) {
            throw new IllegalArgumentException("solve of " + x.rows() + " rows exceeds the sampler's capacity of "
                    + space.capacity());
        }
    }

    /** The step whose start time is nearest the capture time, or -1 when the grid does not span that time. */
    public static int nearestStep(double[] times, double time) {
        double high = Math.max(times[0], times[times.length - 1]);
        double low = Math.min(times[0], times[times.length - 1]);
        if (time < low || time > high) {
            return -1;
        }
        int best = -1;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (int i = 0; i + 1 < times.length; i++) {
            double d = Math.abs(times[i] - time);
            if (d < bestDistance) {
                bestDistance = d;
                best = i;
            }
        }
        return best;
    }
}

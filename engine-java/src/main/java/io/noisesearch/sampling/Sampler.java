package io.noisesearch.sampling;

import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;

import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the probability-flow ODE of a guided denoiser over a time grid, in place on a batch of candidates.
 * Its scratch batches are allocated once for a capacity of rows and reused by every solve; on a CUDA stream with a
 * device-resident model, each solve shape is recorded once as a CUDA graph and replayed.
 */
public final class Sampler {

    private final GuidedDenoiser model;
    private final Schedule schedule;
    private final Prediction prediction;
    private final Kernels kernels;
    private final int capacity;
    private final Batch first;
    private final Batch second;
    private final Batch predicted;
    private final Batch corrected;
    private final Batch unconditional;
    private final Backend backend;
    private final Arena arena;
    private boolean graphs;
    private Batch work;
    private Batch workCapture;
    private final Map<GraphKey, Recorded> graphCache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<GraphKey, Recorded> eldest) {
            return size() > MAX_GRAPHS;
        }
    };
    private int graphsRecorded;
    private int graphLaunches;

    /** Whether solves may be recorded as graphs: {@code -Dnoisesearch.graphs=false} turns them off. */
    public static final boolean GRAPHS = !"false".equalsIgnoreCase(System.getProperty("noisesearch.graphs", "true"));

    /** Graphs kept per sampler (least recently used dropped; their memory stays with the arena). */
    static final int MAX_GRAPHS = 8;

    private static final Logger LOG = LoggerFactory.getLogger(Sampler.class);

    private record GraphKey(int rows, List<Double> times, SolverKind kind, int captureStep) {
    }

    private record Recorded(Kernels.Graph graph, long evaluations) {
    }

    public Sampler(GuidedDenoiser model, Backend backend, Kernels kernels, Arena arena, int capacity) {
        this(model, backend, kernels, arena, capacity, GRAPHS);
    }

    /** A sampler that records graphs only when {@code useGraphs} and the stream and the model allow it. */
    public Sampler(GuidedDenoiser model, Backend backend, Kernels kernels, Arena arena, int capacity,
                   boolean useGraphs) {
        this.model = model;
        this.backend = backend;
        this.arena = arena;
        this.graphs = useGraphs && kernels.canCapture() && model.capturable();
        this.schedule = model.info().schedule();
        this.prediction = model.info().prediction();
        this.kernels = kernels;
        this.capacity = capacity;
        int dim = model.info().dim();
        this.first = backend.allocate(arena, capacity, dim);
        this.second = backend.allocate(arena, capacity, dim);
        this.predicted = backend.allocate(arena, capacity, dim);
        this.corrected = backend.allocate(arena, capacity, dim);
        this.unconditional = backend.allocate(arena, capacity, dim);
    }

    public int capacity() {
        return capacity;
    }

    /** An x0 capture on the way: the clean prediction at the grid time nearest {@code time}, into {@code out}. */
    public record Capture(double time, Batch out) {
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
        checkRows(x);
        int captureStep = capture == null ? -1 : nearestStep(times, capture.time());
        if (graphs && solveWithGraph(x, times, kind, capture, captureStep)) {
            return;
        }
        solveDirect(x, times, kind, capture == null ? null : capture.out(), captureStep, true);
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
        int dim = model.info().dim();
        if (work == null) {
            work = backend.allocate(arena, capacity, dim);
        }
        Batch in = work.rows(0, n);
        Batch captured = null;
        if (captureStep >= 0) {
            if (workCapture == null) {
                workCapture = backend.allocate(arena, capacity, dim);
            }
            captured = workCapture.rows(0, n);
        }
        GraphKey key = new GraphKey(n, Arrays.stream(times).boxed().toList(), kind, captureStep);
        Recorded recorded = graphCache.get(key);
        if (recorded == null) {
            long[] evaluations = new long[1];
            Batch capturedOut = captured;
            Kernels.Graph graph;
            try {
                graph = kernels.capture(arena, () ->
                        evaluations[0] = solveDirect(in, times, kind, capturedOut, captureStep, false));
            } catch (RuntimeException e) {
                LOG.debug("solves of {} run without graphs: recording failed: {}", model.info().name(), e.getMessage());
                graphs = false;
                return false;
            }
            recorded = new Recorded(graph, evaluations[0]);
            graphCache.put(key, recorded);
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
     * is charged to the meter as it is issued (not while the calls are being recorded).
     */
    private long solveDirect(Batch x, double[] times, SolverKind kind, Batch captureOut, int captureStep,
                             boolean charge) {
        int n = x.rows();
        long evaluations = 0;
        for (int i = 0; i + 1 < times.length; i++) {
            double t = times[i];
            double next = times[i + 1];
            Batch pred = predicted.rows(0, n);
            evaluate(x, t, pred, n, charge);
            evaluations++;
            if (i == captureStep) {
                kernels.convertPrediction(x, pred, captureOut, prediction, Prediction.X0, schedule.at(t));
            }
            if (kind == SolverKind.DDIM) {
                kernels.ddimStep(x, pred, x, prediction, schedule.at(t), schedule.at(next));
                continue;
            }
            Batch v = velocity(x, pred, first.rows(0, n), t);
            float dt = (float) (next - t);
            if (kind == SolverKind.EULER || next == 0) {
                kernels.eulerStep(x, v, x, dt);
                continue;
            }
            Batch predictor = second.rows(0, n);
            kernels.eulerStep(x, v, predictor, dt);
            Batch pred2 = corrected.rows(0, n);
            evaluate(predictor, next, pred2, n, charge);
            evaluations++;
            kernels.heunStep(x, v, velocity(predictor, pred2, pred2, next), x, dt);
        }
        return evaluations;
    }

    private void evaluate(Batch x, double t, Batch out, int n, boolean charge) {
        if (charge) {
            model.predict(kernels, x, t, out, unconditional.rows(0, n));
        } else {
            model.evaluate(kernels, x, t, out, unconditional.rows(0, n));
        }
    }

    /** One extra evaluation: the clean x-prediction of x at time t (how noisy candidates are scored). */
    public void predictX0(Batch x, double t, Batch out) {
        checkRows(x);
        Batch pred = predicted.rows(0, x.rows());
        model.predict(kernels, x, t, pred, unconditional.rows(0, x.rows()));
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
        if (x.rows() > capacity) {
            throw new IllegalArgumentException("solve of " + x.rows() + " rows exceeds the sampler's capacity of "
                    + capacity);
        }
    }

    /** The step whose start time is nearest the capture time, or -1 when the grid does not span that time. */
    private static int nearestStep(double[] times, double time) {
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

package io.noisesearch.sampling;

import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;

import java.lang.foreign.Arena;

/**
 * Runs the probability-flow ODE of a guided denoiser over a time grid, in place on a batch of candidates.
 * Its scratch batches are allocated once for a capacity of rows and reused by every solve.
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

    public Sampler(GuidedDenoiser model, Backend backend, Kernels kernels, Arena arena, int capacity) {
        this.model = model;
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

    /** Integrates x from times[0] to times[last] with the given solver; x holds the result. */
    public void solve(Batch x, double[] times, SolverKind kind, Capture capture) {
        checkRows(x);
        int captureStep = capture == null ? -1 : nearestStep(times, capture.time());
        int n = x.rows();
        for (int i = 0; i + 1 < times.length; i++) {
            double t = times[i];
            double next = times[i + 1];
            Batch pred = predicted.rows(0, n);
            model.predict(kernels, x, t, pred, unconditional.rows(0, n));
            if (i == captureStep) {
                kernels.convertPrediction(x, pred, capture.out(), prediction, Prediction.X0, schedule.at(t));
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
            model.predict(kernels, predictor, next, pred2, unconditional.rows(0, n));
            kernels.heunStep(x, v, velocity(predictor, pred2, pred2, next), x, dt);
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

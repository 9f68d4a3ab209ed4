package io.noisesearch.sampling;

import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import io.noisesearch.schedule.Coefficients;
import io.noisesearch.schedule.Schedule;
import io.noisesearch.schedule.SolverKind;

/**
 * The reverse (adjoint) pass of the sampler's solvers on a model with a closed-form Jacobian: given the gradient of a
 * function of the solved sample, the gradient of that function in the starting noise, read from the states that
 * {@link Sampler#solveKeepingStates} kept. With V the guided velocity and g the gradient after a step:
 * <ul>
 * <li>Euler, x' = x + dt V(x): g_x = g + dt J_V(x)^T g;</li>
 * <li>Heun, p = x + dt V(x), x' = x + dt/2 (V(x) + V(p)): with a = J_V(p)^T g,
 * g_x = g + dt/2 a + dt/2 J_V(x)^T (g + dt a);</li>
 * <li>DDIM, x' = alpha' x0(x) + sigma' eps(x): g_x = J^T g of (alpha', sigma') on (x0, eps).</li>
 * </ul>
 * Classifier-free guidance and the conversion of a prediction to a velocity are affine with the same coefficient of x
 * in both passes, so J_V is the guided combination of the passes' velocity Jacobians. One vector-Jacobian product per
 * forward evaluation, each charged as {@link GuidedDenoiser#BACKWARD_NFE} NFEs.
 */
public final class Adjoint {

    private final GuidedDenoiser model;
    private final Kernels kernels;
    private final Schedule schedule;

    public Adjoint(GuidedDenoiser model, Kernels kernels) {
        if (!model.differentiable()) {
            throw new IllegalArgumentException("model " + model.info().name() + " has no closed-form Jacobian");
        }
        this.model = model;
        this.kernels = kernels;
        this.schedule = model.info().schedule();
    }

    /**
     * Turns g (rows of dL/dx at the end of the grid) into dL/dx at its start, in place. {@code states} holds the
     * solve's evaluated states as {@link Sampler#solveKeepingStates} left them for the same rows, grid and solver;
     * {@code a}, {@code b} and {@code scratch} are work rows of g's shape.
     */
    public void backward(Batch g, double[] times, SolverKind kind, Batch states, Batch a, Batch b, Batch scratch) {
        int n = g.rows();
        int steps = times.length - 1;
        int[] first = new int[steps];
        int evaluations = 0;
        for (int i = 0; i < steps; i++) {
            first[i] = evaluations;
            evaluations += kind == SolverKind.HEUN && times[i + 1] != 0 ? 2 : 1;
        }
        if ((long) evaluations * n > states.rows()) {
            throw new IllegalArgumentException(evaluations + " states of " + n + " rows exceed the " + states.rows()
                    + " rows kept");
        }
        for (int i = steps - 1; i >= 0; i--) {
            double t = times[i];
            double next = times[i + 1];
            Batch x = states.rows(first[i] * n, n);
            float dt = (float) (next - t);
            if (kind == SolverKind.DDIM) {
                Coefficients to = schedule.at(next);
                model.vjp(kernels, x, t, g, to.alpha(), to.sigma(), a, scratch);
                kernels.copy(a, g);
            } else if (kind == SolverKind.EULER || next == 0) {
                velocityVjp(x, t, g, a, scratch);
                kernels.eulerStep(g, a, g, dt);
            } else {
                Batch predictor = states.rows((first[i] + 1) * n, n);
                velocityVjp(predictor, next, g, a, scratch);
                kernels.eulerStep(g, a, b, dt);
                kernels.eulerStep(g, a, g, dt / 2);
                velocityVjp(x, t, b, a, scratch);
                kernels.eulerStep(g, a, g, dt / 2);
            }
        }
    }

    /** out = J_V(x)^T c, the velocity being dalpha x0 + dsigma eps. */
    private void velocityVjp(Batch x, double t, Batch c, Batch out, Batch scratch) {
        Coefficients at = schedule.at(t);
        model.vjp(kernels, x, t, c, at.dalpha(), at.dsigma(), out, scratch);
    }
}

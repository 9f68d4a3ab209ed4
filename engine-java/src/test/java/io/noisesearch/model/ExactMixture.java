package io.noisesearch.model;

import io.noisesearch.schedule.Coefficients;
import io.noisesearch.schedule.Schedule;
import io.noisesearch.schedule.SolverKind;

/**
 * A Gaussian mixture's posterior means, density and ODE solves in plain double-precision Java, written from the
 * formulas (Gaussian conditioning per component), for finite-difference references of the kernels' gradients.
 */
public final class ExactMixture {

    private final GaussianMixture mixture;
    private final Schedule schedule;

    public ExactMixture(GaussianMixture mixture, Schedule schedule) {
        this.mixture = mixture;
        this.schedule = schedule;
    }

    public int dim() {
        return mixture.dim();
    }

    /** {E[x0 | x_t], E[eps | x_t]} under the label's components at (alpha, sigma). */
    public double[][] posteriorMeans(double[] x, int label, double alpha, double sigma) {
        int k = mixture.components();
        double[] w = mixture.conditionalWeights(label);
        double[] logit = new double[k];
        double largest = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < k; c++) {
            logit[c] = Double.NEGATIVE_INFINITY;
            if (w[c] == 0) {
                continue;
            }
            double v = alpha * alpha * mixture.variances()[c] + sigma * sigma;
            double d2 = 0;
            for (int i = 0; i < x.length; i++) {
                double e = x[i] - alpha * mixture.means()[c][i];
                d2 += e * e;
            }
            logit[c] = Math.log(w[c]) - d2 / (2 * v) - 0.5 * x.length * Math.log(2 * Math.PI * v);
            largest = Math.max(largest, logit[c]);
        }
        double total = 0;
        for (int c = 0; c < k; c++) {
            total += logit[c] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(logit[c] - largest);
        }
        double[] x0 = new double[x.length];
        double[] eps = new double[x.length];
        for (int c = 0; c < k; c++) {
            if (logit[c] == Double.NEGATIVE_INFINITY) {
                continue;
            }
            double r = Math.exp(logit[c] - largest) / total;
            double s2 = mixture.variances()[c];
            double v = alpha * alpha * s2 + sigma * sigma;
            for (int i = 0; i < x.length; i++) {
                double e = x[i] - alpha * mixture.means()[c][i];
                x0[i] += r * (mixture.means()[c][i] + alpha * s2 / v * e);
                eps[i] += r * (sigma / v * e);
            }
        }
        return new double[][] {x0, eps};
    }

    /** c_x0 E[x0 | x_t] + c_eps E[eps | x_t], guided: uncond + scale (cond - uncond) with the null class. */
    public double[] prediction(double[] x, double t, int label, double scale, double cX0, double cEps) {
        double[] cond = combination(x, t, label, cX0, cEps);
        if (scale == 1 || label == mixture.classes()) {
            return cond;
        }
        double[] uncond = combination(x, t, mixture.classes(), cX0, cEps);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = uncond[i] + scale * (cond[i] - uncond[i]);
        }
        return out;
    }

    private double[] combination(double[] x, double t, int label, double cX0, double cEps) {
        Coefficients at = schedule.at(t);
        double[][] means = posteriorMeans(x, label, at.alpha(), at.sigma());
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = cX0 * means[0][i] + cEps * means[1][i];
        }
        return out;
    }

    /** The probability-flow velocity dalpha x0 + dsigma eps at t, guided. */
    public double[] velocity(double[] x, double t, int label, double scale) {
        Coefficients at = schedule.at(t);
        return prediction(x, t, label, scale, at.dalpha(), at.dsigma());
    }

    /** The sampler's solve in double: Euler, Heun (no corrector on a step that ends at 0) or DDIM. */
    public double[] solve(double[] noise, double[] times, SolverKind kind, int label, double scale) {
        double[] x = noise.clone();
        for (int s = 0; s + 1 < times.length; s++) {
            double t = times[s];
            double next = times[s + 1];
            double dt = next - t;
            if (kind == SolverKind.DDIM) {
                Coefficients to = schedule.at(next);
                x = prediction(x, t, label, scale, to.alpha(), to.sigma());
                continue;
            }
            double[] v = velocity(x, t, label, scale);
            if (kind == SolverKind.EULER || next == 0) {
                for (int i = 0; i < x.length; i++) {
                    x[i] += dt * v[i];
                }
                continue;
            }
            double[] p = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                p[i] = x[i] + dt * v[i];
            }
            double[] v2 = velocity(p, next, label, scale);
            for (int i = 0; i < x.length; i++) {
                x[i] += dt / 2 * (v[i] + v2[i]);
            }
        }
        return x;
    }

    /** log p(x | label) at t = 0; the label {@code classes} is the whole mixture. */
    public double logDensity(double[] x, int label) {
        double[] w = mixture.conditionalWeights(label);
        double largest = Double.NEGATIVE_INFINITY;
        double[] logit = new double[w.length];
        for (int c = 0; c < w.length; c++) {
            logit[c] = Double.NEGATIVE_INFINITY;
            if (w[c] == 0) {
                continue;
            }
            double v = mixture.variances()[c];
            double d2 = 0;
            for (int i = 0; i < x.length; i++) {
                double e = x[i] - mixture.means()[c][i];
                d2 += e * e;
            }
            logit[c] = Math.log(w[c]) - d2 / (2 * v) - 0.5 * x.length * Math.log(2 * Math.PI * v);
            largest = Math.max(largest, logit[c]);
        }
        double total = 0;
        for (double l : logit) {
            total += l == Double.NEGATIVE_INFINITY ? 0 : Math.exp(l - largest);
        }
        return largest + Math.log(total);
    }

    /** Central differences of f at x in every coordinate, step h. */
    public static double[] centralDifferences(java.util.function.ToDoubleFunction<double[]> f, double[] x, double h) {
        double[] gradient = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double[] up = x.clone();
            double[] down = x.clone();
            up[i] += h;
            down[i] -= h;
            gradient[i] = (f.applyAsDouble(up) - f.applyAsDouble(down)) / (2 * h);
        }
        return gradient;
    }

    /** ||a - b|| / ||b||. */
    public static double relativeError(float[] a, double[] b) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < b.length; i++) {
            diff += (a[i] - b[i]) * (a[i] - b[i]);
            norm += b[i] * b[i];
        }
        return Math.sqrt(diff / norm);
    }
}

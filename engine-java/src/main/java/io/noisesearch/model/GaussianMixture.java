package io.noisesearch.model;

import java.util.Arrays;

/**
 * A class-conditional mixture of isotropic Gaussians: component k is N(mean_k, variance_k I), belongs to one
 * class and has weight weight_k (the weights of all components sum to 1; a class's prior is the sum of its
 * components' weights). Under x_t = alpha x0 + sigma eps its velocity, epsilon and x0 predictions and its
 * density have closed forms, which makes it the exact reference model of the engine.
 */
public record GaussianMixture(int dim, int classes, float[][] means, float[] variances, float[] weights,
                              int[] classOf) {

    public GaussianMixture {
        int k = means.length;
        if (k == 0 || variances.length != k || weights.length != k || classOf.length != k) {
            throw new IllegalArgumentException("mixture arrays disagree on the number of components");
        }
        double total = 0;
        for (int i = 0; i < k; i++) {
            if (means[i].length != dim || !(variances[i] > 0) || !(weights[i] > 0) || classOf[i] < 0
                    || classOf[i] >= classes) {
                throw new IllegalArgumentException("component " + i + " is malformed");
            }
            total += weights[i];
        }
        if (Math.abs(total - 1) > 1e-5) {
            throw new IllegalArgumentException("mixture weights sum to " + total + ", not 1");
        }
    }

    public int components() {
        return means.length;
    }

    public double classPrior(int label) {
        double prior = 0;
        for (int k = 0; k < components(); k++) {
            if (classOf[k] == label) {
                prior += weights[k];
            }
        }
        return prior;
    }

    /** Weights of the components given the label; label == classes is the whole mixture. */
    public double[] conditionalWeights(int label) {
        double[] w = new double[components()];
        double prior = label == classes ? 1 : classPrior(label);
        for (int k = 0; k < components(); k++) {
            w[k] = label == classes || classOf[k] == label ? weights[k] / prior : 0;
        }
        return w;
    }

    /** [classes + 1, K] log weights as the kernels take them (-inf for components outside the class). */
    public float[] logWeightTable() {
        float[] table = new float[(classes + 1) * components()];
        for (int c = 0; c <= classes; c++) {
            double[] w = conditionalWeights(c);
            for (int k = 0; k < components(); k++) {
                table[c * components() + k] = w[k] > 0 ? (float) Math.log(w[k]) : Float.NEGATIVE_INFINITY;
            }
        }
        return table;
    }

    public float[] flatMeans() {
        float[] flat = new float[components() * dim];
        for (int k = 0; k < components(); k++) {
            System.arraycopy(means[k], 0, flat, k * dim, dim);
        }
        return flat;
    }

    /** The mean of x0 given the label (closed form: sum_k w_k mean_k). */
    public double[] mean(int label) {
        double[] w = conditionalWeights(label);
        double[] m = new double[dim];
        for (int k = 0; k < components(); k++) {
            for (int d = 0; d < dim; d++) {
                m[d] += w[k] * means[k][d];
            }
        }
        return m;
    }

    /** The covariance of x0 given the label: sum_k w_k (var_k I + m_k m_k^T) - m m^T. */
    public double[][] covariance(int label) {
        double[] w = conditionalWeights(label);
        double[] m = mean(label);
        double[][] cov = new double[dim][dim];
        for (int k = 0; k < components(); k++) {
            for (int i = 0; i < dim; i++) {
                cov[i][i] += w[k] * variances[k];
                for (int j = 0; j < dim; j++) {
                    cov[i][j] += w[k] * means[k][i] * means[k][j];
                }
            }
        }
        for (int i = 0; i < dim; i++) {
            for (int j = 0; j < dim; j++) {
                cov[i][j] -= m[i] * m[j];
            }
        }
        return cov;
    }

    /** FLOPs of one prediction per sample, counted from the kernel's arithmetic (about 10 per component and element). */
    public long predictFlops() {
        return 10L * components() * dim;
    }

    /** FLOPs of one log-density evaluation per sample (about 4 per component and element). */
    public long densityFlops() {
        return 4L * components() * dim;
    }

    @Override
    public String toString() {
        return "GaussianMixture[dim=" + dim + ", classes=" + classes + ", components=" + components()
                + ", weights=" + Arrays.toString(weights) + "]";
    }
}

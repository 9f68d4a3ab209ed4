package io.noisesearch.metrics;

/**
 * Inception Score: exp(E_x KL(p(y|x) || p(y))), with p(y) the mean of the per-sample class distributions.
 * From 1 (every sample gives the same distribution) to the number of classes (confident and balanced).
 */
public final class InceptionScore {

    private InceptionScore() {
    }

    /** {@code probabilities} [n][classes], each row a distribution. */
    public static double of(float[][] probabilities) {
        int n = probabilities.length;
        int classes = probabilities[0].length;
        double[] marginal = new double[classes];
        for (float[] p : probabilities) {
            for (int c = 0; c < classes; c++) {
                marginal[c] += p[c] / (double) n;
            }
        }
        double klSum = 0;
        for (float[] p : probabilities) {
            for (int c = 0; c < classes; c++) {
                if (p[c] > 0) {
                    klSum += p[c] * (Math.log(p[c]) - Math.log(marginal[c]));
                }
            }
        }
        return Math.exp(klSum / n);
    }

    /** Softmax of a row of logits, computed stably. */
    public static float[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        double[] e = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            e[i] = Math.exp(logits[i] - max);
            sum += e[i];
        }
        float[] p = new float[logits.length];
        for (int i = 0; i < logits.length; i++) {
            p[i] = (float) (e[i] / sum);
        }
        return p;
    }
}

package io.noisesearch.search;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.LongToDoubleFunction;

/**
 * The resampling schemes of sequential Monte Carlo (Douc and Cappe 2005): from K normalised weights, K ancestor
 * indices whose expected counts are K w_i. Ancestors come back in ascending order, so a particle that keeps one copy
 * keeps its slot when no other particle's copies move it. Uniform draws come from the caller (the noise contract's
 * Philox words), by index.
 */
public enum Resampling {
    /** K independent draws from the weights: count_i ~ Multinomial(K, w), variance K w_i (1 - w_i). */
    MULTINOMIAL,
    /** One uniform u, the K points (k + u) / K through the cumulative weights: count_i is floor or ceil of K w_i. */
    SYSTEMATIC,
    /** floor(K w_i) copies of each, the R left drawn multinomially from the residuals K w_i - floor(K w_i). */
    RESIDUAL;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Resampling parse(String text) {
        for (Resampling scheme : values()) {
            if (scheme.id().equalsIgnoreCase(text)) {
                return scheme;
            }
        }
        throw new IllegalArgumentException("--resampling: unknown scheme '" + text
                + "' (expected multinomial, systematic or residual)");
    }

    /**
     * K ancestor indices for the normalised {@code weights} (K of them), in ascending order.
     *
     * @param uniform draw {@code i} in (0, 1); multinomial reads 0..K-1, systematic 0, residual 0..R-1
     */
    public int[] ancestors(double[] weights, LongToDoubleFunction uniform) {
        int k = weights.length;
        int[] counts = switch (this) {
            case MULTINOMIAL -> multinomial(weights, k, uniform);
            case SYSTEMATIC -> systematic(weights, uniform.applyAsDouble(0));
            case RESIDUAL -> residual(weights, uniform);
        };
        int[] ancestors = new int[k];
        int at = 0;
        for (int i = 0; i < k; i++) {
            for (int c = 0; c < counts[i]; c++) {
                ancestors[at++] = i;
            }
        }
        if (at != k) {
            throw new IllegalStateException(this + " resampling drew " + at + " of " + k + " particles");
        }
        return ancestors;
    }

    /** Counts of {@code draws} independent draws from the weights by inverting their cumulative sum. */
    private static int[] multinomial(double[] weights, int draws, LongToDoubleFunction uniform) {
        double[] cumulative = cumulative(weights);
        int[] counts = new int[weights.length];
        for (int d = 0; d < draws; d++) {
            counts[inverse(cumulative, uniform.applyAsDouble(d))]++;
        }
        return counts;
    }

    private static int[] systematic(double[] weights, double u) {
        int k = weights.length;
        double[] cumulative = cumulative(weights);
        int[] counts = new int[k];
        int i = 0;
        for (int point = 0; point < k; point++) {
            double p = (point + u) / k;
            while (i < k - 1 && cumulative[i] <= p) {
                i++;
            }
            counts[i]++;
        }
        return counts;
    }

    private static int[] residual(double[] weights, LongToDoubleFunction uniform) {
        int k = weights.length;
        int[] counts = new int[k];
        double[] residuals = new double[k];
        int kept = 0;
        for (int i = 0; i < k; i++) {
            double expected = k * weights[i];
            counts[i] = (int) Math.min(k, Math.floor(expected));
            residuals[i] = Math.max(0, expected - counts[i]);
            kept += counts[i];
        }
        int left = k - kept;
        if (left > 0) {
            double total = Arrays.stream(residuals).sum();
            for (int i = 0; i < k; i++) {
                residuals[i] = total > 0 ? residuals[i] / total : 1.0 / k;
            }
            int[] drawn = multinomial(residuals, left, uniform);
            for (int i = 0; i < k; i++) {
                counts[i] += drawn[i];
            }
        } else if (left < 0) {
            throw new IllegalStateException("residual resampling kept " + kept + " of " + k + " particles");
        }
        return counts;
    }

    /** Running sums of the weights, the last one exactly 1 so that every uniform in (0, 1) finds an index. */
    private static double[] cumulative(double[] weights) {
        double[] sums = new double[weights.length];
        double sum = 0;
        for (int i = 0; i < weights.length; i++) {
            sum += weights[i];
            sums[i] = sum;
        }
        sums[weights.length - 1] = 1;
        return sums;
    }

    /** The first index whose cumulative weight exceeds u. */
    private static int inverse(double[] cumulative, double u) {
        int at = Arrays.binarySearch(cumulative, u);
        int i = at >= 0 ? at + 1 : -at - 1;
        return Math.min(i, cumulative.length - 1);
    }

    /**
     * Normalised weights exp(l_i - max) / sum from log weights (-infinity for a weight of 0); every weight 0 is
     * taken as equal weights, a NaN or a weight of +infinity is an internal error.
     */
    public static double[] normalise(double[] logWeights) {
        double max = Arrays.stream(logWeights).max().orElseThrow();
        if (Double.isNaN(max) || max == Double.POSITIVE_INFINITY) {
            throw new IllegalStateException("log weights without a finite maximum: " + Arrays.toString(logWeights));
        }
        if (max == Double.NEGATIVE_INFINITY) {
            double[] equal = new double[logWeights.length];
            Arrays.fill(equal, 1.0 / equal.length);
            return equal;
        }
        double[] w = new double[logWeights.length];
        double sum = 0;
        for (int i = 0; i < w.length; i++) {
            w[i] = Math.exp(logWeights[i] - max);
            sum += w[i];
        }
        for (int i = 0; i < w.length; i++) {
            w[i] /= sum;
        }
        return w;
    }

    /** The effective sample size 1 / sum w_i^2 of normalised weights: K for equal weights, 1 for one weight. */
    public static double effectiveSampleSize(double[] weights) {
        double squares = 0;
        for (double w : weights) {
            squares += w * w;
        }
        return 1 / squares;
    }
}

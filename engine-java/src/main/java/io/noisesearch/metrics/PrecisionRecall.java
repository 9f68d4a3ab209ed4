package io.noisesearch.metrics;

import java.util.Arrays;

/**
 * Improved precision and recall (Kynkaanniemi et al. 2019): each set's manifold is the union of balls around
 * its points with radius the distance to the k-th nearest neighbour within the set. Precision is the share of
 * generated samples inside the real manifold (fidelity); recall the share of real samples inside the generated
 * manifold (diversity).
 */
public final class PrecisionRecall {

    public record Result(double precision, double recall) {
    }

    private PrecisionRecall() {
    }

    public static Result of(float[][] real, float[][] generated, int k) {
        if (real.length <= k || generated.length <= k) {
            throw new IllegalArgumentException("precision/recall with k = " + k + " needs more than k samples per set");
        }
        double[] realRadii = kthNeighbourDistances(real, k);
        double[] generatedRadii = kthNeighbourDistances(generated, k);
        return new Result(coverage(generated, real, realRadii), coverage(real, generated, generatedRadii));
    }

    /** Share of {@code points} within radius of at least one manifold point. */
    private static double coverage(float[][] points, float[][] manifold, double[] radii) {
        int inside = 0;
        for (float[] p : points) {
            for (int j = 0; j < manifold.length; j++) {
                if (squaredDistance(p, manifold[j]) <= radii[j] * radii[j]) {
                    inside++;
                    break;
                }
            }
        }
        return (double) inside / points.length;
    }

    /** For each point, the distance to its k-th nearest other point of the same set. */
    private static double[] kthNeighbourDistances(float[][] set, int k) {
        double[] radii = new double[set.length];
        double[] distances = new double[set.length];
        for (int i = 0; i < set.length; i++) {
            for (int j = 0; j < set.length; j++) {
                distances[j] = squaredDistance(set[i], set[j]);
            }
            double[] sorted = distances.clone();
            Arrays.sort(sorted);
            radii[i] = Math.sqrt(sorted[k]); // sorted[0] is the point itself
        }
        return radii;
    }

    static double squaredDistance(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            sum += d * d;
        }
        return sum;
    }
}

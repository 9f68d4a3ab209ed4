package io.noisesearch.metrics;

/** Mean and covariance of a set of feature vectors (the Gaussian that FID compares). */
public record FeatureStatistics(double[] mean, double[][] covariance, int count) {

    /** Sample mean and unbiased covariance of {@code features} [n][d], n >= 2. */
    public static FeatureStatistics of(float[][] features) {
        int n = features.length;
        if (n < 2) {
            throw new IllegalArgumentException("feature statistics need at least 2 samples, got " + n);
        }
        int d = features[0].length;
        double[] mean = new double[d];
        for (float[] f : features) {
            for (int i = 0; i < d; i++) {
                mean[i] += f[i];
            }
        }
        for (int i = 0; i < d; i++) {
            mean[i] /= n;
        }
        double[][] cov = new double[d][d];
        double[] centred = new double[d];
        for (float[] f : features) {
            for (int i = 0; i < d; i++) {
                centred[i] = f[i] - mean[i];
            }
            for (int i = 0; i < d; i++) {
                for (int j = i; j < d; j++) {
                    cov[i][j] += centred[i] * centred[j];
                }
            }
        }
        for (int i = 0; i < d; i++) {
            for (int j = i; j < d; j++) {
                cov[i][j] /= n - 1;
                cov[j][i] = cov[i][j];
            }
        }
        return new FeatureStatistics(mean, cov, n);
    }

    public int dim() {
        return mean.length;
    }
}

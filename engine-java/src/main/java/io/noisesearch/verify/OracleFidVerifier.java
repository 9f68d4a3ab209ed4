package io.noisesearch.verify;

import io.noisesearch.backend.Kernels;
import io.noisesearch.metrics.Evaluator;
import io.noisesearch.metrics.FeatureStatistics;
import io.noisesearch.metrics.FrechetDistance;

/**
 * The FID oracle of PAPER.md ({@code oracle-fid}): within one {@code generate} run, the candidate that most
 * lowers the running FID of the samples chosen so far (against the evaluation network's reference statistics)
 * wins; its score is minus that FID. The run's chosen samples are added with {@link #accept} after each request,
 * so the verifier holds state across requests and is used by one run at a time. A ceiling, not a method.
 */
public final class OracleFidVerifier implements Verifier {

    private final Evaluator evaluator;
    private final FeatureStatistics reference;
    private final int dim;
    private final double[] sum;
    private final double[][] outer;
    private int count;

    public OracleFidVerifier(Evaluator evaluator) {
        this.evaluator = evaluator;
        this.reference = evaluator.referenceStatistics();
        this.dim = evaluator.featureDim();
        this.sum = new double[dim];
        this.outer = new double[dim][dim];
    }

    @Override
    public String name() {
        return "oracle-fid";
    }

    @Override
    public long flopsPerSample() {
        return evaluator.manifest().flopsPerSample();
    }

    @Override
    public void score(Kernels kernels, VerifierInput input, float[][] out, int offset) {
        float[][] features = evaluator.run(kernels, input.samples()).features();
        for (int r = 0; r < features.length; r++) {
            out[0][offset + r] = (float) -FrechetDistance.between(reference, withCandidate(features[r]));
        }
        Verifier.requireFinite(name(), out[0], offset, features.length);
    }

    /** Adds a chosen sample (the winner of a request) to the run's statistics. */
    public synchronized void accept(float[] sample) {
        float[] f = evaluator.features(new float[][] {sample})[0];
        for (int i = 0; i < dim; i++) {
            sum[i] += f[i];
            for (int j = 0; j < dim; j++) {
                outer[i][j] += f[i] * (double) f[j];
            }
        }
        count++;
    }

    /** Mean and (maximum-likelihood) covariance of the chosen samples plus one candidate. */
    private synchronized FeatureStatistics withCandidate(float[] f) {
        int n = count + 1;
        double[] mean = new double[dim];
        for (int i = 0; i < dim; i++) {
            mean[i] = (sum[i] + f[i]) / n;
        }
        double[][] cov = new double[dim][dim];
        for (int i = 0; i < dim; i++) {
            for (int j = 0; j < dim; j++) {
                cov[i][j] = (outer[i][j] + f[i] * (double) f[j]) / n - mean[i] * mean[j];
            }
        }
        return new FeatureStatistics(mean, cov, n);
    }
}

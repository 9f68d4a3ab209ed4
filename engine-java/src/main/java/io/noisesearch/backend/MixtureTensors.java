package io.noisesearch.backend;

/**
 * A Gaussian mixture's parameters where the kernels run: means [K, dim], variances [1, K] and log weights
 * [classes + 1, K] (the last row is the unconditional mixture, used as the null class).
 */
public record MixtureTensors(Batch means, Batch variances, Batch logWeights, int components, int classes) {

    public MixtureTensors {
        if (means.rows() != components || variances.elements() != components
                || logWeights.rows() != classes + 1 || logWeights.dim() != components) {
            throw new IllegalArgumentException("mixture tensors disagree with " + components + " components and "
                    + classes + " classes");
        }
    }

    public int dim() {
        return means.dim();
    }
}

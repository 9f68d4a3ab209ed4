package io.noisesearch.metrics;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * The Frechet distance between two Gaussians (FID when the features come from the evaluation network):
 * |m1 - m2|^2 + tr(C1) + tr(C2) - 2 tr((C1 C2)^(1/2)). The trace of the matrix square root is computed from
 * the symmetric form tr((C1^(1/2) C2 C1^(1/2))^(1/2)), whose eigenvalues are real and non-negative, so only
 * symmetric eigendecompositions are needed.
 */
public final class FrechetDistance {

    private FrechetDistance() {
    }

    public static double between(FeatureStatistics a, FeatureStatistics b) {
        if (a.dim() != b.dim()) {
            throw new IllegalArgumentException("feature dimensions differ: " + a.dim() + " vs " + b.dim());
        }
        double meanTerm = 0;
        for (int i = 0; i < a.dim(); i++) {
            double d = a.mean()[i] - b.mean()[i];
            meanTerm += d * d;
        }
        DMatrixRMaj c1 = new DMatrixRMaj(a.covariance());
        DMatrixRMaj c2 = new DMatrixRMaj(b.covariance());
        DMatrixRMaj root1 = symmetricSqrt(c1);
        DMatrixRMaj product = new DMatrixRMaj(a.dim(), a.dim());
        DMatrixRMaj inner = new DMatrixRMaj(a.dim(), a.dim());
        CommonOps_DDRM.mult(root1, c2, product);
        CommonOps_DDRM.mult(product, root1, inner);
        symmetrize(inner);
        double traceRoot = 0;
        for (double lambda : eigenvalues(inner)) {
            traceRoot += Math.sqrt(Math.max(0, lambda));
        }
        return meanTerm + CommonOps_DDRM.trace(c1) + CommonOps_DDRM.trace(c2) - 2 * traceRoot;
    }

    /** The PSD square root of a symmetric matrix: V diag(sqrt(max(lambda, 0))) V^T. */
    static DMatrixRMaj symmetricSqrt(DMatrixRMaj m) {
        int n = m.numRows;
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, true, true);
        if (!eig.decompose(m.copy())) {
            throw new ArithmeticException("eigendecomposition of a covariance failed");
        }
        DMatrixRMaj root = new DMatrixRMaj(n, n);
        for (int k = 0; k < n; k++) {
            double s = Math.sqrt(Math.max(0, eig.getEigenvalue(k).getReal()));
            DMatrixRMaj v = eig.getEigenVector(k);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    root.add(i, j, s * v.get(i) * v.get(j));
                }
            }
        }
        return root;
    }

    private static double[] eigenvalues(DMatrixRMaj m) {
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(m.numRows, false, true);
        if (!eig.decompose(m.copy())) {
            throw new ArithmeticException("eigendecomposition failed");
        }
        double[] values = new double[m.numRows];
        for (int k = 0; k < values.length; k++) {
            values[k] = eig.getEigenvalue(k).getReal();
        }
        return values;
    }

    private static void symmetrize(DMatrixRMaj m) {
        for (int i = 0; i < m.numRows; i++) {
            for (int j = i + 1; j < m.numCols; j++) {
                double avg = 0.5 * (m.get(i, j) + m.get(j, i));
                m.set(i, j, avg);
                m.set(j, i, avg);
            }
        }
    }
}

package io.noisesearch.model;

import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;

/** A denoiser whose Jacobian in its input has a closed form (the exact mixtures), for first-order search. */
public interface DifferentiableDenoiser extends Denoiser {

    /**
     * Row r of {@code out} gets J^T c_r, with J the Jacobian in x of the model's {@code cX0} E[x0 | x_t] + {@code cEps}
     * E[eps | x_t] at row r of x and time t, and c_r row r of {@code cotangent}. A velocity takes (dalpha, dsigma)
     * of the schedule at t; a DDIM step to a time with (alpha', sigma') takes those.
     */
    void vjp(Kernels kernels, Batch x, double t, int label, Batch cotangent, float cX0, float cEps, Batch out);
}

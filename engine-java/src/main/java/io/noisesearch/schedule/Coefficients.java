package io.noisesearch.schedule;

/**
 * The interpolant x_t = alpha x0 + sigma eps at one time, with the time derivatives that define the
 * velocity v = dalpha x0 + dsigma eps.
 */
public record Coefficients(float alpha, float sigma, float dalpha, float dsigma) {
}

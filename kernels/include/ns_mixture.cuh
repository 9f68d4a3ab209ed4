/*
 * Element math of the exact isotropic Gaussian mixture: component k ~ N(mu_k, s_k^2 I) in dim dimensions,
 * x_t = alpha x0 + sigma eps, so x_t | k ~ N(alpha mu_k, v_k I) with v_k = alpha^2 s_k^2 + sigma^2, and
 *   logit_k = log w_k - |x - alpha mu_k|^2 / (2 v_k) - dim/2 log(2 pi v_k),   r = softmax(logit),
 *   E[x0 | x]  = sum_k r_k (mu_k + alpha s_k^2 / v_k (x - alpha mu_k)),
 *   E[eps | x] = sum_k r_k sigma / v_k (x - alpha mu_k)          (Gaussian conditioning per component).
 * Double throughout; exp and log are libm's (or CUDA's), so results agree across builds to rounding only.
 *
 * Gradients (first-order search). Each component's prediction f_k = c_x0 E[x0 | x, k] + c_eps E[eps | x, k]
 * = c_x0 mu_k + b_k e_k with e_k = x - alpha mu_k and b_k = (c_x0 alpha s_k^2 + c_eps sigma) / v_k, and
 * d logit_k / dx = g_k = -e_k / v_k, so d r_k / dx = r_k (g_k - sum_j r_j g_j). For f = sum_k r_k f_k:
 *   J^T c = (sum_k r_k b_k) c + sum_k r_k (s_k - s) g_k,   s_k = f_k . c,  s = sum_k r_k s_k,
 * and the score of the density is grad log p_t(x) = sum_k r_k g_k.
 */
#ifndef NS_MIXTURE_CUH
#define NS_MIXTURE_CUH

#include <math.h>
#include "ns_common.cuh"
#include "noisesearch.h"

#define NS_TWO_PI 6.283185307179586

NS_HD double ns_gmm_variance(float alpha, float sigma, float s2) {
    return (double)alpha * alpha * s2 + (double)sigma * sigma;
}

NS_HD double ns_gmm_residual(float x, float mean, float alpha) { return (double)x - (double)alpha * mean; }

NS_HD double ns_gmm_logit(float log_weight, double squared_distance, double v, int64_t dim) {
    return (double)log_weight - 0.5 * squared_distance / v - 0.5 * (double)dim * log(NS_TWO_PI * v);
}

NS_HD double ns_gmm_output(double x0, double eps, int32_t type, float dalpha, float dsigma) {
    if (type == NS_PRED_VELOCITY) {
        return (double)dalpha * x0 + (double)dsigma * eps;
    }
    return type == NS_PRED_EPSILON ? eps : x0;
}

/* b_k of the derivation above: how component k's prediction moves with x. */
NS_HD double ns_gmm_slope(float alpha, float sigma, float s2, double v, float c_x0, float c_eps) {
    return ((double)c_x0 * alpha * s2 + (double)c_eps * sigma) / v;
}

#endif

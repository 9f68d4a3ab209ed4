/* Element math of the solver updates, guidance and prediction conversions (schedule x_t = alpha x0 + sigma eps,
 * velocity v = dalpha x0 + dsigma eps). Float throughout, in the order the Java reference repeats. */
#ifndef NS_SOLVER_CUH
#define NS_SOLVER_CUH

#include "ns_common.cuh"
#include "noisesearch.h"

typedef struct {
    float alpha, sigma, dalpha, dsigma;
} ns_coefficients;

NS_HD float ns_euler(float x, float v, float dt) { return x + dt * v; }

/* Trapezoidal rule with the two stage velocities; half_dt = dt * 0.5f. */
NS_HD float ns_heun(float x, float v1, float v2, float half_dt) { return x + half_dt * (v1 + v2); }

NS_HD float ns_cfg(float cond, float uncond, float scale) { return uncond + scale * (cond - uncond); }

NS_HD float ns_forward(float x, float z, float a, float s) { return a * x + s * z; }

/* (x0, eps) from x and a prediction of the given type. A velocity is inverted through the 2x2 system
 * x = alpha x0 + sigma eps, v = dalpha x0 + dsigma eps (Cramer's rule). */
NS_HD void ns_split_prediction(float x, float pred, int32_t type, ns_coefficients c, float *x0, float *eps) {
    if (type == NS_PRED_VELOCITY) {
        const float det = c.alpha * c.dsigma - c.sigma * c.dalpha;
        *x0 = (c.dsigma * x - c.sigma * pred) / det;
        *eps = (c.alpha * pred - c.dalpha * x) / det;
    } else if (type == NS_PRED_EPSILON) {
        *eps = pred;
        *x0 = (x - c.sigma * pred) / c.alpha;
    } else {
        *x0 = pred;
        *eps = (x - c.alpha * pred) / c.sigma;
    }
}

NS_HD float ns_join_prediction(float x0, float eps, int32_t type, ns_coefficients c) {
    if (type == NS_PRED_VELOCITY) {
        return c.dalpha * x0 + c.dsigma * eps;
    }
    return type == NS_PRED_EPSILON ? eps : x0;
}

/* Same type in and out returns the prediction untouched rather than a rounded round trip. */
NS_HD float ns_convert(float x, float pred, int32_t from, int32_t to, ns_coefficients c) {
    if (from == to) {
        return pred;
    }
    float x0, eps;
    ns_split_prediction(x, pred, from, c, &x0, &eps);
    return ns_join_prediction(x0, eps, to, c);
}

/* DDIM with eta = 0: re-noise the predicted (x0, eps) at the next time. */
NS_HD float ns_ddim(float x, float pred, int32_t type, ns_coefficients now, float alpha_next, float sigma_next) {
    float x0, eps;
    ns_split_prediction(x, pred, type, now, &x0, &eps);
    return alpha_next * x0 + sigma_next * eps;
}

NS_HD int ns_valid_prediction(int32_t type) {
    return type == NS_PRED_VELOCITY || type == NS_PRED_EPSILON || type == NS_PRED_X0;
}

#endif

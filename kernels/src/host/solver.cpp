/* Solver updates, guidance and prediction conversions: element math from ns_solver.cuh, one map each. */
#include "elementwise.hpp"
#include "ns_solver.cuh"

extern "C" int ns_euler_step(ns_stream stream, const float *x, const float *v, float *out, int64_t n, float dt) {
    return ns_map(stream, n, [dt](float xi, float vi) { return ns_euler(xi, vi, dt); }, out, x, v);
}

extern "C" int ns_heun_step(ns_stream stream, const float *x, const float *v1, const float *v2, float *out,
                            int64_t n, float dt) {
    const float half_dt = dt * 0.5f;
    return ns_map(stream, n, [half_dt](float xi, float a, float b) { return ns_heun(xi, a, b, half_dt); }, out, x,
                  v1, v2);
}

extern "C" int ns_cfg_combine(ns_stream stream, const float *cond, const float *uncond, float *out, int64_t n,
                              float scale) {
    return ns_map(stream, n, [scale](float c, float u) { return ns_cfg(c, u, scale); }, out, cond, uncond);
}

extern "C" int ns_ddim_step(ns_stream stream, const float *x, const float *pred, float *out, int64_t n,
                            int32_t pred_type, float alpha, float sigma, float dalpha, float dsigma, float alpha_next,
                            float sigma_next) {
    if (!ns_valid_prediction(pred_type)) {
        return NS_ERR_ARGUMENT;
    }
    const ns_coefficients now = {alpha, sigma, dalpha, dsigma};
    return ns_map(
        stream, n,
        [=](float xi, float pi) { return ns_ddim(xi, pi, pred_type, now, alpha_next, sigma_next); }, out, x, pred);
}

extern "C" int ns_convert_prediction(ns_stream stream, const float *x, const float *pred, float *out, int64_t n,
                                     int32_t from_type, int32_t to_type, float alpha, float sigma, float dalpha,
                                     float dsigma) {
    if (!ns_valid_prediction(from_type) || !ns_valid_prediction(to_type)) {
        return NS_ERR_ARGUMENT;
    }
    const ns_coefficients at = {alpha, sigma, dalpha, dsigma};
    return ns_map(
        stream, n, [=](float xi, float pi) { return ns_convert(xi, pi, from_type, to_type, at); }, out, x, pred);
}

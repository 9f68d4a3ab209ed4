/* Solver updates, guidance and prediction conversions: element math from ns_solver.cuh, one map each. */
#include "ns_cuda.cuh"
#include "ns_solver.cuh"

extern "C" int ns_euler_step(ns_stream stream, const float *x, const float *v, float *out, int64_t n, float dt) {
    return ns_for_each(stream, n, [=] __device__(int64_t i) { out[i] = ns_euler(x[i], v[i], dt); });
}

extern "C" int ns_heun_step(ns_stream stream, const float *x, const float *v1, const float *v2, float *out,
                            int64_t n, float dt) {
    const float half_dt = dt * 0.5f;
    return ns_for_each(stream, n, [=] __device__(int64_t i) { out[i] = ns_heun(x[i], v1[i], v2[i], half_dt); });
}

extern "C" int ns_cfg_combine(ns_stream stream, const float *cond, const float *uncond, float *out, int64_t n,
                              float scale) {
    return ns_for_each(stream, n, [=] __device__(int64_t i) { out[i] = ns_cfg(cond[i], uncond[i], scale); });
}

extern "C" int ns_ddim_step(ns_stream stream, const float *x, const float *pred, float *out, int64_t n,
                            int32_t pred_type, float alpha, float sigma, float dalpha, float dsigma, float alpha_next,
                            float sigma_next) {
    if (!ns_valid_prediction(pred_type)) {
        return NS_ERR_ARGUMENT;
    }
    const ns_coefficients now = {alpha, sigma, dalpha, dsigma};
    return ns_for_each(stream, n, [=] __device__(int64_t i) {
        out[i] = ns_ddim(x[i], pred[i], pred_type, now, alpha_next, sigma_next);
    });
}

extern "C" int ns_convert_prediction(ns_stream stream, const float *x, const float *pred, float *out, int64_t n,
                                     int32_t from_type, int32_t to_type, float alpha, float sigma, float dalpha,
                                     float dsigma) {
    if (!ns_valid_prediction(from_type) || !ns_valid_prediction(to_type)) {
        return NS_ERR_ARGUMENT;
    }
    const ns_coefficients at = {alpha, sigma, dalpha, dsigma};
    return ns_for_each(stream, n,
                       [=] __device__(int64_t i) { out[i] = ns_convert(x[i], pred[i], from_type, to_type, at); });
}

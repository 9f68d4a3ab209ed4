/* The exact Gaussian mixture: one block per row; the per-component state of the row lives in shared memory
 * (NS_MAX_COMPONENTS doubles each). */
#include <math.h>
#include "ns_cuda.cuh"
#include "ns_mixture.cuh"

namespace {

struct Mixture {
    const float *means;
    const float *variances;
    const float *log_weights;  // the label's row
    int64_t components;
    int64_t dim;
};

__shared__ double logit[NS_MAX_COMPONENTS];

/* Fills logit[] for row x and returns (to every thread) the largest logit and the partition sum. */
__device__ void posterior(const Mixture &m, const float *x, float alpha, float sigma, double *largest, double *sum) {
    for (int64_t k = 0; k < m.components; ++k) {
        const bool member = m.log_weights[k] != -INFINITY;
        double d2 = 0.0;
        for (int64_t i = threadIdx.x; member && i < m.dim; i += blockDim.x) {
            const double e = ns_gmm_residual(x[i], m.means[k * m.dim + i], alpha);
            d2 += e * e;
        }
        d2 = ns_block_sum(d2);
        if (threadIdx.x == 0) {
            logit[k] = member ? ns_gmm_logit(m.log_weights[k], d2, ns_gmm_variance(alpha, sigma, m.variances[k]), m.dim)
                              : -INFINITY;
        }
    }
    __syncthreads();
    double top = -INFINITY, total = 0.0;
    for (int64_t k = 0; k < m.components; ++k) {
        top = logit[k] > top ? logit[k] : top;
    }
    for (int64_t k = 0; k < m.components; ++k) {
        total += logit[k] == -INFINITY ? 0.0 : exp(logit[k] - top);
    }
    *largest = top;
    *sum = total;
}

__global__ void predict(Mixture m, const float *x, float *out, float alpha, float sigma, float dalpha, float dsigma,
                        int32_t type) {
    const float *xr = x + blockIdx.x * m.dim;
    double largest, sum;
    posterior(m, xr, alpha, sigma, &largest, &sum);
    for (int64_t i = threadIdx.x; i < m.dim; i += blockDim.x) {
        double x0 = 0.0, eps = 0.0;
        for (int64_t k = 0; k < m.components; ++k) {
            const double weight = logit[k] == -INFINITY ? 0.0 : exp(logit[k] - largest) / sum;
            if (weight == 0.0) {
                continue;
            }
            const double v = ns_gmm_variance(alpha, sigma, m.variances[k]);
            const float mean = m.means[k * m.dim + i];
            const double e = ns_gmm_residual(xr[i], mean, alpha);
            x0 += weight * ((double)mean + (double)alpha * m.variances[k] / v * e);
            eps += weight * ((double)sigma / v * e);
        }
        out[blockIdx.x * m.dim + i] = (float)ns_gmm_output(x0, eps, type, dalpha, dsigma);
    }
}

__global__ void log_density(Mixture m, const float *x, float *out) {
    double largest, sum;
    posterior(m, x + blockIdx.x * m.dim, 1.0f, 0.0f, &largest, &sum);
    if (threadIdx.x == 0) {
        out[blockIdx.x] = (float)(largest + log(sum));
    }
}

__shared__ double dot[NS_MAX_COMPONENTS];

/* J^T c of ns_mixture.cuh: the dots s_k reduced over the block, then each element. */
__global__ void vjp(Mixture m, const float *x, const float *c, float *out, float alpha, float sigma, float c_x0,
                    float c_eps) {
    const float *xr = x + blockIdx.x * m.dim;
    const float *cr = c + blockIdx.x * m.dim;
    double largest, sum;
    posterior(m, xr, alpha, sigma, &largest, &sum);
    for (int64_t k = 0; k < m.components; ++k) {
        const bool member = logit[k] != -INFINITY;
        const double v = ns_gmm_variance(alpha, sigma, m.variances[k]);
        const double b = ns_gmm_slope(alpha, sigma, m.variances[k], v, c_x0, c_eps);
        double partial = 0.0;
        for (int64_t i = threadIdx.x; member && i < m.dim; i += blockDim.x) {
            const float mean = m.means[k * m.dim + i];
            partial += ((double)c_x0 * mean + b * ns_gmm_residual(xr[i], mean, alpha)) * cr[i];
        }
        partial = ns_block_sum(partial);
        if (threadIdx.x == 0) {
            dot[k] = partial;
        }
    }
    __syncthreads();
    double slope_mean = 0.0, dot_mean = 0.0;
    for (int64_t k = 0; k < m.components; ++k) {
        const double weight = logit[k] == -INFINITY ? 0.0 : exp(logit[k] - largest) / sum;
        if (weight == 0.0) {
            continue;
        }
        const double v = ns_gmm_variance(alpha, sigma, m.variances[k]);
        slope_mean += weight * ns_gmm_slope(alpha, sigma, m.variances[k], v, c_x0, c_eps);
        dot_mean += weight * dot[k];
    }
    for (int64_t i = threadIdx.x; i < m.dim; i += blockDim.x) {
        double value = slope_mean * cr[i];
        for (int64_t k = 0; k < m.components; ++k) {
            const double weight = logit[k] == -INFINITY ? 0.0 : exp(logit[k] - largest) / sum;
            if (weight == 0.0) {
                continue;
            }
            const double v = ns_gmm_variance(alpha, sigma, m.variances[k]);
            value -= weight * (dot[k] - dot_mean) * ns_gmm_residual(xr[i], m.means[k * m.dim + i], alpha) / v;
        }
        out[blockIdx.x * m.dim + i] = (float)value;
    }
}

__global__ void score(Mixture m, const float *x, float *out, float alpha, float sigma) {
    const float *xr = x + blockIdx.x * m.dim;
    double largest, sum;
    posterior(m, xr, alpha, sigma, &largest, &sum);
    for (int64_t i = threadIdx.x; i < m.dim; i += blockDim.x) {
        double value = 0.0;
        for (int64_t k = 0; k < m.components; ++k) {
            const double weight = logit[k] == -INFINITY ? 0.0 : exp(logit[k] - largest) / sum;
            if (weight == 0.0) {
                continue;
            }
            const double v = ns_gmm_variance(alpha, sigma, m.variances[k]);
            value -= weight * ns_gmm_residual(xr[i], m.means[k * m.dim + i], alpha) / v;
        }
        out[blockIdx.x * m.dim + i] = (float)value;
    }
}

bool bad(const float *x, const void *out, int64_t rows, int64_t dim, const float *means, const float *variances,
         const float *log_weights, int64_t components, int32_t label) {
    return x == nullptr || out == nullptr || means == nullptr || variances == nullptr || log_weights == nullptr ||
           rows < 0 || rows > 0x7FFFFFFF || dim <= 0 || components <= 0 || components > NS_MAX_COMPONENTS || label < 0;
}

}  // namespace

extern "C" int ns_gmm_predict(ns_stream stream, const float *x, float *out, int64_t rows, int64_t dim,
                              const float *means, const float *variances, const float *log_weights,
                              int64_t components, int32_t label, float alpha, float sigma, float dalpha,
                              float dsigma, int32_t pred_type) {
    if (bad(x, out, rows, dim, means, variances, log_weights, components, label) ||
        !(pred_type >= NS_PRED_VELOCITY && pred_type <= NS_PRED_X0)) {
        return NS_ERR_ARGUMENT;
    }
    const Mixture m = {means, variances, log_weights + (int64_t)label * components, components, dim};
    if (rows > 0) {
        predict<<<(unsigned)rows, kThreads, 0, ns_cuda_stream(stream)>>>(m, x, out, alpha, sigma, dalpha, dsigma,
                                                                         pred_type);
    }
    return ns_launched();
}

extern "C" int ns_gmm_log_density(ns_stream stream, const float *x, float *out, int64_t rows, int64_t dim,
                                  const float *means, const float *variances, const float *log_weights,
                                  int64_t components, int32_t label) {
    if (bad(x, out, rows, dim, means, variances, log_weights, components, label)) {
        return NS_ERR_ARGUMENT;
    }
    const Mixture m = {means, variances, log_weights + (int64_t)label * components, components, dim};
    if (rows > 0) {
        log_density<<<(unsigned)rows, kThreads, 0, ns_cuda_stream(stream)>>>(m, x, out);
    }
    return ns_launched();
}

extern "C" int ns_gmm_vjp(ns_stream stream, const float *x, const float *cotangent, float *out, int64_t rows,
                          int64_t dim, const float *means, const float *variances, const float *log_weights,
                          int64_t components, int32_t label, float alpha, float sigma, float c_x0, float c_eps) {
    if (bad(x, out, rows, dim, means, variances, log_weights, components, label) || cotangent == nullptr) {
        return NS_ERR_ARGUMENT;
    }
    const Mixture m = {means, variances, log_weights + (int64_t)label * components, components, dim};
    if (rows > 0) {
        vjp<<<(unsigned)rows, kThreads, 0, ns_cuda_stream(stream)>>>(m, x, cotangent, out, alpha, sigma, c_x0, c_eps);
    }
    return ns_launched();
}

extern "C" int ns_gmm_score(ns_stream stream, const float *x, float *out, int64_t rows, int64_t dim,
                            const float *means, const float *variances, const float *log_weights,
                            int64_t components, int32_t label, float alpha, float sigma) {
    if (bad(x, out, rows, dim, means, variances, log_weights, components, label)) {
        return NS_ERR_ARGUMENT;
    }
    const Mixture m = {means, variances, log_weights + (int64_t)label * components, components, dim};
    if (rows > 0) {
        score<<<(unsigned)rows, kThreads, 0, ns_cuda_stream(stream)>>>(m, x, out, alpha, sigma);
    }
    return ns_launched();
}

/* The exact Gaussian mixture on the host: one thread per row; the per-component state of a row lives on the
 * stack (NS_MAX_COMPONENTS bounds it), so nothing is allocated. */
#include <math.h>
#include "ns_host.hpp"
#include "ns_mixture.cuh"

namespace {

struct Mixture {
    const float *means;
    const float *variances;
    const float *log_weights;  // the label's row
    int64_t components;
    int64_t dim;
};

int check(const float *x, const void *out, int64_t rows, int64_t dim, const float *means, const float *variances,
          const float *log_weights, int64_t components, int32_t label) {
    if (x == nullptr || out == nullptr || means == nullptr || variances == nullptr || log_weights == nullptr ||
        rows < 0 || dim <= 0 || components <= 0 || components > NS_MAX_COMPONENTS || label < 0) {
        return NS_ERR_ARGUMENT;
    }
    const float *row = log_weights + (int64_t)label * components;
    for (int64_t k = 0; k < components; ++k) {
        if (row[k] > -INFINITY) {
            return NS_OK;
        }
    }
    return NS_ERR_ARGUMENT;  // the label has no component: its density is zero everywhere
}

/* logit[k] of x at (alpha, sigma); components outside the label get -inf and are never touched again.
 * Returns the largest logit. */
double logits(const Mixture &m, const float *x, float alpha, float sigma, double *logit) {
    double largest = -INFINITY;
    for (int64_t k = 0; k < m.components; ++k) {
        logit[k] = -INFINITY;
        if (m.log_weights[k] == -INFINITY) {
            continue;
        }
        const float *mean = m.means + k * m.dim;
        double d2 = 0.0;
        for (int64_t i = 0; i < m.dim; ++i) {
            const double e = ns_gmm_residual(x[i], mean[i], alpha);
            d2 += e * e;
        }
        logit[k] = ns_gmm_logit(m.log_weights[k], d2, ns_gmm_variance(alpha, sigma, m.variances[k]), m.dim);
        largest = logit[k] > largest ? logit[k] : largest;
    }
    return largest;
}

/* sum_k exp(logit_k - largest), k in order. */
double partition(const Mixture &m, const double *logit, double largest) {
    double sum = 0.0;
    for (int64_t k = 0; k < m.components; ++k) {
        if (logit[k] != -INFINITY) {
            sum += exp(logit[k] - largest);
        }
    }
    return sum;
}

void predict_row(const Mixture &m, const float *x, float *out, float alpha, float sigma, float dalpha, float dsigma,
                 int32_t type) {
    double weight[NS_MAX_COMPONENTS], to_x0[NS_MAX_COMPONENTS], to_eps[NS_MAX_COMPONENTS];
    const double largest = logits(m, x, alpha, sigma, weight);
    const double sum = partition(m, weight, largest);
    for (int64_t k = 0; k < m.components; ++k) {
        weight[k] = weight[k] == -INFINITY ? 0.0 : exp(weight[k] - largest) / sum;
        const double v = ns_gmm_variance(alpha, sigma, m.variances[k]);
        to_x0[k] = (double)alpha * m.variances[k] / v;
        to_eps[k] = (double)sigma / v;
    }
    for (int64_t i = 0; i < m.dim; ++i) {
        double x0 = 0.0, eps = 0.0;
        for (int64_t k = 0; k < m.components; ++k) {
            if (weight[k] == 0.0) {
                continue;
            }
            const float mean = m.means[k * m.dim + i];
            const double e = ns_gmm_residual(x[i], mean, alpha);
            x0 += weight[k] * ((double)mean + to_x0[k] * e);
            eps += weight[k] * (to_eps[k] * e);
        }
        out[i] = (float)ns_gmm_output(x0, eps, type, dalpha, dsigma);
    }
}

/* Normalises logit[] in place into the responsibilities r_k (0 outside the label). */
void responsibilities(const Mixture &m, const float *x, float alpha, float sigma, double *weight) {
    const double largest = logits(m, x, alpha, sigma, weight);
    const double sum = partition(m, weight, largest);
    for (int64_t k = 0; k < m.components; ++k) {
        weight[k] = weight[k] == -INFINITY ? 0.0 : exp(weight[k] - largest) / sum;
    }
}

/* J^T c of ns_mixture.cuh: the dots s_k over the row, then each element. */
void vjp_row(const Mixture &m, const float *x, const float *c, float *out, float alpha, float sigma, float c_x0,
             float c_eps) {
    double weight[NS_MAX_COMPONENTS], dot[NS_MAX_COMPONENTS];
    responsibilities(m, x, alpha, sigma, weight);
    double slope_mean = 0.0, dot_mean = 0.0;
    for (int64_t k = 0; k < m.components; ++k) {
        dot[k] = 0.0;
        if (weight[k] == 0.0) {
            continue;
        }
        const double v = ns_gmm_variance(alpha, sigma, m.variances[k]);
        const double b = ns_gmm_slope(alpha, sigma, m.variances[k], v, c_x0, c_eps);
        const float *mean = m.means + k * m.dim;
        for (int64_t i = 0; i < m.dim; ++i) {
            dot[k] += ((double)c_x0 * mean[i] + b * ns_gmm_residual(x[i], mean[i], alpha)) * c[i];
        }
        slope_mean += weight[k] * b;
        dot_mean += weight[k] * dot[k];
    }
    for (int64_t i = 0; i < m.dim; ++i) {
        double value = slope_mean * c[i];
        for (int64_t k = 0; k < m.components; ++k) {
            if (weight[k] == 0.0) {
                continue;
            }
            const double v = ns_gmm_variance(alpha, sigma, m.variances[k]);
            value -= weight[k] * (dot[k] - dot_mean) * ns_gmm_residual(x[i], m.means[k * m.dim + i], alpha) / v;
        }
        out[i] = (float)value;
    }
}

void score_row(const Mixture &m, const float *x, float *out, float alpha, float sigma) {
    double weight[NS_MAX_COMPONENTS];
    responsibilities(m, x, alpha, sigma, weight);
    for (int64_t i = 0; i < m.dim; ++i) {
        double value = 0.0;
        for (int64_t k = 0; k < m.components; ++k) {
            if (weight[k] == 0.0) {
                continue;
            }
            const double v = ns_gmm_variance(alpha, sigma, m.variances[k]);
            value -= weight[k] * ns_gmm_residual(x[i], m.means[k * m.dim + i], alpha) / v;
        }
        out[i] = (float)value;
    }
}

}  // namespace

extern "C" int ns_gmm_predict(ns_stream stream, const float *x, float *out, int64_t rows, int64_t dim,
                              const float *means, const float *variances, const float *log_weights,
                              int64_t components, int32_t label, float alpha, float sigma, float dalpha,
                              float dsigma, int32_t pred_type) {
    const int status = check(x, out, rows, dim, means, variances, log_weights, components, label);
    if (status != NS_OK || !(pred_type >= NS_PRED_VELOCITY && pred_type <= NS_PRED_X0)) {
        return NS_ERR_ARGUMENT;
    }
    const Mixture m = {means, variances, log_weights + (int64_t)label * components, components, dim};
    ns_parallel_rows(stream, rows, rows * dim * components, [&](int64_t r) {
        predict_row(m, x + r * dim, out + r * dim, alpha, sigma, dalpha, dsigma, pred_type);
    });
    return NS_OK;
}

extern "C" int ns_gmm_log_density(ns_stream stream, const float *x, float *out, int64_t rows, int64_t dim,
                                  const float *means, const float *variances, const float *log_weights,
                                  int64_t components, int32_t label) {
    const int status = check(x, out, rows, dim, means, variances, log_weights, components, label);
    if (status != NS_OK) {
        return status;
    }
    const Mixture m = {means, variances, log_weights + (int64_t)label * components, components, dim};
    ns_parallel_rows(stream, rows, rows * dim * components, [&](int64_t r) {
        double logit[NS_MAX_COMPONENTS];
        const double largest = logits(m, x + r * dim, 1.0f, 0.0f, logit);
        out[r] = (float)(largest + log(partition(m, logit, largest)));
    });
    return NS_OK;
}

extern "C" int ns_gmm_vjp(ns_stream stream, const float *x, const float *cotangent, float *out, int64_t rows,
                          int64_t dim, const float *means, const float *variances, const float *log_weights,
                          int64_t components, int32_t label, float alpha, float sigma, float c_x0, float c_eps) {
    const int status = check(x, out, rows, dim, means, variances, log_weights, components, label);
    if (status != NS_OK || cotangent == nullptr) {
        return NS_ERR_ARGUMENT;
    }
    const Mixture m = {means, variances, log_weights + (int64_t)label * components, components, dim};
    ns_parallel_rows(stream, rows, 3 * rows * dim * components, [&](int64_t r) {
        vjp_row(m, x + r * dim, cotangent + r * dim, out + r * dim, alpha, sigma, c_x0, c_eps);
    });
    return NS_OK;
}

extern "C" int ns_gmm_score(ns_stream stream, const float *x, float *out, int64_t rows, int64_t dim,
                            const float *means, const float *variances, const float *log_weights,
                            int64_t components, int32_t label, float alpha, float sigma) {
    const int status = check(x, out, rows, dim, means, variances, log_weights, components, label);
    if (status != NS_OK) {
        return status;
    }
    const Mixture m = {means, variances, log_weights + (int64_t)label * components, components, dim};
    ns_parallel_rows(stream, rows, 2 * rows * dim * components, [&](int64_t r) {
        score_row(m, x + r * dim, out + r * dim, alpha, sigma);
    });
    return NS_OK;
}

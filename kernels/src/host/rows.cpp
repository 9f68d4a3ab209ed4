/* Per-row kernels: gather, reductions and zero-order neighbours. One thread per row, each sum in double in
 * index order (the header's contract), so the Java reference reproduces every bit. */
#include <math.h>
#include <string.h>
#include "ns_host.hpp"
#include "ns_rows.cuh"

namespace {

double dot(const float *a, const float *b, int64_t dim) {
    double sum = 0.0;
    for (int64_t i = 0; i < dim; ++i) {
        sum += (double)a[i] * (double)b[i];
    }
    return sum;
}

bool bad_rows(const void *a, const void *b, int64_t rows, int64_t dim) {
    return rows < 0 || dim <= 0 || (rows > 0 && (a == nullptr || b == nullptr));
}

}  // namespace

extern "C" int ns_gather_rows(ns_stream stream, const float *in, const int32_t *indices, float *out, int64_t rows,
                              int64_t dim) {
    if (bad_rows(in, out, rows, dim) || (rows > 0 && indices == nullptr)) {
        return NS_ERR_ARGUMENT;
    }
    for (int64_t r = 0; r < rows; ++r) {
        if (indices[r] < 0) {
            return NS_ERR_ARGUMENT;
        }
    }
    ns_parallel_rows(stream, rows, rows * dim, [=](int64_t r) {
        memcpy(out + r * dim, in + (int64_t)indices[r] * dim, (size_t)dim * sizeof(float));
    });
    return NS_OK;
}

extern "C" int ns_row_dot(ns_stream stream, const float *a, const float *b, float *out, int64_t rows, int64_t dim) {
    if (bad_rows(a, b, rows, dim) || (rows > 0 && out == nullptr)) {
        return NS_ERR_ARGUMENT;
    }
    ns_parallel_rows(stream, rows, rows * dim, [=](int64_t r) { out[r] = (float)dot(a + r * dim, b + r * dim, dim); });
    return NS_OK;
}

extern "C" int ns_row_norm(ns_stream stream, const float *a, float *out, int64_t rows, int64_t dim) {
    if (bad_rows(a, out, rows, dim)) {
        return NS_ERR_ARGUMENT;
    }
    ns_parallel_rows(stream, rows, rows * dim, [=](int64_t r) { out[r] = (float)sqrt(dot(a + r * dim, a + r * dim, dim)); });
    return NS_OK;
}

extern "C" int ns_row_cosine(ns_stream stream, const float *a, const float *b, float *out, int64_t rows,
                             int64_t dim) {
    if (bad_rows(a, b, rows, dim) || (rows > 0 && out == nullptr)) {
        return NS_ERR_ARGUMENT;
    }
    ns_parallel_rows(stream, rows, rows * dim, [=](int64_t r) {
        const float *ar = a + r * dim;
        const float *br = b + r * dim;
        out[r] = ns_cosine(dot(ar, br, dim), dot(ar, ar, dim), dot(br, br, dim));
    });
    return NS_OK;
}

extern "C" int ns_zero_order_neighbours(ns_stream stream, const float *pivot, const float *directions, float *out,
                                        int64_t rows, int64_t dim, float cosine) {
    if (bad_rows(directions, out, rows, dim) || pivot == nullptr || !(cosine >= -1.0f && cosine <= 1.0f)) {
        return NS_ERR_ARGUMENT;
    }
    const double nn = dot(pivot, pivot, dim);
    ns_parallel_rows(stream, rows, rows * dim, [=](int64_t r) {
        const float *d = directions + r * dim;
        const double proj = ns_projection(dot(d, pivot, dim), nn);
        double ww = 0.0;
        for (int64_t i = 0; i < dim; ++i) {
            const double w = ns_orthogonal_part(d[i], pivot[i], proj);
            ww += w * w;
        }
        const double k = ns_orthogonal_scale(cosine, nn, ww);
        float *y = out + r * dim;
        for (int64_t i = 0; i < dim; ++i) {
            y[i] = ns_neighbour(d[i], pivot[i], proj, cosine, k);
        }
    });
    return NS_OK;
}

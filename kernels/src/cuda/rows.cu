/* Per-row kernels: gather (grid-stride over elements) and reductions (one block per row). */
#include "ns_cuda.cuh"
#include "ns_rows.cuh"

namespace {

__device__ double block_dot(const float *a, const float *b, int64_t dim) {
    double sum = 0.0;
    for (int64_t i = threadIdx.x; i < dim; i += blockDim.x) {
        sum += (double)a[i] * (double)b[i];
    }
    return ns_block_sum(sum);
}

/* kind 0: dot, 1: norm, 2: cosine. */
__global__ void reduce_rows(const float *a, const float *b, float *out, int64_t dim, int kind) {
    const float *ar = a + blockIdx.x * dim;
    const float *br = b + blockIdx.x * dim;
    const double ab = block_dot(ar, br, dim);
    const double aa = kind == 0 ? 0.0 : block_dot(ar, ar, dim);
    const double bb = kind == 2 ? block_dot(br, br, dim) : 0.0;
    if (threadIdx.x == 0) {
        out[blockIdx.x] = kind == 0 ? (float)ab : kind == 1 ? (float)sqrt(aa) : ns_cosine(ab, aa, bb);
    }
}

__global__ void neighbours(const float *pivot, const float *directions, float *out, int64_t dim, double cosine) {
    const float *d = directions + blockIdx.x * dim;
    float *y = out + blockIdx.x * dim;
    const double nn = block_dot(pivot, pivot, dim);
    const double proj = ns_projection(block_dot(d, pivot, dim), nn);
    double ww = 0.0;
    for (int64_t i = threadIdx.x; i < dim; i += blockDim.x) {
        const double w = ns_orthogonal_part(d[i], pivot[i], proj);
        ww += w * w;
    }
    const double k = ns_orthogonal_scale(cosine, nn, ns_block_sum(ww));
    for (int64_t i = threadIdx.x; i < dim; i += blockDim.x) {
        y[i] = ns_neighbour(d[i], pivot[i], proj, cosine, k);
    }
}

int reduce(ns_stream stream, const float *a, const float *b, float *out, int64_t rows, int64_t dim, int kind) {
    if (rows < 0 || dim <= 0 || rows > 0x7FFFFFFF || (rows > 0 && (a == nullptr || b == nullptr || out == nullptr))) {
        return NS_ERR_ARGUMENT;
    }
    if (rows > 0) {
        reduce_rows<<<(unsigned)rows, kThreads, 0, ns_cuda_stream(stream)>>>(a, b, out, dim, kind);
    }
    return ns_launched();
}

}  // namespace

/* Indices are device memory here, validated by the caller (the Java bindings); a negative one copies nothing. */
extern "C" int ns_gather_rows(ns_stream stream, const float *in, const int32_t *indices, float *out, int64_t rows,
                              int64_t dim) {
    if (rows < 0 || dim <= 0 || (rows > 0 && (in == nullptr || indices == nullptr || out == nullptr))) {
        return NS_ERR_ARGUMENT;
    }
    return ns_for_each(stream, rows * dim, [=] __device__(int64_t i) {
        const int64_t source = indices[i / dim];
        if (source >= 0) {
            out[i] = in[source * dim + i % dim];
        }
    });
}

extern "C" int ns_row_dot(ns_stream stream, const float *a, const float *b, float *out, int64_t rows, int64_t dim) {
    return reduce(stream, a, b, out, rows, dim, 0);
}

extern "C" int ns_row_norm(ns_stream stream, const float *a, float *out, int64_t rows, int64_t dim) {
    return reduce(stream, a, a, out, rows, dim, 1);
}

extern "C" int ns_row_cosine(ns_stream stream, const float *a, const float *b, float *out, int64_t rows,
                             int64_t dim) {
    return reduce(stream, a, b, out, rows, dim, 2);
}

extern "C" int ns_zero_order_neighbours(ns_stream stream, const float *pivot, const float *directions, float *out,
                                        int64_t rows, int64_t dim, float cosine) {
    if (rows < 0 || dim <= 0 || rows > 0x7FFFFFFF || pivot == nullptr || !(cosine >= -1.0f && cosine <= 1.0f) ||
        (rows > 0 && (directions == nullptr || out == nullptr))) {
        return NS_ERR_ARGUMENT;
    }
    if (rows > 0) {
        neighbours<<<(unsigned)rows, kThreads, 0, ns_cuda_stream(stream)>>>(pivot, directions, out, dim, cosine);
    }
    return ns_launched();
}

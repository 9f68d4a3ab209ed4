/* Gaussian noise and forward noising: one thread per Philox block of a row (4 elements). */
#include "ns_cuda.cuh"
#include "ns_gaussian.cuh"
#include "ns_philox.cuh"
#include "ns_solver.cuh"

namespace {

int noise_rows(ns_stream stream, float *x, int64_t rows, int64_t dim, uint64_t seed, uint64_t first_key,
               bool forward, float a, float s) {
    if (x == nullptr || rows < 0 || dim <= 0) {
        return NS_ERR_ARGUMENT;
    }
    const int64_t blocks = (dim + 3) / 4;
    return ns_for_each(stream, rows * blocks, [=] __device__(int64_t item) {
        const int64_t r = item / blocks;
        const int64_t g = item % blocks;
        const ns_u32x4 c = ns_noise_words(seed, first_key + (uint64_t)r, (uint64_t)g);
        const uint32_t words[4] = {c.w0, c.w1, c.w2, c.w3};
        float *row = x + r * dim;
        for (int64_t j = 0; j < 4 && 4 * g + j < dim; ++j) {
            const float z = ns_gaussian_from_bits(words[j]);
            row[4 * g + j] = forward ? ns_forward(row[4 * g + j], z, a, s) : z;
        }
    });
}

}  // namespace

extern "C" int ns_philox4x32_10(ns_stream stream, const uint32_t *counters, const uint32_t *keys, uint32_t *out,
                                int64_t blocks) {
    if (blocks > 0 && (counters == nullptr || keys == nullptr || out == nullptr)) {
        return NS_ERR_ARGUMENT;
    }
    return ns_for_each(stream, blocks, [=] __device__(int64_t b) {
        const ns_u32x4 c = {counters[4 * b], counters[4 * b + 1], counters[4 * b + 2], counters[4 * b + 3]};
        const ns_u32x4 o = ns_philox4x32_10(c, keys[2 * b], keys[2 * b + 1]);
        out[4 * b] = o.w0;
        out[4 * b + 1] = o.w1;
        out[4 * b + 2] = o.w2;
        out[4 * b + 3] = o.w3;
    });
}

extern "C" int ns_gaussian_noise(ns_stream stream, float *out, int64_t rows, int64_t dim, uint64_t seed,
                                 uint64_t first_key) {
    return noise_rows(stream, out, rows, dim, seed, first_key, false, 0.0f, 0.0f);
}

extern "C" int ns_forward_noise(ns_stream stream, float *x, int64_t rows, int64_t dim, uint64_t seed,
                                uint64_t first_key, float a, float s) {
    return noise_rows(stream, x, rows, dim, seed, first_key, true, a, s);
}

/* Gaussian noise and forward noising on the host: Philox blocks and the transform of ns_gaussian.cuh, 16
 * blocks (64 elements) at a time so both vectorize across blocks. */
#include <string.h>
#include "ns_gaussian.cuh"
#include "ns_host.hpp"
#include "ns_philox.cuh"
#include "ns_solver.cuh"

namespace {

constexpr int64_t kChunkBlocks = 16;
constexpr int64_t kChunk = 4 * kChunkBlocks;
/* Work items of at most this many elements, so a few long rows still spread over all threads. */
constexpr int64_t kSpan = 16384;

/* z[4j + c] = gaussian(word c of block g0 + j), 16 blocks at a time: vectorized across blocks for Philox, then
 * across elements for the transform. */
inline void noise_chunk(float *z, uint64_t seed, uint64_t key, uint64_t g0) {
    uint32_t words[kChunk];
#pragma omp simd
    for (int64_t j = 0; j < kChunkBlocks; ++j) {
        const ns_u32x4 c = ns_noise_words(seed, key, g0 + j);
        words[4 * j] = c.w0;
        words[4 * j + 1] = c.w1;
        words[4 * j + 2] = c.w2;
        words[4 * j + 3] = c.w3;
    }
#pragma omp simd
    for (int64_t e = 0; e < kChunk; ++e) {
        z[e] = ns_gaussian_from_bits(words[e]);
    }
}

/* The last, partial chunk of a row, block by block; a partial last block writes only its first words. */
inline void noise_tail(float *z, uint64_t seed, uint64_t key, uint64_t g0, int64_t count) {
    for (int64_t e = 0; e < count; e += 4) {
        const ns_u32x4 c = ns_noise_words(seed, key, g0 + (uint64_t)e / 4);
        const uint32_t words[4] = {c.w0, c.w1, c.w2, c.w3};
        for (int64_t w = 0; w < 4 && e + w < count; ++w) {
            z[e + w] = ns_gaussian_from_bits(words[w]);
        }
    }
}

/* Elements [begin, end) of one candidate's row; begin is a multiple of 4. Plain noise goes straight into the
 * row; forward noising (row = a row + s z) goes through a chunk buffer. */
NS_CLONES void noise_span(float *row, uint64_t seed, uint64_t key, int64_t begin, int64_t end, bool forward,
                          float a, float s) {
    float buffer[kChunk];
    for (int64_t i = begin; i < end; i += kChunk) {
        const int64_t count = end - i < kChunk ? end - i : kChunk;
        float *z = forward ? buffer : row + i;
        if (count == kChunk) {
            noise_chunk(z, seed, key, (uint64_t)i / 4);
        } else {
            noise_tail(z, seed, key, (uint64_t)i / 4, count);
        }
        if (forward) {
#pragma omp simd
            for (int64_t e = 0; e < count; ++e) {
                row[i + e] = ns_forward(row[i + e], z[e], a, s);
            }
        }
    }
}

int noise_rows(ns_stream stream, float *x, int64_t rows, int64_t dim, uint64_t seed, uint64_t first_key,
               bool forward, float a, float s) {
    if (x == nullptr || rows < 0 || dim <= 0) {
        return NS_ERR_ARGUMENT;
    }
    const int64_t spans = (dim + kSpan - 1) / kSpan;
#pragma omp parallel for schedule(static) num_threads(ns_team(stream, rows * dim))
    for (int64_t item = 0; item < rows * spans; ++item) {
        const int64_t r = item / spans;
        const int64_t begin = item % spans * kSpan;
        const int64_t end = begin + kSpan < dim ? begin + kSpan : dim;
        noise_span(x + r * dim, seed, first_key + (uint64_t)r, begin, end, forward, a, s);
    }
    return NS_OK;
}

}  // namespace

extern "C" int ns_philox4x32_10(ns_stream, const uint32_t *counters, const uint32_t *keys, uint32_t *out,
                                int64_t blocks) {
    if (blocks < 0 || (blocks > 0 && (counters == nullptr || keys == nullptr || out == nullptr))) {
        return NS_ERR_ARGUMENT;
    }
    for (int64_t b = 0; b < blocks; ++b) {
        const ns_u32x4 c = {counters[4 * b], counters[4 * b + 1], counters[4 * b + 2], counters[4 * b + 3]};
        const ns_u32x4 o = ns_philox4x32_10(c, keys[2 * b], keys[2 * b + 1]);
        const uint32_t words[4] = {o.w0, o.w1, o.w2, o.w3};
        memcpy(out + 4 * b, words, sizeof words);
    }
    return NS_OK;
}

extern "C" int ns_gaussian_noise(ns_stream stream, float *out, int64_t rows, int64_t dim, uint64_t seed,
                                 uint64_t first_key) {
    return noise_rows(stream, out, rows, dim, seed, first_key, false, 0.0f, 0.0f);
}

extern "C" int ns_forward_noise(ns_stream stream, float *x, int64_t rows, int64_t dim, uint64_t seed,
                                uint64_t first_key, float a, float s) {
    return noise_rows(stream, x, rows, dim, seed, first_key, true, a, s);
}

/* Gaussian noise and forward noising: each lane turns Philox blocks (4 elements) of the rows into noise, and a
 * warp evaluates the transform's costly tail branch together, once per 32 tail words rather than per lane. */
#include "ns_cuda.cuh"
#include "ns_gaussian.cuh"
#include "ns_philox.cuh"
#include "ns_solver.cuh"

namespace {

constexpr int kWarpSize = 32;
constexpr int kWarps = kThreads / kWarpSize;
/* Philox blocks per lane between two tail rounds. A round takes ceil(T / 32) passes for T tail words (15% of
 * the words): with 2 blocks (T about 38 of 256) the passes are fuller than with 1 (T about 19 of 128). */
#ifndef NS_NOISE_LANE_BLOCKS
#define NS_NOISE_LANE_BLOCKS 2 /* 3 takes 96-114 registers in forward noise: fewer blocks per SM */
#endif
constexpr int kLaneBlocks = NS_NOISE_LANE_BLOCKS;
constexpr int kWarpBlocks = kLaneBlocks * kWarpSize;
constexpr int kWarpWords = 4 * kWarpBlocks;

/* A step of n items (Philox blocks in row-major order) as whole rows plus blocks, blocks < blocks per row, so
 * that lanes walk (row, block) by additions instead of a 64-bit division per item. */
struct Step {
    int64_t rows, blocks;
};

struct NoiseArgs {
    float *x;
    int64_t items; /* rows * blocks */
    int64_t blocks; /* Philox blocks per row */
    int64_t dim;
    uint64_t seed, first_key;
    float a, s;
    int64_t stride; /* items from one round of a warp to its next */
    Step stride_step; /* the stride */
    Step lane_step; /* 32 items: from one of a lane's blocks to its next within a round */
};

struct Position {
    int64_t row, block;
};

__device__ __forceinline__ Position advance(Position p, Step step, int64_t blocks) {
    p.row += step.rows;
    p.block += step.blocks;
    if (p.block >= blocks) {
        p.block -= blocks;
        ++p.row;
    }
    return p;
}

/* Shared memory through 32-bit addresses computed once: left to itself, ptxas rebuilds a queue's address
 * (S2R of the CTA id and 4 more instructions) at every access of the kernel's main loop. */
__device__ __forceinline__ uint32_t shared_address(const void *p) {
    uint32_t address;
    asm volatile("{ .reg .u64 a; cvta.to.shared.u64 a, %1; cvt.u32.u64 %0, a; }" : "=r"(address) : "l"(p));
    return address;
}

__device__ __forceinline__ void store_shared(uint32_t address, float value) {
    asm volatile("st.shared.f32 [%0], %1;" ::"r"(address), "f"(value) : "memory");
}

__device__ __forceinline__ void store_shared(uint32_t address, ns_ratio value) {
    asm volatile("st.shared.v2.f32 [%0], {%1, %2};" ::"r"(address), "f"(value.num), "f"(value.den) : "memory");
}

__device__ __forceinline__ float2 load_shared(uint32_t address) {
    float2 value;
    asm volatile("ld.shared.v2.f32 {%0, %1}, [%2];" : "=f"(value.x), "=f"(value.y) : "r"(address) : "memory");
    return value;
}

/* One round: lane l of the warp takes items base + 32 i + l (i < kLaneBlocks), so a warp's loads and stores
 * cover contiguous memory. The central ratio is computed for every word; the tail words' p go to the warp's
 * queue in shared memory, the warp computes their tail ratios 32 at a time, and each lane divides the ratio of
 * its words' branch: the same operations per element as ns_gaussian_from_bits. kVector: dim % 4 == 0 and x
 * 16-byte aligned, so block g of row r is the float4 at item r * blocks + g. */
template <bool kForward, bool kVector>
__global__ void __launch_bounds__(kThreads) noise_kernel(NoiseArgs args) {
    /* The warp's tail queue: p of a tail word in .x, then its tail ratio. */
    __shared__ float2 queues[kWarps][kWarpWords];
    const int lane = threadIdx.x % kWarpSize;
    const int warp = threadIdx.x / kWarpSize;
    const uint32_t queue = shared_address(queues[warp]);

    const int64_t first = (blockIdx.x * (int64_t)kWarps + warp) * kWarpBlocks;
    /* The lane's first item is below 2^32 (a grid of at most 4096 blocks): one 32-bit division per thread. */
    const uint32_t item0 = (uint32_t)first + lane;
    Position start = {0, item0};
    if (args.blocks <= (int64_t)item0) {
        start.row = item0 / (uint32_t)args.blocks;
        start.block = item0 % (uint32_t)args.blocks;
    }

    for (int64_t base = first; base < args.items; base += args.stride) {
        uint32_t words[kLaneBlocks][4];
        float x_in[kLaneBlocks][4];
        float *out[kLaneBlocks];
        bool valid[kLaneBlocks][4];
        Position at = start;
        NS_UNROLL
        for (int i = 0; i < kLaneBlocks; ++i) {
            const int64_t item = base + i * kWarpSize + lane;
            const bool active = item < args.items;
            out[i] = kVector ? args.x + 4 * item : args.x + at.row * args.dim + 4 * at.block;
            NS_UNROLL
            for (int j = 0; j < 4; ++j) {
                valid[i][j] = active && (kVector || 4 * at.block + j < args.dim);
            }
            /* Loads first, so their latency hides behind the arithmetic. */
            if (kForward && kVector) {
                const float4 v = active ? *reinterpret_cast<const float4 *>(out[i]) : make_float4(0, 0, 0, 0);
                x_in[i][0] = v.x;
                x_in[i][1] = v.y;
                x_in[i][2] = v.z;
                x_in[i][3] = v.w;
            } else if (kForward) {
                NS_UNROLL
                for (int j = 0; j < 4; ++j) {
                    x_in[i][j] = valid[i][j] ? out[i][j] : 0.0f;
                }
            }
            const ns_u32x4 c = ns_noise_words(args.seed, args.first_key + (uint64_t)at.row, (uint64_t)at.block);
            words[i][0] = c.w0;
            words[i][1] = c.w1;
            words[i][2] = c.w2;
            words[i][3] = c.w3;
            at = advance(at, args.lane_step, args.blocks);
        }
        start = advance(start, args.stride_step, args.blocks);

        ns_ratio ratio[kLaneBlocks][4];
        bool tail[kLaneBlocks][4];
        int count = 0;
        NS_UNROLL
        for (int i = 0; i < kLaneBlocks; ++i) {
            NS_UNROLL
            for (int j = 0; j < 4; ++j) {
                ratio[i][j] = ns_gaussian_central_ratio(ns_gaussian_p(words[i][j]));
                tail[i][j] = valid[i][j] && !ns_gaussian_central(words[i][j]);
                count += tail[i][j];
            }
        }

        /* The lane's tail words take [offset, offset + count) of the queue, in word order: an exclusive prefix
         * sum over the lanes. */
        int offset = count;
        NS_UNROLL
        for (int d = 1; d < kWarpSize; d *= 2) {
            const int below = __shfl_up_sync(0xFFFFFFFFu, offset, d);
            offset += lane >= d ? below : 0;
        }
        const int total = __shfl_sync(0xFFFFFFFFu, offset, kWarpSize - 1);
        offset -= count;

        __syncwarp(); /* the previous round's reads of the queue are done */
        uint32_t entry = queue + 8 * offset;
        NS_UNROLL
        for (int i = 0; i < kLaneBlocks; ++i) {
            NS_UNROLL
            for (int j = 0; j < 4; ++j) {
                if (tail[i][j]) {
                    store_shared(entry, ns_gaussian_p(words[i][j]));
                    entry += 8;
                }
            }
        }
        __syncwarp();
#pragma unroll 1
        for (int k = lane; k < total; k += kWarpSize) {
            const ns_ratio t = ns_gaussian_tail_ratio(load_shared(queue + 8 * k).x);
            store_shared(queue + 8 * k, t);
        }
        __syncwarp();

        entry = queue + 8 * offset;
        NS_UNROLL
        for (int i = 0; i < kLaneBlocks; ++i) {
            float z[4];
            NS_UNROLL
            for (int j = 0; j < 4; ++j) {
                if (tail[i][j]) {
                    const float2 t = load_shared(entry);
                    entry += 8;
                    ratio[i][j].num = t.x;
                    ratio[i][j].den = t.y;
                }
                z[j] = ns_gaussian_finish(words[i][j], ratio[i][j]);
                if (kForward) {
                    z[j] = ns_forward(x_in[i][j], z[j], args.a, args.s);
                }
            }
            if (kVector) {
                if (valid[i][0]) {
                    *reinterpret_cast<float4 *>(out[i]) = make_float4(z[0], z[1], z[2], z[3]);
                }
            } else {
                NS_UNROLL
                for (int j = 0; j < 4; ++j) {
                    if (valid[i][j]) {
                        out[i][j] = z[j];
                    }
                }
            }
        }
    }
}

Step split(int64_t items, int64_t blocks) { return {items / blocks, items % blocks}; }

int noise_rows(ns_stream stream, float *x, int64_t rows, int64_t dim, uint64_t seed, uint64_t first_key,
               bool forward, float a, float s) {
    if (x == nullptr || rows < 0 || dim <= 0) {
        return NS_ERR_ARGUMENT;
    }
    const int64_t blocks = (dim + 3) / 4;
    const int64_t items = rows * blocks;
    if (items == 0) {
        return ns_launched();
    }
    const unsigned grid = ns_grid((items + kLaneBlocks - 1) / kLaneBlocks);
    const int64_t stride = (int64_t)grid * kThreads * kLaneBlocks;
    const NoiseArgs args = {x, items, blocks, dim, seed, first_key, a, s, stride, split(stride, blocks),
                            split(kWarpSize, blocks)};
    const bool vector = dim % 4 == 0 && reinterpret_cast<uintptr_t>(x) % 16 == 0;
    const cudaStream_t cuda = ns_cuda_stream(stream);
    if (forward) {
        if (vector) {
            noise_kernel<true, true><<<grid, kThreads, 0, cuda>>>(args);
        } else {
            noise_kernel<true, false><<<grid, kThreads, 0, cuda>>>(args);
        }
    } else if (vector) {
        noise_kernel<false, true><<<grid, kThreads, 0, cuda>>>(args);
    } else {
        noise_kernel<false, false><<<grid, kThreads, 0, cuda>>>(args);
    }
    return ns_launched();
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

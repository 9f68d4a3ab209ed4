/* What the CUDA translation units share: the stream handle, launch shapes and the per-row block reduction. */
#ifndef NS_CUDA_CUH
#define NS_CUDA_CUH

#include <cuda_runtime.h>
#include <stdint.h>
#include "noisesearch.h"

constexpr int kThreads = 256;

inline cudaStream_t ns_cuda_stream(ns_stream stream) { return static_cast<cudaStream_t>(stream); }

/* Keeps the message of a failed runtime call for ns_last_error (device.cu) and maps it to a status. */
int ns_cuda_status(cudaError_t status, const char *call);

/* A launch is asynchronous: only configuration errors are known here; execution errors surface at the next
 * synchronisation. */
inline int ns_launched() { return ns_cuda_status(cudaGetLastError(), "kernel launch"); }

/* Enough blocks to fill any current GPU; grid-stride loops cover the rest. */
inline unsigned ns_grid(int64_t n) {
    const int64_t blocks = (n + kThreads - 1) / kThreads;
    return (unsigned)(blocks < 1 ? 1 : (blocks > 4096 ? 4096 : blocks));
}

#define NS_GRID_STRIDE(i, n) \
    for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < (n); i += (int64_t)gridDim.x * blockDim.x)

template <class Op>
__global__ void ns_index_kernel(Op op, int64_t n) {
    NS_GRID_STRIDE(i, n) { op(i); }
}

/* op(i) for i in [0, n) on the stream. */
template <class Op>
int ns_for_each(ns_stream stream, int64_t n, Op op) {
    if (n < 0) {
        return NS_ERR_ARGUMENT;
    }
    if (n > 0) {
        ns_index_kernel<<<ns_grid(n), kThreads, 0, ns_cuda_stream(stream)>>>(op, n);
    }
    return ns_launched();
}

/* Sum of one value per thread of the block, in a shared-memory tree (not index order: rounding may differ from
 * the host's sequential sums). Every thread gets the total. */
__device__ inline double ns_block_sum(double value) {
    __shared__ double partial[kThreads];
    __syncthreads();
    partial[threadIdx.x] = value;
    __syncthreads();
    for (int width = kThreads / 2; width > 0; width /= 2) {
        if (threadIdx.x < width) {
            partial[threadIdx.x] += partial[threadIdx.x + width];
        }
        __syncthreads();
    }
    return partial[0];
}

#endif

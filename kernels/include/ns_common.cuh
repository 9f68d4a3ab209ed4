/*
 * Shared by the host (g++) and CUDA (nvcc) builds: the element math of every kernel is written once as NS_HD
 * functions, so both libraries and the Java reference (io.noisesearch.backend.JavaKernels) compute the same
 * IEEE operations in the same order. Neither build may use fast-math or contract a*b+c into an FMA
 * (g++ -ffp-contract=off, nvcc -fmad=false): that is what keeps the noise bit-identical across all three.
 */
#ifndef NS_COMMON_CUH
#define NS_COMMON_CUH

#include <stdint.h>

#ifdef __CUDACC__
#define NS_HD __host__ __device__ __forceinline__
#define NS_UNROLL _Pragma("unroll")
#else
#include <string.h>
#define NS_HD static inline __attribute__((always_inline))
#define NS_UNROLL _Pragma("GCC unroll 16")
#endif

NS_HD float ns_bits_as_float(uint32_t bits) {
#ifdef __CUDA_ARCH__
    return __uint_as_float(bits);
#else
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
#endif
}

NS_HD uint32_t ns_float_as_bits(float f) {
#ifdef __CUDA_ARCH__
    return __float_as_uint(f);
#else
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    return bits;
#endif
}

/* cond ? a : b through a bit mask. Both operands stay live, so the compiler cannot sink either computation
 * into a branch (which, under IEEE trapping semantics, it may then not turn back into a vector blend). */
NS_HD float ns_select(int cond, float a, float b) {
    const uint32_t mask = 0u - (uint32_t)(cond != 0);
    return ns_bits_as_float((ns_float_as_bits(a) & mask) | (ns_float_as_bits(b) & ~mask));
}

#endif

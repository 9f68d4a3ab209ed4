/* IEEE 754 binary16 <-> binary32 on the bits, so the host and CUDA builds give the same halves (no f16 hardware
 * conversion, whose NaN handling differs between instruction sets). binary16: sign 1, exponent 5 (bias 15),
 * significand 10 bits; binary32: sign 1, exponent 8 (bias 127), significand 23 bits. Narrowing rounds to nearest,
 * ties to even, with subnormal results and overflow to infinity; a NaN stays a NaN, made quiet, with the top bits of
 * its payload. Widening is exact. The Java reference is Float.floatToFloat16 / Float.float16ToFloat: the same
 * values, and a NaN for a NaN (the JDK's NaN bits may differ: it keeps other payload bits, and may not quiet). */
#ifndef NS_HALF_CUH
#define NS_HALF_CUH

#include "ns_common.cuh"

#define NS_HALF_SIGN 0x8000u
#define NS_HALF_INFINITY 0x7c00u
#define NS_HALF_QUIET_NAN 0x7e00u
#define NS_FLOAT_INFINITY 0x7f800000u

/* |x| from 65520 = 65504 + half an ulp up: halfway between the largest half and 2^16, where ties to even go up
 * (65504 = 0x7bff has an odd significand), so it and everything above overflow to infinity. */
#define NS_HALF_OVERFLOW 0x477ff000u
/* |x| from 2^-14, the smallest normal half. */
#define NS_HALF_MIN_NORMAL 0x38800000u
/* (127 - 15) << 23: moves a binary32 exponent to the binary16 bias. */
#define NS_HALF_REBIAS 0x38000000u

/* A binary32 magnitude (bits, below 2^-14) as a subnormal half: round(|x| 2^24). With m the 24-bit significand
 * (implicit bit included) and e the biased exponent, |x| 2^24 = m 2^(e - 126), i.e. m shifted right by 126 - e.
 * Shifts beyond 24 leave less than half of the smallest subnormal (zero); binary32 subnormals are among them. */
NS_HD uint32_t ns_half_subnormal(uint32_t magnitude) {
    const uint32_t exponent = magnitude >> 23;
    if (exponent < 102) {
        return 0u;
    }
    const uint32_t shift = 126u - exponent; /* 14..24 */
    const uint32_t significand = (magnitude & 0x007fffffu) | 0x00800000u;
    const uint32_t kept = significand >> shift;
    const uint32_t rest = significand & ((1u << shift) - 1u);
    const uint32_t half = 1u << (shift - 1u);
    /* Rounding 0x3ff up gives 0x400: the smallest normal half, which is the right encoding. */
    return kept + (rest > half || (rest == half && (kept & 1u)) ? 1u : 0u);
}

/* A binary32 magnitude (bits, from 2^-14 up to the overflow bound) as a normal half: rebias, then drop 13
 * significand bits rounding to nearest even (add just under half an ulp, plus the kept lsb; a carry moves into the
 * exponent, which stays below the infinity code under the overflow bound). */
NS_HD uint32_t ns_half_normal(uint32_t magnitude) {
    const uint32_t rebiased = magnitude - NS_HALF_REBIAS;
    return (rebiased + 0x0fffu + ((rebiased >> 13) & 1u)) >> 13;
}

NS_HD uint16_t ns_float_to_half(float value) {
    const uint32_t bits = ns_float_as_bits(value);
    const uint32_t sign = (bits >> 16) & NS_HALF_SIGN;
    const uint32_t magnitude = bits & 0x7fffffffu;
    uint32_t half;
    if (magnitude > NS_FLOAT_INFINITY) {
        half = NS_HALF_QUIET_NAN | ((magnitude >> 13) & 0x03ffu);
    } else if (magnitude >= NS_HALF_OVERFLOW) {
        half = NS_HALF_INFINITY;
    } else if (magnitude >= NS_HALF_MIN_NORMAL) {
        half = ns_half_normal(magnitude);
    } else {
        half = ns_half_subnormal(magnitude);
    }
    return (uint16_t)(sign | half);
}

NS_HD float ns_half_to_float(uint16_t half) {
    const uint32_t sign = (uint32_t)(half & NS_HALF_SIGN) << 16;
    const uint32_t exponent = (half >> 10) & 0x1fu;
    const uint32_t significand = half & 0x03ffu;
    uint32_t magnitude;
    if (exponent == 0x1fu) {
        /* Infinity, or a NaN made quiet with its payload in the top significand bits. */
        magnitude = NS_FLOAT_INFINITY | (significand << 13) | (significand != 0u ? 0x00400000u : 0u);
    } else if (exponent != 0u) {
        magnitude = ((uint32_t)(half & 0x7fffu) << 13) + NS_HALF_REBIAS;
    } else {
        /* Zero or subnormal: significand 2^-24, exact in binary32 (at most 10 bits, scaled by a power of two to a
         * normal float), so the product involves no rounding. */
        magnitude = ns_float_as_bits((float)significand * 5.9604644775390625e-8f);
    }
    return ns_bits_as_float(sign | magnitude);
}

#endif

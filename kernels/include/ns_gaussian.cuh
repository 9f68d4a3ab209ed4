/*
 * The Gaussian transform of the noise contract: one 32-bit Philox word -> one standard normal float, with
 * IEEE-exact operations only (+ - * / sqrt, integer and bit operations; no libm), so the host build, the
 * CUDA build and the Java reference (io.noisesearch.noise.GaussianTransform) agree bit for bit. Both
 * branches of the inverse CDF are computed and one is selected, so the host loop vectorizes.
 *
 * Formula: sign = bit 31 of w; k = bits 30..8; p = (2k + 1) 2^-25, which is exact in float and lies in
 * [2^-25, 1/2 - 2^-25]; z = -Phi^-1(p) >= 0 by Wichura's AS241 PPND7 (Applied Statistics 37 (1988) 477-484),
 * the single-precision rational approximations, relative error about 1e-7:
 *   q = p - 1/2 (exact); if |q| < 0.425:  r = 0.180625 - q^2, z = (-q A(r)) / B(r)         (degree 3/3)
 *   else:                                  r = sqrt(-log p) - 1.6, z = C(r) / D(r)           (degree 3/2)
 * AS241's third branch (sqrt(-log p) > 5, i.e. p < 1.4e-11) cannot occur since p >= 2^-25.
 * The result is sign ? -z : z. Evaluated in float, the transform stays within 4e-7 (1 + |z|) of the exact
 * quantile (GaussianTransformTest measures it against a double-precision Phi).
 * Resolution: 2^23 magnitudes per sign; the largest |z| is Phi^-1(1 - 2^-25) = 5.42.
 */
#ifndef NS_GAUSSIAN_CUH
#define NS_GAUSSIAN_CUH

#include "ns_common.cuh"

/* ln 2 = NS_LN2_HI + NS_LN2_LO with NS_LN2_HI short enough (9 bits) that e * NS_LN2_HI is exact. */
#define NS_LN2_HI 0.693359375f
#define NS_LN2_LO -2.12194440e-4f

/* log p for a positive normal float p, from its exponent and an odd series: p = 2^e f, f in [sqrt(1/2), sqrt 2),
 * log f = 2 atanh(s) with s = (f - 1) / (f + 1), |s| <= 0.1716; the series stops at s^9 (truncation 2e-10
 * relative), so the float rounding of the few operations dominates: a few ulp. */
NS_HD float ns_log_positive(float p) {
    const uint32_t bits = ns_float_as_bits(p);
    const float mantissa = ns_bits_as_float((bits & 0x007FFFFFu) | 0x3F800000u);
    const int32_t exponent = (int32_t)(bits >> 23) - 127;
    const float halved = mantissa * 0.5f;
    const int above = (bits & 0x007FFFFFu) > 0x003504F3u; /* mantissa > sqrt 2 (0x3FB504F3) */
    const float f = ns_select(above, halved, mantissa);
    const float e = (float)(exponent + above);
    const float s = (f - 1.0f) / (f + 1.0f);
    const float s2 = s * s;
    const float series = s2 * ((1.0f / 3.0f) + s2 * ((1.0f / 5.0f) + s2 * ((1.0f / 7.0f) + s2 * (1.0f / 9.0f))));
    const float twice_s = s + s;
    const float log_f = twice_s + twice_s * series;
    return e * NS_LN2_HI + (e * NS_LN2_LO + log_f);
}

NS_HD float ns_gaussian_from_bits(uint32_t w) {
    const int32_t m = (int32_t)(((w >> 8) & 0x007FFFFFu) * 2u + 1u);
    const float p = (float)m * 0x1p-25f;
    const float q = p - 0.5f;

    const float r = 0.180625f - q * q;
    const float a = ((5.9109374720e+01f * r + 1.5929113202e+02f) * r + 5.0434271938e+01f) * r + 3.3871327179e+00f;
    const float b = ((6.7187563600e+01f * r + 7.8757757664e+01f) * r + 1.7895169469e+01f) * r + 1.0f;
    const float central_numerator = -q * a;

#ifdef __CUDA_ARCH__
    const float t = sqrtf(-ns_log_positive(p)) - 1.6f;
#else
    const float t = __builtin_sqrtf(-ns_log_positive(p)) - 1.6f;
#endif
    const float c = ((1.7023821103e-01f * t + 1.3067284816e+00f) * t + 2.7568153900e+00f) * t + 1.4234372777e+00f;
    const float d = (1.2021132975e-01f * t + 7.3700164250e-01f) * t + 1.0f;

    /* One division for whichever branch is selected: the divide is the slowest vector instruction here. */
    const int central = m > 2516582; /* p = m 2^-25 > 0.075, i.e. |q| < 0.425 */
    const float z = ns_select(central, central_numerator, c) / ns_select(central, b, d);
    return ns_bits_as_float(ns_float_as_bits(z) ^ (w & 0x80000000u));
}

#endif

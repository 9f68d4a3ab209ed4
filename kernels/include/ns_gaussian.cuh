/*
 * The Gaussian transform of the noise contract: one 32-bit Philox word -> one standard normal float, with
 * IEEE-exact operations only (+ - * / sqrt, integer and bit operations; no libm), so the host build, the
 * CUDA build and the Java reference (io.noisesearch.noise.GaussianTransform) agree bit for bit. Each branch
 * of the inverse CDF is a helper giving a numerator and a denominator; ns_gaussian_from_bits computes both and
 * selects one, so the host loop vectorizes, while the CUDA noise kernel evaluates the tail only for the words
 * that need it. Either way z = num / den of the chosen branch, the same operations in the same order.
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

/* m = 2k + 1 from bits 30..8 of the word; p = m 2^-25 (exact). */
NS_HD int32_t ns_gaussian_m(uint32_t w) { return (int32_t)(((w >> 8) & 0x007FFFFFu) * 2u + 1u); }

NS_HD float ns_gaussian_p(uint32_t w) { return (float)ns_gaussian_m(w) * 0x1p-25f; }

/* Whether the word takes the central branch: p = m 2^-25 > 0.075, i.e. |q| < 0.425 (85% of the words). */
NS_HD int ns_gaussian_central(uint32_t w) { return ns_gaussian_m(w) > 2516582; }

/* One branch's z = num / den, before the division. */
typedef struct {
    float num, den;
} ns_ratio;

NS_HD ns_ratio ns_gaussian_central_ratio(float p) {
    const float q = p - 0.5f;
    const float r = 0.180625f - q * q;
    const float a = ((5.9109374720e+01f * r + 1.5929113202e+02f) * r + 5.0434271938e+01f) * r + 3.3871327179e+00f;
    const float b = ((6.7187563600e+01f * r + 7.8757757664e+01f) * r + 1.7895169469e+01f) * r + 1.0f;
    const ns_ratio ratio = {-q * a, b};
    return ratio;
}

/* The tail branch (p <= 0.075): a log with its own division, and a square root; the costly one. */
NS_HD ns_ratio ns_gaussian_tail_ratio(float p) {
#ifdef __CUDA_ARCH__
    const float t = sqrtf(-ns_log_positive(p)) - 1.6f;
#else
    const float t = __builtin_sqrtf(-ns_log_positive(p)) - 1.6f;
#endif
    const float c = ((1.7023821103e-01f * t + 1.3067284816e+00f) * t + 2.7568153900e+00f) * t + 1.4234372777e+00f;
    const float d = (1.2021132975e-01f * t + 7.3700164250e-01f) * t + 1.0f;
    const ns_ratio ratio = {c, d};
    return ratio;
}

/* z = num / den of the word's branch, with the word's sign (bit 31). */
NS_HD float ns_gaussian_finish(uint32_t w, ns_ratio ratio) {
    const float z = ratio.num / ratio.den;
    return ns_bits_as_float(ns_float_as_bits(z) ^ (w & 0x80000000u));
}

NS_HD float ns_gaussian_from_bits(uint32_t w) {
    const float p = ns_gaussian_p(w);
    const ns_ratio central = ns_gaussian_central_ratio(p);
    const ns_ratio tail = ns_gaussian_tail_ratio(p);
    /* One division for whichever branch is selected: the divide is the slowest vector instruction here. */
    const int pick = ns_gaussian_central(w);
    const ns_ratio ratio = {ns_select(pick, central.num, tail.num), ns_select(pick, central.den, tail.den)};
    return ns_gaussian_finish(w, ratio);
}

#endif

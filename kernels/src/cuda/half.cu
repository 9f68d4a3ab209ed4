/* float16 conversion on the device: the bit conversions of ns_half.cuh, one grid-stride map each. */
#include "ns_cuda.cuh"
#include "ns_half.cuh"

extern "C" int ns_f32_to_f16(ns_stream stream, const float *src, uint16_t *dst, int64_t n) {
    if (n > 0 && (src == nullptr || dst == nullptr)) {
        return NS_ERR_ARGUMENT;
    }
    return ns_for_each(stream, n, [=] __device__(int64_t i) { dst[i] = ns_float_to_half(src[i]); });
}

extern "C" int ns_f16_to_f32(ns_stream stream, const uint16_t *src, float *dst, int64_t n) {
    if (n > 0 && (src == nullptr || dst == nullptr)) {
        return NS_ERR_ARGUMENT;
    }
    return ns_for_each(stream, n, [=] __device__(int64_t i) { dst[i] = ns_half_to_float(src[i]); });
}

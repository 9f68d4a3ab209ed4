/* float16 conversion on the host: the bit conversions of ns_half.cuh, one map each. */
#include "elementwise.hpp"
#include "ns_half.cuh"

extern "C" int ns_f32_to_f16(ns_stream stream, const float *src, uint16_t *dst, int64_t n) {
    return ns_map(stream, n, [](float value) { return ns_float_to_half(value); }, dst, src);
}

extern "C" int ns_f16_to_f32(ns_stream stream, const uint16_t *src, float *dst, int64_t n) {
    return ns_map(stream, n, [](uint16_t half) { return ns_half_to_float(half); }, dst, src);
}

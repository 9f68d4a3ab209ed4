/* The one element-wise loop of the host build: out[i] = op(in_1[i], ..., in_k[i]) over [0, n), vectorized in
 * each thread's range. In place is fine: element i reads only position i. */
#ifndef NS_ELEMENTWISE_HPP
#define NS_ELEMENTWISE_HPP

#include "ns_host.hpp"

template <class Op, class Out, class... In>
NS_CLONES void ns_map_range(int64_t begin, int64_t end, Op op, Out *out, const In *...in) {
#pragma omp simd
    for (int64_t i = begin; i < end; ++i) {
        out[i] = op(in[i]...);
    }
}

template <class... In>
bool ns_all_present(const In *...pointers) {
    return ((pointers != nullptr) && ...);
}

template <class Op, class Out, class... In>
int ns_map(ns_stream stream, int64_t n, Op op, Out *out, const In *...in) {
    if (n < 0 || (n > 0 && !ns_all_present(out, in...))) {
        return NS_ERR_ARGUMENT;
    }
    ns_parallel_ranges(stream, n, [=](int64_t begin, int64_t end) { ns_map_range(begin, end, op, out, in...); });
    return NS_OK;
}

#endif

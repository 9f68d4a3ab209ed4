/* What the host translation units share: the stream context (an OpenMP thread count) and the parallel loop
 * shapes. Every split is static and per element or per row, so no result depends on the thread count. */
#ifndef NS_HOST_HPP
#define NS_HOST_HPP

#include <omp.h>
#include <stdint.h>
#include "noisesearch.h"

/* One binary for any x86-64: gcc emits AVX-512 (x86-64-v4), AVX2 (v3) and baseline bodies and picks one at
 * load time. */
#define NS_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))

struct ns_host_stream {
    int32_t threads;
};

inline int ns_threads(ns_stream stream) {
    return stream != nullptr ? static_cast<ns_host_stream *>(stream)->threads : omp_get_max_threads();
}

/* Below this many element operations a call runs on the calling thread alone: waking a team costs more than
 * the work, and on a loaded machine a descheduled team member can stall a small call for a time slice
 * (milliseconds), so only calls of about a millisecond of work or more are split. */
constexpr int64_t NS_PARALLEL_MIN_WORK = 1 << 20;

/* The team size for a call doing `work` element operations. */
inline int ns_team(ns_stream stream, int64_t work) {
    return work < NS_PARALLEL_MIN_WORK ? 1 : ns_threads(stream);
}

/* Splits [0, n) into one contiguous range per thread, boundaries on 64-byte lines so threads never share one. */
template <class Body>
void ns_parallel_ranges(ns_stream stream, int64_t n, Body body) {
#pragma omp parallel num_threads(ns_team(stream, n))
    {
        const int64_t parts = omp_get_num_threads();
        const int64_t chunk = ((n + parts - 1) / parts + 15) / 16 * 16;
        const int64_t begin = omp_get_thread_num() * chunk;
        const int64_t end = begin + chunk < n ? begin + chunk : n;
        if (begin < end) {
            body(begin, end);
        }
    }
}

/* One row per iteration; `work` is the element operations of the whole call (it only sizes the team). */
template <class Body>
void ns_parallel_rows(ns_stream stream, int64_t rows, int64_t work, Body body) {
#pragma omp parallel for schedule(static) num_threads(ns_team(stream, work))
    for (int64_t r = 0; r < rows; ++r) {
        body(r);
    }
}

#endif

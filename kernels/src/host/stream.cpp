/* Library identity, stream contexts and the copy that serves as the memory-bandwidth baseline. */
#include <new>
#include <string.h>
#include "ns_host.hpp"

extern "C" int ns_version(char *name, int64_t capacity, int32_t *abi_version) {
    static const char kName[] = "host";
    if (name == nullptr || abi_version == nullptr || capacity < (int64_t)sizeof kName) {
        return NS_ERR_ARGUMENT;
    }
    memcpy(name, kName, sizeof kName);
    *abi_version = NS_ABI_VERSION;
    return NS_OK;
}

extern "C" int ns_stream_create(int32_t threads, ns_stream *out) {
    if (out == nullptr) {
        return NS_ERR_ARGUMENT;
    }
    ns_host_stream *stream = new (std::nothrow) ns_host_stream{threads > 0 ? threads : omp_get_max_threads()};
    if (stream == nullptr) {
        return NS_ERR_DEVICE;
    }
    *out = stream;
    return NS_OK;
}

extern "C" int ns_stream_destroy(ns_stream stream) {
    delete static_cast<ns_host_stream *>(stream);
    return NS_OK;
}

/* Host calls return when their work is done. */
extern "C" int ns_stream_synchronize(ns_stream) { return NS_OK; }

extern "C" int ns_copy(ns_stream stream, const float *src, float *dst, int64_t n) {
    if (n < 0 || (n > 0 && (src == nullptr || dst == nullptr))) {
        return NS_ERR_ARGUMENT;
    }
    ns_parallel_ranges(stream, n, [=](int64_t begin, int64_t end) {
        memcpy(dst + begin, src + begin, (size_t)(end - begin) * sizeof(float));
    });
    return NS_OK;
}

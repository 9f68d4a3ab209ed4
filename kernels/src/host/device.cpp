/* Device resources on the host build (noisesearch.h): there is no device, so device queries and graphs are
 * unsupported, while memory, copies, memset and events work on host memory with the CUDA build's contract. */
#include <chrono>
#include <new>
#include <stdlib.h>
#include <string.h>
#include "ns_host.hpp"

namespace {

constexpr size_t kAlignment = 256; /* cudaMalloc's guarantee */

struct host_event {
    double milliseconds;
};

int allocate(int64_t bytes, void **out) {
    if (bytes < 0 || out == nullptr) {
        return NS_ERR_ARGUMENT;
    }
    *out = nullptr;
    if (bytes == 0) {
        return NS_OK;
    }
    const size_t rounded = ((size_t)bytes + kAlignment - 1) / kAlignment * kAlignment;
    *out = aligned_alloc(kAlignment, rounded);
    return *out != nullptr ? NS_OK : NS_ERR_DEVICE;
}

int copy(void *dst, const void *src, int64_t bytes) {
    if (bytes < 0 || (bytes > 0 && (dst == nullptr || src == nullptr))) {
        return NS_ERR_ARGUMENT;
    }
    if (bytes > 0) {
        memmove(dst, src, (size_t)bytes);
    }
    return NS_OK;
}

}  // namespace

extern "C" int ns_last_error(char *message, int64_t capacity) {
    if (message == nullptr || capacity <= 0) {
        return NS_ERR_ARGUMENT;
    }
    message[0] = '\0';
    return NS_OK;
}

extern "C" int ns_device_count(int32_t *) { return NS_ERR_UNSUPPORTED; }

extern "C" int ns_device_properties(int32_t, char *, int64_t, int64_t *, int32_t *, int32_t *) {
    return NS_ERR_UNSUPPORTED;
}

extern "C" int ns_device_select(int32_t) { return NS_ERR_UNSUPPORTED; }

/* Host calls are done when they return. */
extern "C" int ns_device_synchronize(void) { return NS_OK; }

extern "C" int ns_device_memory(int64_t *, int64_t *) { return NS_ERR_UNSUPPORTED; }

extern "C" int ns_device_malloc(int64_t bytes, void **out) { return allocate(bytes, out); }

extern "C" int ns_device_free(void *pointer) {
    free(pointer);
    return NS_OK;
}

extern "C" int ns_host_malloc(int64_t bytes, void **out) { return allocate(bytes, out); }

extern "C" int ns_host_free(void *pointer) {
    free(pointer);
    return NS_OK;
}

extern "C" int ns_memcpy_h2d(ns_stream, void *dst, const void *src, int64_t bytes) { return copy(dst, src, bytes); }

extern "C" int ns_memcpy_d2h(ns_stream, void *dst, const void *src, int64_t bytes) { return copy(dst, src, bytes); }

extern "C" int ns_memcpy_d2d(ns_stream, void *dst, const void *src, int64_t bytes) { return copy(dst, src, bytes); }

extern "C" int ns_memset(ns_stream, void *dst, int32_t value, int64_t bytes) {
    if (bytes < 0 || (bytes > 0 && dst == nullptr)) {
        return NS_ERR_ARGUMENT;
    }
    if (bytes > 0) {
        memset(dst, value, (size_t)bytes);
    }
    return NS_OK;
}

extern "C" int ns_event_create(ns_event *out) {
    if (out == nullptr) {
        return NS_ERR_ARGUMENT;
    }
    *out = new (std::nothrow) host_event{0.0};
    return *out != nullptr ? NS_OK : NS_ERR_DEVICE;
}

/* Host calls are done when they return, so the clock at record time is when the stream reached the event. */
extern "C" int ns_event_record(ns_stream, ns_event event) {
    if (event == nullptr) {
        return NS_ERR_ARGUMENT;
    }
    const auto now = std::chrono::steady_clock::now().time_since_epoch();
    static_cast<host_event *>(event)->milliseconds = std::chrono::duration<double, std::milli>(now).count();
    return NS_OK;
}

extern "C" int ns_event_synchronize(ns_event event) { return event == nullptr ? NS_ERR_ARGUMENT : NS_OK; }

extern "C" int ns_event_elapsed(ns_event start, ns_event end, float *milliseconds) {
    if (start == nullptr || end == nullptr || milliseconds == nullptr) {
        return NS_ERR_ARGUMENT;
    }
    *milliseconds = (float)(static_cast<host_event *>(end)->milliseconds -
                            static_cast<host_event *>(start)->milliseconds);
    return NS_OK;
}

extern "C" int ns_event_destroy(ns_event event) {
    delete static_cast<host_event *>(event);
    return NS_OK;
}

extern "C" int ns_graph_begin_capture(ns_stream) { return NS_ERR_UNSUPPORTED; }

extern "C" int ns_graph_end_capture(ns_stream, ns_graph *) { return NS_ERR_UNSUPPORTED; }

extern "C" int ns_graph_instantiate(ns_graph, ns_graph_exec *) { return NS_ERR_UNSUPPORTED; }

extern "C" int ns_graph_launch(ns_stream, ns_graph_exec) { return NS_ERR_UNSUPPORTED; }

extern "C" int ns_graph_destroy(ns_graph) { return NS_ERR_UNSUPPORTED; }

extern "C" int ns_graph_exec_destroy(ns_graph_exec) { return NS_ERR_UNSUPPORTED; }

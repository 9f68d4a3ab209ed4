/* Device resources for the Java side: devices, memory, copies, events and CUDA graphs (noisesearch.h). */
#include <stdio.h>
#include <string.h>
#include "ns_cuda.cuh"

namespace {

/* Per host thread, like the CUDA runtime's own last error. */
thread_local char last_error[256] = "";

void copy_string(char *dst, int64_t capacity, const char *src) {
    const size_t n = strlen(src) < (size_t)(capacity - 1) ? strlen(src) : (size_t)(capacity - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

int copy(ns_stream stream, void *dst, const void *src, int64_t bytes, cudaMemcpyKind kind) {
    if (bytes < 0 || (bytes > 0 && (dst == nullptr || src == nullptr))) {
        return NS_ERR_ARGUMENT;
    }
    if (bytes == 0) {
        return NS_OK;
    }
    return ns_cuda_status(cudaMemcpyAsync(dst, src, (size_t)bytes, kind, ns_cuda_stream(stream)), "cudaMemcpyAsync");
}

}  // namespace

int ns_cuda_status(cudaError_t status, const char *call) {
    if (status == cudaSuccess) {
        return NS_OK;
    }
    snprintf(last_error, sizeof last_error, "%s: %s (%s)", call, cudaGetErrorString(status),
             cudaGetErrorName(status));
    return NS_ERR_DEVICE;
}

extern "C" int ns_last_error(char *message, int64_t capacity) {
    if (message == nullptr || capacity <= 0) {
        return NS_ERR_ARGUMENT;
    }
    copy_string(message, capacity, last_error);
    return NS_OK;
}

extern "C" int ns_device_count(int32_t *count) {
    if (count == nullptr) {
        return NS_ERR_ARGUMENT;
    }
    int n = 0;
    const int status = ns_cuda_status(cudaGetDeviceCount(&n), "cudaGetDeviceCount");
    *count = status == NS_OK ? n : 0;
    return status;
}

extern "C" int ns_device_properties(int32_t device, char *name, int64_t capacity, int64_t *total_bytes,
                                    int32_t *major, int32_t *minor) {
    if (name == nullptr || capacity <= 0 || total_bytes == nullptr || major == nullptr || minor == nullptr) {
        return NS_ERR_ARGUMENT;
    }
    cudaDeviceProp properties;
    const int status = ns_cuda_status(cudaGetDeviceProperties(&properties, device), "cudaGetDeviceProperties");
    if (status != NS_OK) {
        return status;
    }
    copy_string(name, capacity, properties.name);
    *total_bytes = (int64_t)properties.totalGlobalMem;
    *major = properties.major;
    *minor = properties.minor;
    return NS_OK;
}

/* Since CUDA 12, cudaSetDevice also initializes the device's primary context (no cudaFree(0) idiom needed), and
 * it is cheap when the device is already current: the Java side calls it whenever another thread takes over. */
extern "C" int ns_device_select(int32_t device) { return ns_cuda_status(cudaSetDevice(device), "cudaSetDevice"); }

extern "C" int ns_device_synchronize(void) {
    return ns_cuda_status(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
}

extern "C" int ns_device_memory(int64_t *free_bytes, int64_t *total_bytes) {
    if (free_bytes == nullptr || total_bytes == nullptr) {
        return NS_ERR_ARGUMENT;
    }
    size_t free_memory = 0;
    size_t total_memory = 0;
    const int status = ns_cuda_status(cudaMemGetInfo(&free_memory, &total_memory), "cudaMemGetInfo");
    *free_bytes = (int64_t)free_memory;
    *total_bytes = (int64_t)total_memory;
    return status;
}

extern "C" int ns_device_malloc(int64_t bytes, void **out) {
    if (bytes < 0 || out == nullptr) {
        return NS_ERR_ARGUMENT;
    }
    *out = nullptr;
    return bytes == 0 ? NS_OK : ns_cuda_status(cudaMalloc(out, (size_t)bytes), "cudaMalloc");
}

extern "C" int ns_device_free(void *pointer) { return ns_cuda_status(cudaFree(pointer), "cudaFree"); }

extern "C" int ns_host_malloc(int64_t bytes, void **out) {
    if (bytes < 0 || out == nullptr) {
        return NS_ERR_ARGUMENT;
    }
    *out = nullptr;
    return bytes == 0 ? NS_OK : ns_cuda_status(cudaMallocHost(out, (size_t)bytes), "cudaMallocHost");
}

extern "C" int ns_host_free(void *pointer) { return ns_cuda_status(cudaFreeHost(pointer), "cudaFreeHost"); }

extern "C" int ns_memcpy_h2d(ns_stream stream, void *dst, const void *src, int64_t bytes) {
    return copy(stream, dst, src, bytes, cudaMemcpyHostToDevice);
}

extern "C" int ns_memcpy_d2h(ns_stream stream, void *dst, const void *src, int64_t bytes) {
    return copy(stream, dst, src, bytes, cudaMemcpyDeviceToHost);
}

extern "C" int ns_memcpy_d2d(ns_stream stream, void *dst, const void *src, int64_t bytes) {
    return copy(stream, dst, src, bytes, cudaMemcpyDeviceToDevice);
}

extern "C" int ns_memset(ns_stream stream, void *dst, int32_t value, int64_t bytes) {
    if (bytes < 0 || (bytes > 0 && dst == nullptr)) {
        return NS_ERR_ARGUMENT;
    }
    return bytes == 0 ? NS_OK
                      : ns_cuda_status(cudaMemsetAsync(dst, value, (size_t)bytes, ns_cuda_stream(stream)),
                                       "cudaMemsetAsync");
}

extern "C" int ns_event_create(ns_event *out) {
    if (out == nullptr) {
        return NS_ERR_ARGUMENT;
    }
    cudaEvent_t event;
    const int status = ns_cuda_status(cudaEventCreate(&event), "cudaEventCreate");
    *out = status == NS_OK ? event : nullptr;
    return status;
}

extern "C" int ns_event_record(ns_stream stream, ns_event event) {
    if (event == nullptr) {
        return NS_ERR_ARGUMENT;
    }
    return ns_cuda_status(cudaEventRecord(static_cast<cudaEvent_t>(event), ns_cuda_stream(stream)),
                          "cudaEventRecord");
}

extern "C" int ns_event_synchronize(ns_event event) {
    if (event == nullptr) {
        return NS_ERR_ARGUMENT;
    }
    return ns_cuda_status(cudaEventSynchronize(static_cast<cudaEvent_t>(event)), "cudaEventSynchronize");
}

extern "C" int ns_event_elapsed(ns_event start, ns_event end, float *milliseconds) {
    if (start == nullptr || end == nullptr || milliseconds == nullptr) {
        return NS_ERR_ARGUMENT;
    }
    return ns_cuda_status(cudaEventElapsedTime(milliseconds, static_cast<cudaEvent_t>(start),
                                               static_cast<cudaEvent_t>(end)),
                          "cudaEventElapsedTime");
}

extern "C" int ns_event_destroy(ns_event event) {
    return event == nullptr ? NS_OK
                            : ns_cuda_status(cudaEventDestroy(static_cast<cudaEvent_t>(event)), "cudaEventDestroy");
}

/* Thread-local capture: calls other threads make meanwhile (allocations of other searches) are not forbidden. */
extern "C" int ns_graph_begin_capture(ns_stream stream) {
    return ns_cuda_status(cudaStreamBeginCapture(ns_cuda_stream(stream), cudaStreamCaptureModeThreadLocal),
                          "cudaStreamBeginCapture");
}

extern "C" int ns_graph_end_capture(ns_stream stream, ns_graph *out) {
    if (out == nullptr) {
        return NS_ERR_ARGUMENT;
    }
    cudaGraph_t graph = nullptr;
    const int status = ns_cuda_status(cudaStreamEndCapture(ns_cuda_stream(stream), &graph), "cudaStreamEndCapture");
    *out = status == NS_OK ? graph : nullptr;
    return status;
}

extern "C" int ns_graph_instantiate(ns_graph graph, ns_graph_exec *out) {
    if (graph == nullptr || out == nullptr) {
        return NS_ERR_ARGUMENT;
    }
    cudaGraphExec_t exec = nullptr;
    const int status = ns_cuda_status(cudaGraphInstantiate(&exec, static_cast<cudaGraph_t>(graph), 0),
                                      "cudaGraphInstantiate");
    *out = status == NS_OK ? exec : nullptr;
    return status;
}

extern "C" int ns_graph_launch(ns_stream stream, ns_graph_exec exec) {
    if (exec == nullptr) {
        return NS_ERR_ARGUMENT;
    }
    return ns_cuda_status(cudaGraphLaunch(static_cast<cudaGraphExec_t>(exec), ns_cuda_stream(stream)),
                          "cudaGraphLaunch");
}

extern "C" int ns_graph_destroy(ns_graph graph) {
    return graph == nullptr ? NS_OK
                            : ns_cuda_status(cudaGraphDestroy(static_cast<cudaGraph_t>(graph)), "cudaGraphDestroy");
}

extern "C" int ns_graph_exec_destroy(ns_graph_exec exec) {
    return exec == nullptr ? NS_OK
                           : ns_cuda_status(cudaGraphExecDestroy(static_cast<cudaGraphExec_t>(exec)),
                                            "cudaGraphExecDestroy");
}

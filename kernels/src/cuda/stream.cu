/* Library identity, streams and the device-to-device copy. */
#include <string.h>
#include "ns_cuda.cuh"

extern "C" int ns_version(char *name, int64_t capacity, int32_t *abi_version) {
    static const char kName[] = "cuda";
    if (name == nullptr || abi_version == nullptr || capacity < (int64_t)sizeof kName) {
        return NS_ERR_ARGUMENT;
    }
    memcpy(name, kName, sizeof kName);
    *abi_version = NS_ABI_VERSION;
    return NS_OK;
}

extern "C" int ns_stream_create(int32_t, ns_stream *out) {
    cudaStream_t stream;
    if (out == nullptr) {
        return NS_ERR_ARGUMENT;
    }
    const int status = ns_cuda_status(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cudaStreamCreate");
    if (status != NS_OK) {
        return status;
    }
    *out = stream;
    return NS_OK;
}

extern "C" int ns_stream_destroy(ns_stream stream) {
    return ns_cuda_status(cudaStreamDestroy(ns_cuda_stream(stream)), "cudaStreamDestroy");
}

extern "C" int ns_stream_synchronize(ns_stream stream) {
    return ns_cuda_status(cudaStreamSynchronize(ns_cuda_stream(stream)), "cudaStreamSynchronize");
}

extern "C" int ns_copy(ns_stream stream, const float *src, float *dst, int64_t n) {
    if (n < 0 || (n > 0 && (src == nullptr || dst == nullptr))) {
        return NS_ERR_ARGUMENT;
    }
    const cudaError_t status = cudaMemcpyAsync(dst, src, (size_t)n * sizeof(float), cudaMemcpyDeviceToDevice,
                                               ns_cuda_stream(stream));
    return ns_cuda_status(status, "cudaMemcpyAsync");
}

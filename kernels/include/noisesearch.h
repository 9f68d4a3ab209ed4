/*
 * noisesearch C ABI: one set of entry points, exported by both libnoisesearch_host.so (gcc + OpenMP)
 * and libnoisesearch_cuda.so (nvcc). The Java side binds these declarations once (FFM).
 *
 * Conventions (DESIGN.md):
 *  - every function starts with ns_, returns an int status (NS_OK = 0) and takes a stream first;
 *  - tensors are float32, row-major [rows, dim]; sizes are int64;
 *  - no kernel allocates memory; callers own every buffer. The device-resource functions at the end
 *    (devices, memory, copies, events, graphs) are the exceptions: they allocate and free what the caller
 *    then owns, and the device queries take no stream;
 *  - on the host build a stream is a small context that carries the OpenMP thread count; NULL means
 *    "all threads". On the CUDA build it is a cudaStream_t (NULL = default stream).
 *  - outputs may alias inputs wherever an element reads only its own position (marked "in place ok").
 */
#ifndef NOISESEARCH_H
#define NOISESEARCH_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NS_OK 0
#define NS_ERR_ARGUMENT 1    /* a size, pointer or enum value is out of range */
#define NS_ERR_DEVICE 2      /* the device or its runtime failed */
#define NS_ERR_UNSUPPORTED 3 /* this build does not provide the function */

#define NS_ABI_VERSION 3       /* what ns_version reports; the Java bindings refuse any other */
#define NS_MAX_COMPONENTS 1024 /* mixture components per call (NS_ERR_ARGUMENT beyond) */

/* Prediction types of a denoiser output; schedule: x_t = alpha x0 + sigma eps. */
#define NS_PRED_VELOCITY 0   /* v = dalpha x0 + dsigma eps */
#define NS_PRED_EPSILON 1
#define NS_PRED_X0 2

typedef void *ns_stream;

/* Library identity: writes a NUL-terminated name ("host" or "cuda") and the ABI version. */
int ns_version(char *name, int64_t capacity, int32_t *abi_version);

/* Host: a context with the thread count (threads <= 0: all). CUDA: a new stream. */
int ns_stream_create(int32_t threads, ns_stream *out);
int ns_stream_destroy(ns_stream stream);
int ns_stream_synchronize(ns_stream stream);

/* ---- noise (Philox4x32-10 + exact-operation Gaussian transform) ----------------------------------- */

/* Raw Philox4x32-10 blocks, for the known-answer tests: out[4*i..] = philox(counter[4*i..], key[2*i..]). */
int ns_philox4x32_10(ns_stream stream, const uint32_t *counters, const uint32_t *keys, uint32_t *out,
                     int64_t blocks);

/* out[r, i] = gaussian(seed, first_key + r, i): row r is the candidate named first_key + r. */
int ns_gaussian_noise(ns_stream stream, float *out, int64_t rows, int64_t dim, uint64_t seed,
                      uint64_t first_key);

/* Zero-order neighbours of one pivot row. In: directions [rows, dim] (fresh Gaussian noise);
 * out (in place ok): y = |n| (c u + sqrt(1 - c^2) w), u = n/|n|, w = the direction made orthogonal to u
 * and normalised. Same norm as the pivot and cosine c to it. */
int ns_zero_order_neighbours(ns_stream stream, const float *pivot, const float *directions, float *out,
                             int64_t rows, int64_t dim, float cosine);

/* Forward noising with the exact transition kernel: x <- a x + s z, z = gaussian(seed, first_key + r, i).
 * Rectified flow t -> t': a = (1-t')/(1-t), s = sqrt(t'^2 - a^2 t^2); VP: a = sqrt(ab'/ab), s = sqrt(1 - a^2). */
int ns_forward_noise(ns_stream stream, float *x, int64_t rows, int64_t dim, uint64_t seed, uint64_t first_key,
                     float a, float s);

/* ---- solver updates (n = rows * dim elements) -------------------------------------------------------- */

/* out = x + dt v (in place ok). */
int ns_euler_step(ns_stream stream, const float *x, const float *v, float *out, int64_t n, float dt);

/* out = x + (dt / 2) (v1 + v2) (in place ok). */
int ns_heun_step(ns_stream stream, const float *x, const float *v1, const float *v2, float *out, int64_t n,
                 float dt);

/* DDIM, eta = 0: from (x, prediction) at (alpha, sigma) to alpha_next x0 + sigma_next eps (in place ok).
 * dalpha and dsigma are read only for velocity predictions, which need them to recover (x0, eps). */
int ns_ddim_step(ns_stream stream, const float *x, const float *pred, float *out, int64_t n, int32_t pred_type,
                 float alpha, float sigma, float dalpha, float dsigma, float alpha_next, float sigma_next);

/* Classifier-free guidance: out = uncond + scale (cond - uncond) (in place ok). */
int ns_cfg_combine(ns_stream stream, const float *cond, const float *uncond, float *out, int64_t n,
                   float scale);

/* Prediction conversion at one time: (alpha, sigma, dalpha, dsigma) of the schedule (in place ok). */
int ns_convert_prediction(ns_stream stream, const float *x, const float *pred, float *out, int64_t n,
                          int32_t from_type, int32_t to_type, float alpha, float sigma, float dalpha,
                          float dsigma);

/* ---- batch utilities --------------------------------------------------------------------------------- */

/* out[r, :] = in[indices[r], :]; out must not alias in. indices live where the kernels run. */
int ns_gather_rows(ns_stream stream, const float *in, const int32_t *indices, float *out, int64_t rows,
                   int64_t dim);

/* Per-row reductions, accumulated in double in index order, written as float. */
int ns_row_dot(ns_stream stream, const float *a, const float *b, float *out, int64_t rows, int64_t dim);
int ns_row_norm(ns_stream stream, const float *a, float *out, int64_t rows, int64_t dim);
int ns_row_cosine(ns_stream stream, const float *a, const float *b, float *out, int64_t rows, int64_t dim);

/* dst = src, n floats (the bandwidth baseline of the benchmarks). */
int ns_copy(ns_stream stream, const float *src, float *dst, int64_t n);

/* ---- float16 conversion (the I/O of fp16 engines) -----------------------------------------------------------
 * IEEE 754 binary16 values as uint16_t bits, n elements; dst must not alias src. To half: round to nearest, ties
 * to even, subnormal halves, overflow to infinity; to float: exact. A NaN stays a NaN (quiet). Host and CUDA give
 * the same bits (ns_half.cuh). */
int ns_f32_to_f16(ns_stream stream, const float *src, uint16_t *dst, int64_t n);
int ns_f16_to_f32(ns_stream stream, const uint16_t *src, float *dst, int64_t n);

/* ---- exact Gaussian-mixture model ------------------------------------------------------------------------
 * Components k = 0..K-1: N(mean_k, var_k I) in dim dimensions. log_weights is [classes + 1, K]: row c holds
 * log pi_k for class c (-inf where the component is not in the class), the last row is the unconditional
 * mixture (the null class of classifier-free guidance). label in [0, classes] selects the row.
 * x_t = alpha x0 + sigma eps. */
int ns_gmm_predict(ns_stream stream, const float *x, float *out, int64_t rows, int64_t dim,
                   const float *means, const float *variances, const float *log_weights, int64_t components,
                   int32_t label, float alpha, float sigma, float dalpha, float dsigma, int32_t pred_type);

/* out[r] = log p(x_r | label) at t = 0 (exact mixture density). */
int ns_gmm_log_density(ns_stream stream, const float *x, float *out, int64_t rows, int64_t dim,
                       const float *means, const float *variances, const float *log_weights,
                       int64_t components, int32_t label);

/* Vector-Jacobian product of the mixture's prediction f(x) = c_x0 E[x0 | x_t] + c_eps E[eps | x_t] at (alpha,
 * sigma): out_r = J_f(x_r)^T cotangent_r (velocity: c_x0 = dalpha, c_eps = dsigma; ns_mixture.cuh derives it).
 * out must not alias x or cotangent. */
int ns_gmm_vjp(ns_stream stream, const float *x, const float *cotangent, float *out, int64_t rows, int64_t dim,
               const float *means, const float *variances, const float *log_weights, int64_t components,
               int32_t label, float alpha, float sigma, float c_x0, float c_eps);

/* out_r = grad_x log p_t(x_r | label) at (alpha, sigma) = -sum_k r_k (x - alpha mu_k) / v_k; at (1, 0) the
 * gradient of ns_gmm_log_density. out must not alias x. */
int ns_gmm_score(ns_stream stream, const float *x, float *out, int64_t rows, int64_t dim,
                 const float *means, const float *variances, const float *log_weights, int64_t components,
                 int32_t label, float alpha, float sigma);

/* ---- device resources ------------------------------------------------------------------------------------
 * What the Java side needs to own device memory, copies, timing and CUDA graphs. The CUDA build maps each to
 * the CUDA runtime (static cudart: only the driver is needed at run time). The host build has no device:
 *  - device queries, selection and graphs return NS_ERR_UNSUPPORTED (meaningless without a device);
 *  - memory, copies, memset and events are implemented on host memory with the same contract (copies and
 *    memset complete before they return; events record the host clock), so the binding layer is tested
 *    without a GPU.
 * A failing CUDA call returns NS_ERR_DEVICE and leaves its message for ns_last_error. */

typedef void *ns_event;
typedef void *ns_graph;
typedef void *ns_graph_exec;

/* The message of the last failed runtime call on this thread ("" when none), NUL-terminated, truncated to
 * capacity. Never fails on a valid buffer. */
int ns_last_error(char *message, int64_t capacity);

/* Number of usable devices. CUDA: NS_ERR_DEVICE (count 0) when there is no driver or no device. */
int ns_device_count(int32_t *count);

/* Name (NUL-terminated, truncated to capacity), global memory and compute capability of device `device`. */
int ns_device_properties(int32_t device, char *name, int64_t capacity, int64_t *total_bytes, int32_t *major,
                         int32_t *minor);

/* Makes `device` current on the calling thread and initializes its context (the first call is slow; later
 * calls with the current device are cheap). */
int ns_device_select(int32_t device);

/* Waits for all work on the current device, every stream included (host build: returns at once). */
int ns_device_synchronize(void);

/* Free and total memory of the current device. */
int ns_device_memory(int64_t *free_bytes, int64_t *total_bytes);

/* Device memory (host build: 256-byte aligned host memory). bytes = 0 gives NULL. free(NULL) is a no-op. */
int ns_device_malloc(int64_t bytes, void **out);
int ns_device_free(void *pointer);

/* Page-locked host memory for asynchronous copies (host build: aligned host memory). */
int ns_host_malloc(int64_t bytes, void **out);
int ns_host_free(void *pointer);

/* Asynchronous copies and memset on the stream (host build: done when they return). A pageable host source
 * may be reused when ns_memcpy_h2d returns; a D2H destination is valid after ns_stream_synchronize. */
int ns_memcpy_h2d(ns_stream stream, void *dst, const void *src, int64_t bytes);
int ns_memcpy_d2h(ns_stream stream, void *dst, const void *src, int64_t bytes);
int ns_memcpy_d2d(ns_stream stream, void *dst, const void *src, int64_t bytes);
int ns_memset(ns_stream stream, void *dst, int32_t value, int64_t bytes);

/* Events: timestamps on a stream. elapsed = milliseconds from start to end (both recorded and complete). */
int ns_event_create(ns_event *out);
int ns_event_record(ns_stream stream, ns_event event);
int ns_event_synchronize(ns_event event);
int ns_event_elapsed(ns_event start, ns_event end, float *milliseconds);
int ns_event_destroy(ns_event event);

/* CUDA graphs: capture the calls issued on a stream (thread-local capture mode), instantiate once, replay
 * with one launch. Host build: NS_ERR_UNSUPPORTED. */
int ns_graph_begin_capture(ns_stream stream);
int ns_graph_end_capture(ns_stream stream, ns_graph *out);
int ns_graph_instantiate(ns_graph graph, ns_graph_exec *out);
int ns_graph_launch(ns_stream stream, ns_graph_exec exec);
int ns_graph_destroy(ns_graph graph);
int ns_graph_exec_destroy(ns_graph_exec exec);

#ifdef __cplusplus
}
#endif

#endif

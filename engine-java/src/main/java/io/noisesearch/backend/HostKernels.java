package io.noisesearch.backend;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.noisesearch.sampling.Coefficients;
import io.noisesearch.sampling.Prediction;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * One host stream (an OpenMP thread count) and the downcalls into libnoisesearch_host.so, bound once. Arguments
 * are checked here, in Java, before every call, so that native code only ever sees well-formed shapes. Java arrays
 * go to the short calls as heap segments through critical downcalls: no copy and no allocation per call.
 */
final class HostKernels implements Kernels {

    private static final MethodHandle STREAM_CREATE = NativeLibrary.function("ns_stream_create", false, JAVA_INT, ADDRESS);
    private static final MethodHandle STREAM_DESTROY = NativeLibrary.function("ns_stream_destroy", false, ADDRESS);
    private static final MethodHandle SYNCHRONIZE = NativeLibrary.function("ns_stream_synchronize", false, ADDRESS);
    private static final MethodHandle PHILOX = NativeLibrary.function("ns_philox4x32_10", true,
            ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG);
    private static final MethodHandle GAUSSIAN_NOISE = NativeLibrary.function("ns_gaussian_noise", false,
            ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle NEIGHBOURS = NativeLibrary.function("ns_zero_order_neighbours", false,
            ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_FLOAT);
    private static final MethodHandle FORWARD_NOISE = NativeLibrary.function("ns_forward_noise", false,
            ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_FLOAT, JAVA_FLOAT);
    private static final MethodHandle EULER = NativeLibrary.function("ns_euler_step", false,
            ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_FLOAT);
    private static final MethodHandle HEUN = NativeLibrary.function("ns_heun_step", false,
            ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_FLOAT);
    private static final MethodHandle DDIM = NativeLibrary.function("ns_ddim_step", false,
            ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT,
            JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT);
    private static final MethodHandle CFG = NativeLibrary.function("ns_cfg_combine", false,
            ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_FLOAT);
    private static final MethodHandle CONVERT = NativeLibrary.function("ns_convert_prediction", false,
            ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT,
            JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT);
    private static final MethodHandle GATHER = NativeLibrary.function("ns_gather_rows", true,
            ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle ROW_DOT = NativeLibrary.function("ns_row_dot", true,
            ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle ROW_NORM = NativeLibrary.function("ns_row_norm", true,
            ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle ROW_COSINE = NativeLibrary.function("ns_row_cosine", true,
            ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle COPY = NativeLibrary.function("ns_copy", false,
            ADDRESS, ADDRESS, ADDRESS, JAVA_LONG);
    private static final MethodHandle GMM_PREDICT = NativeLibrary.function("ns_gmm_predict", false,
            ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT,
            JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT, JAVA_INT);
    private static final MethodHandle GMM_LOG_DENSITY = NativeLibrary.function("ns_gmm_log_density", true,
            ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT);

    private final MemorySegment stream;
    private boolean closed;

    HostKernels(int threads) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            call("ns_stream_create", () -> (int) STREAM_CREATE.invokeExact(threads, out));
            stream = out.get(ADDRESS, 0);
        }
    }

    @Override
    public void gaussianNoise(Batch out, long seed, long firstKey) {
        requireNative("gaussianNoise", out);
        call("ns_gaussian_noise", () -> (int) GAUSSIAN_NOISE.invokeExact(stream, out.data(), (long) out.rows(),
                (long) out.dim(), seed, firstKey));
    }

    @Override
    public void philox(int[] counters, int[] keys, int[] out) {
        KernelArguments.philox(counters, keys, out);
        call("ns_philox4x32_10", () -> (int) PHILOX.invokeExact(stream, MemorySegment.ofArray(counters),
                MemorySegment.ofArray(keys), MemorySegment.ofArray(out), (long) counters.length / 4));
    }

    @Override
    public void zeroOrderNeighbours(Batch pivot, Batch directions, Batch out, float cosine) {
        KernelArguments.neighbours(pivot, directions, out, cosine);
        requireNative("zeroOrderNeighbours", pivot, directions, out);
        call("ns_zero_order_neighbours", () -> (int) NEIGHBOURS.invokeExact(stream, pivot.data(), directions.data(),
                out.data(), (long) out.rows(), (long) out.dim(), cosine));
    }

    @Override
    public void forwardNoise(Batch x, long seed, long firstKey, float a, float s) {
        requireNative("forwardNoise", x);
        call("ns_forward_noise", () -> (int) FORWARD_NOISE.invokeExact(stream, x.data(), (long) x.rows(),
                (long) x.dim(), seed, firstKey, a, s));
    }

    @Override
    public void eulerStep(Batch x, Batch v, Batch out, float dt) {
        elementwise("eulerStep", x, v, out);
        call("ns_euler_step", () -> (int) EULER.invokeExact(stream, x.data(), v.data(), out.data(), x.elements(), dt));
    }

    @Override
    public void heunStep(Batch x, Batch v1, Batch v2, Batch out, float dt) {
        elementwise("heunStep", x, v1, v2, out);
        call("ns_heun_step", () -> (int) HEUN.invokeExact(stream, x.data(), v1.data(), v2.data(), out.data(),
                x.elements(), dt));
    }

    @Override
    public void ddimStep(Batch x, Batch pred, Batch out, Prediction type, Coefficients now, Coefficients next) {
        elementwise("ddimStep", x, pred, out);
        call("ns_ddim_step", () -> (int) DDIM.invokeExact(stream, x.data(), pred.data(), out.data(), x.elements(),
                type.code(), now.alpha(), now.sigma(), now.dalpha(), now.dsigma(), next.alpha(), next.sigma()));
    }

    @Override
    public void cfgCombine(Batch cond, Batch uncond, Batch out, float scale) {
        elementwise("cfgCombine", cond, uncond, out);
        call("ns_cfg_combine", () -> (int) CFG.invokeExact(stream, cond.data(), uncond.data(), out.data(),
                cond.elements(), scale));
    }

    @Override
    public void convertPrediction(Batch x, Batch pred, Batch out, Prediction from, Prediction to, Coefficients at) {
        elementwise("convertPrediction", x, pred, out);
        call("ns_convert_prediction", () -> (int) CONVERT.invokeExact(stream, x.data(), pred.data(), out.data(),
                x.elements(), from.code(), to.code(), at.alpha(), at.sigma(), at.dalpha(), at.dsigma()));
    }

    @Override
    public void gatherRows(Batch in, int[] indices, Batch out) {
        KernelArguments.gather(in, indices, out);
        requireNative("gatherRows", in, out);
        call("ns_gather_rows", () -> (int) GATHER.invokeExact(stream, in.data(), MemorySegment.ofArray(indices),
                out.data(), (long) out.rows(), (long) out.dim()));
    }

    @Override
    public void rowDot(Batch a, Batch b, float[] out) {
        reduction("rowDot", a, b, out);
        call("ns_row_dot", () -> (int) ROW_DOT.invokeExact(stream, a.data(), b.data(), MemorySegment.ofArray(out),
                (long) a.rows(), (long) a.dim()));
    }

    @Override
    public void rowNorm(Batch a, float[] out) {
        reduction("rowNorm", a, a, out);
        call("ns_row_norm", () -> (int) ROW_NORM.invokeExact(stream, a.data(), MemorySegment.ofArray(out),
                (long) a.rows(), (long) a.dim()));
    }

    @Override
    public void rowCosine(Batch a, Batch b, float[] out) {
        reduction("rowCosine", a, b, out);
        call("ns_row_cosine", () -> (int) ROW_COSINE.invokeExact(stream, a.data(), b.data(),
                MemorySegment.ofArray(out), (long) a.rows(), (long) a.dim()));
    }

    @Override
    public void copy(Batch src, Batch dst) {
        elementwise("copy", src, dst);
        call("ns_copy", () -> (int) COPY.invokeExact(stream, src.data(), dst.data(), src.elements()));
    }

    @Override
    public void gmmPredict(Batch x, Batch out, MixtureTensors mixture, int label, Coefficients at, Prediction type) {
        KernelArguments.sameShape("gmmPredict", x, out);
        mixture("gmmPredict", x, mixture, label);
        requireNative("gmmPredict", out);
        call("ns_gmm_predict", () -> (int) GMM_PREDICT.invokeExact(stream, x.data(), out.data(), (long) x.rows(),
                (long) x.dim(), mixture.means().data(), mixture.variances().data(), mixture.logWeights().data(),
                (long) mixture.components(), label, at.alpha(), at.sigma(), at.dalpha(), at.dsigma(), type.code()));
    }

    @Override
    public void gmmLogDensity(Batch x, float[] out, MixtureTensors mixture, int label) {
        mixture("gmmLogDensity", x, mixture, label);
        KernelArguments.length("gmmLogDensity", "out", out.length, x.rows());
        call("ns_gmm_log_density", () -> (int) GMM_LOG_DENSITY.invokeExact(stream, x.data(),
                MemorySegment.ofArray(out), (long) x.rows(), (long) x.dim(), mixture.means().data(),
                mixture.variances().data(), mixture.logWeights().data(), (long) mixture.components(), label));
    }

    @Override
    public void synchronize() {
        call("ns_stream_synchronize", () -> (int) SYNCHRONIZE.invokeExact(stream));
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            call("ns_stream_destroy", () -> (int) STREAM_DESTROY.invokeExact(stream));
        }
    }

    private static void elementwise(String kernel, Batch first, Batch... others) {
        KernelArguments.sameShape(kernel, first, others);
        requireNative(kernel, first);
        requireNative(kernel, others);
    }

    private static void reduction(String kernel, Batch a, Batch b, float[] out) {
        KernelArguments.sameShape(kernel, a, b);
        KernelArguments.length(kernel, "out", out.length, a.rows());
        requireNative(kernel, a, b);
    }

    private static void mixture(String kernel, Batch x, MixtureTensors mixture, int label) {
        KernelArguments.mixture(kernel, x, mixture, label);
        requireNative(kernel, x, mixture.means(), mixture.variances(), mixture.logWeights());
    }

    private static void requireNative(String kernel, Batch... batches) {
        for (Batch b : batches) {
            if (!b.data().isNative()) {
                throw new IllegalArgumentException(kernel + ": batch " + KernelArguments.shape(b)
                        + " is not in native memory (allocate it from a host backend)");
            }
        }
    }

    /** A downcall whose status is checked; the method handles declare Throwable but throw nothing checked. */
    @FunctionalInterface
    private interface Downcall {
        int invoke() throws Throwable;
    }

    private static void call(String function, Downcall downcall) {
        int status;
        try {
            status = downcall.invoke();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(function + " threw " + t, t);
        }
        NativeLibrary.check(status, function);
    }
}

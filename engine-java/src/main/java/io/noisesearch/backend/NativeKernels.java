package io.noisesearch.backend;

import static java.lang.foreign.ValueLayout.ADDRESS;

import io.noisesearch.schedule.Coefficients;
import io.noisesearch.schedule.Prediction;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One stream of a native kernel library and the calls into it: the single binding layer of the host and the CUDA
 * libraries (same C ABI, same {@link KernelFunctions} descriptors). Arguments are checked here, in Java, before
 * every call, so that native code only ever sees well-formed shapes. The two libraries differ only in where the
 * Java arrays of a call (Philox words, gather indices, per-row results) live while the kernel runs: the subclass
 * says so through {@link #input}, {@link #output} and {@link #complete}.
 */
abstract sealed class NativeKernels implements Kernels permits HostKernels, CudaKernels {

    private final KernelFunctions functions;
    private final MemorySegment stream;
    private boolean closed;

    NativeKernels(KernelFunctions functions, int threads) {
        this.functions = functions;
        beforeCall();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            call("ns_stream_create", () -> (int) functions.streamCreate.invokeExact(threads, out));
            stream = out.get(ADDRESS, 0);
        }
    }

    /** The native stream handle (host: a thread-count context; CUDA: a cudaStream_t). */
    final MemorySegment stream() {
        return stream;
    }

    /** Where the kernel reads the values of a Java array (a heap segment). */
    abstract MemorySegment input(MemorySegment values);

    /** Where the kernel writes values bound for a Java array (a heap segment) of the same size. */
    abstract MemorySegment output(MemorySegment values);

    /** After the call: the values written at {@code written} (from {@link #output}) land in {@code values}. */
    abstract void complete(MemorySegment written, MemorySegment values);

    /** Before every downcall on this stream (CUDA: the device must be current on the calling thread). */
    void beforeCall() {
    }

    /** Just before a downcall's native function runs (CUDA: a timing event where kernel timing is on). */
    void startTiming() {
    }

    /** Just after a downcall's native function returned. */
    void endTiming() {
    }

    /** After every downcall on this stream (CUDA: staging space of the call may be reused). */
    void afterCall() {
    }

    @Override
    public void gaussianNoise(Batch out, long seed, long firstKey) {
        requireNative("gaussianNoise", out);
        call("ns_gaussian_noise", () -> (int) functions.gaussianNoise.invokeExact(stream, out.data(),
                (long) out.rows(), (long) out.dim(), seed, firstKey));
    }

    @Override
    public void philox(int[] counters, int[] keys, int[] out) {
        KernelArguments.philox(counters, keys, out);
        beforeCall();
        MemorySegment counterWords = input(MemorySegment.ofArray(counters));
        MemorySegment keyWords = input(MemorySegment.ofArray(keys));
        MemorySegment results = output(MemorySegment.ofArray(out));
        call("ns_philox4x32_10", () -> (int) functions.philox.invokeExact(stream, counterWords, keyWords, results,
                (long) counters.length / 4));
        complete(results, MemorySegment.ofArray(out));
    }

    @Override
    public void zeroOrderNeighbours(Batch pivot, Batch directions, Batch out, float cosine) {
        KernelArguments.neighbours(pivot, directions, out, cosine);
        requireNative("zeroOrderNeighbours", pivot, directions, out);
        call("ns_zero_order_neighbours", () -> (int) functions.neighbours.invokeExact(stream, pivot.data(),
                directions.data(), out.data(), (long) out.rows(), (long) out.dim(), cosine));
    }

    @Override
    public void forwardNoise(Batch x, long seed, long firstKey, float a, float s) {
        requireNative("forwardNoise", x);
        call("ns_forward_noise", () -> (int) functions.forwardNoise.invokeExact(stream, x.data(), (long) x.rows(),
                (long) x.dim(), seed, firstKey, a, s));
    }

    @Override
    public void eulerStep(Batch x, Batch v, Batch out, float dt) {
        elementwise("eulerStep", x, v, out);
        call("ns_euler_step", () -> (int) functions.euler.invokeExact(stream, x.data(), v.data(), out.data(),
                x.elements(), dt));
    }

    @Override
    public void heunStep(Batch x, Batch v1, Batch v2, Batch out, float dt) {
        elementwise("heunStep", x, v1, v2, out);
        call("ns_heun_step", () -> (int) functions.heun.invokeExact(stream, x.data(), v1.data(), v2.data(),
                out.data(), x.elements(), dt));
    }

    @Override
    public void ddimStep(Batch x, Batch pred, Batch out, Prediction type, Coefficients now, Coefficients next) {
        elementwise("ddimStep", x, pred, out);
        call("ns_ddim_step", () -> (int) functions.ddim.invokeExact(stream, x.data(), pred.data(), out.data(),
                x.elements(), type.code(), now.alpha(), now.sigma(), now.dalpha(), now.dsigma(), next.alpha(),
                next.sigma()));
    }

    @Override
    public void cfgCombine(Batch cond, Batch uncond, Batch out, float scale) {
        elementwise("cfgCombine", cond, uncond, out);
        call("ns_cfg_combine", () -> (int) functions.cfg.invokeExact(stream, cond.data(), uncond.data(),
                out.data(), cond.elements(), scale));
    }

    @Override
    public void convertPrediction(Batch x, Batch pred, Batch out, Prediction from, Prediction to, Coefficients at) {
        elementwise("convertPrediction", x, pred, out);
        call("ns_convert_prediction", () -> (int) functions.convert.invokeExact(stream, x.data(), pred.data(),
                out.data(), x.elements(), from.code(), to.code(), at.alpha(), at.sigma(), at.dalpha(), at.dsigma()));
    }

    @Override
    public void gatherRows(Batch in, int[] indices, Batch out) {
        KernelArguments.gather(in, indices, out);
        requireNative("gatherRows", in, out);
        beforeCall();
        MemorySegment rows = input(MemorySegment.ofArray(indices));
        call("ns_gather_rows", () -> (int) functions.gather.invokeExact(stream, in.data(), rows, out.data(),
                (long) out.rows(), (long) out.dim()));
    }

    @Override
    public void rowDot(Batch a, Batch b, float[] out) {
        reduction("rowDot", a, b, out);
        MemorySegment results = output(MemorySegment.ofArray(out));
        call("ns_row_dot", () -> (int) functions.rowDot.invokeExact(stream, a.data(), b.data(), results,
                (long) a.rows(), (long) a.dim()));
        complete(results, MemorySegment.ofArray(out));
    }

    @Override
    public void rowNorm(Batch a, float[] out) {
        reduction("rowNorm", a, a, out);
        MemorySegment results = output(MemorySegment.ofArray(out));
        call("ns_row_norm", () -> (int) functions.rowNorm.invokeExact(stream, a.data(), results, (long) a.rows(),
                (long) a.dim()));
        complete(results, MemorySegment.ofArray(out));
    }

    @Override
    public void rowCosine(Batch a, Batch b, float[] out) {
        reduction("rowCosine", a, b, out);
        MemorySegment results = output(MemorySegment.ofArray(out));
        call("ns_row_cosine", () -> (int) functions.rowCosine.invokeExact(stream, a.data(), b.data(), results,
                (long) a.rows(), (long) a.dim()));
        complete(results, MemorySegment.ofArray(out));
    }

    @Override
    public void copy(Batch src, Batch dst) {
        elementwise("copy", src, dst);
        call("ns_copy", () -> (int) functions.copy.invokeExact(stream, src.data(), dst.data(), src.elements()));
    }

    @Override
    public void toHalf(Batch src, MemorySegment dst) {
        half("toHalf", src, dst);
        call("ns_f32_to_f16", () -> (int) functions.toHalf.invokeExact(stream, src.data(), dst, src.elements()));
    }

    @Override
    public void fromHalf(MemorySegment src, Batch dst) {
        half("fromHalf", dst, src);
        call("ns_f16_to_f32", () -> (int) functions.fromHalf.invokeExact(stream, src, dst.data(), dst.elements()));
    }

    @Override
    public void gmmPredict(Batch x, Batch out, MixtureTensors mixture, int label, Coefficients at, Prediction type) {
        KernelArguments.sameShape("gmmPredict", x, out);
        mixture("gmmPredict", x, mixture, label);
        requireNative("gmmPredict", out);
        call("ns_gmm_predict", () -> (int) functions.gmmPredict.invokeExact(stream, x.data(), out.data(),
                (long) x.rows(), (long) x.dim(), mixture.means().data(), mixture.variances().data(),
                mixture.logWeights().data(), (long) mixture.components(), label, at.alpha(), at.sigma(),
                at.dalpha(), at.dsigma(), type.code()));
    }

    @Override
    public void gmmLogDensity(Batch x, float[] out, MixtureTensors mixture, int label) {
        mixture("gmmLogDensity", x, mixture, label);
        KernelArguments.length("gmmLogDensity", "out", out.length, x.rows());
        MemorySegment results = output(MemorySegment.ofArray(out));
        call("ns_gmm_log_density", () -> (int) functions.gmmLogDensity.invokeExact(stream, x.data(), results,
                (long) x.rows(), (long) x.dim(), mixture.means().data(), mixture.variances().data(),
                mixture.logWeights().data(), (long) mixture.components(), label));
        complete(results, MemorySegment.ofArray(out));
    }

    @Override
    public void gmmVjp(Batch x, Batch cotangent, Batch out, MixtureTensors mixture, int label, Coefficients at,
                       float cX0, float cEps) {
        KernelArguments.sameShape("gmmVjp", x, cotangent, out);
        KernelArguments.distinct("gmmVjp", out, x, cotangent);
        mixture("gmmVjp", x, mixture, label);
        requireNative("gmmVjp", cotangent, out);
        call("ns_gmm_vjp", () -> (int) functions.gmmVjp.invokeExact(stream, x.data(), cotangent.data(), out.data(),
                (long) x.rows(), (long) x.dim(), mixture.means().data(), mixture.variances().data(),
                mixture.logWeights().data(), (long) mixture.components(), label, at.alpha(), at.sigma(), cX0, cEps));
    }

    @Override
    public void gmmScore(Batch x, Batch out, MixtureTensors mixture, int label, Coefficients at) {
        KernelArguments.sameShape("gmmScore", x, out);
        KernelArguments.distinct("gmmScore", out, x);
        mixture("gmmScore", x, mixture, label);
        requireNative("gmmScore", out);
        call("ns_gmm_score", () -> (int) functions.gmmScore.invokeExact(stream, x.data(), out.data(),
                (long) x.rows(), (long) x.dim(), mixture.means().data(), mixture.variances().data(),
                mixture.logWeights().data(), (long) mixture.components(), label, at.alpha(), at.sigma()));
    }

    @Override
    public void synchronize() {
        call("ns_stream_synchronize", () -> (int) functions.synchronize.invokeExact(stream));
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            call("ns_stream_destroy", () -> (int) functions.streamDestroy.invokeExact(stream));
        }
    }

    private static void elementwise(String kernel, Batch first, Batch... others) {
        KernelArguments.sameShape(kernel, first, others);
        requireNative(kernel, first);
        requireNative(kernel, others);
    }

    private static void half(String kernel, Batch batch, MemorySegment half) {
        KernelArguments.half(kernel, batch, half);
        requireNative(kernel, batch);
        if (!half.isNative()) {
            throw new IllegalArgumentException(kernel + ": the float16 buffer is not in native memory (allocate it "
                    + "where the kernels run)");
        }
    }

    private void reduction(String kernel, Batch a, Batch b, float[] out) {
        KernelArguments.sameShape(kernel, a, b);
        KernelArguments.length(kernel, "out", out.length, a.rows());
        requireNative(kernel, a, b);
        beforeCall();
    }

    private void mixture(String kernel, Batch x, MixtureTensors mixture, int label) {
        KernelArguments.mixture(kernel, x, mixture, label);
        requireNative(kernel, x, mixture.means(), mixture.variances(), mixture.logWeights());
        beforeCall();
    }

    private static void requireNative(String kernel, Batch... batches) {
        for (Batch b : batches) {
            if (!b.data().isNative()) {
                throw new IllegalArgumentException(kernel + ": batch " + KernelArguments.shape(b)
                        + " is not in native memory (allocate it from a native backend)");
            }
        }
    }

    /** A downcall whose status is checked; the method handles declare Throwable but throw nothing checked. */
    @FunctionalInterface
    interface Downcall {
        int invoke() throws Throwable;
    }

    final void call(String function, Downcall downcall) {
        beforeCall();
        int status;
        try {
            startTiming();
            status = downcall.invoke();
            endTiming();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(function + " threw " + t, t);
        } finally {
            afterCall();
        }
        functions.library.check(status, function);
    }
}

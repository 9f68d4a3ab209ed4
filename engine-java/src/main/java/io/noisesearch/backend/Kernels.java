package io.noisesearch.backend;

import io.noisesearch.schedule.Coefficients;
import io.noisesearch.schedule.Prediction;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The kernels of one stream: the Java view of kernels/include/noisesearch.h. Every implementation (the
 * plain-Java reference, the host library, the CUDA library) computes the same functions; the reference is
 * what the native ones are tested against. Calls are ordered on the stream; results that come back as Java
 * arrays are complete when the call returns.
 */
public interface Kernels extends AutoCloseable {

    /** Row r of {@code out} gets the Gaussian noise of candidate key {@code firstKey + r} under {@code seed}. */
    void gaussianNoise(Batch out, long seed, long firstKey);

    /** Philox4x32-10 blocks (4 counter words and 2 key words per block), for known-answer tests. */
    void philox(int[] counters, int[] keys, int[] out);

    /** Neighbours of {@code pivot} (one row) at cosine {@code cosine}, one per row of {@code directions}. */
    void zeroOrderNeighbours(Batch pivot, Batch directions, Batch out, float cosine);

    /** x <- a x + s z with z the noise of candidate key {@code firstKey + r} for row r. */
    void forwardNoise(Batch x, long seed, long firstKey, float a, float s);

    void eulerStep(Batch x, Batch v, Batch out, float dt);

    void heunStep(Batch x, Batch v1, Batch v2, Batch out, float dt);

    void ddimStep(Batch x, Batch pred, Batch out, Prediction type, Coefficients now, Coefficients next);

    void cfgCombine(Batch cond, Batch uncond, Batch out, float scale);

    void convertPrediction(Batch x, Batch pred, Batch out, Prediction from, Prediction to, Coefficients at);

    void gatherRows(Batch in, int[] indices, Batch out);

    void rowDot(Batch a, Batch b, float[] out);

    void rowNorm(Batch a, float[] out);

    void rowCosine(Batch a, Batch b, float[] out);

    void copy(Batch src, Batch dst);

    /**
     * {@code dst} gets {@code src} as IEEE 754 binary16 bits, one 16-bit value per element (exactly
     * {@code src.elements()} of them, in memory where this stream's kernels run): rounded to nearest, ties to even,
     * with subnormals, overflow to infinity and a NaN for a NaN. {@code dst} must not overlap {@code src}.
     */
    void toHalf(Batch src, MemorySegment dst);

    /** {@code dst} gets the binary16 values of {@code src} ({@code dst.elements()} 16-bit values), exactly. */
    void fromHalf(MemorySegment src, Batch dst);

    void gmmPredict(Batch x, Batch out, MixtureTensors mixture, int label, Coefficients at, Prediction type);

    void gmmLogDensity(Batch x, float[] out, MixtureTensors mixture, int label);

    /**
     * Row r of {@code out} gets J^T c_r, J the Jacobian in x of the mixture's c_x0 E[x0 | x_t] + c_eps E[eps | x_t]
     * at {@code at} (alpha, sigma) for row r of x, c_r row r of {@code cotangent} (kernels/include/ns_mixture.cuh
     * derives it). A velocity takes (dalpha, dsigma). {@code out} must not be x or the cotangent.
     */
    void gmmVjp(Batch x, Batch cotangent, Batch out, MixtureTensors mixture, int label, Coefficients at, float cX0,
                float cEps);

    /**
     * Row r of {@code out} gets grad_x log p_t(x_r | label) at {@code at} (alpha, sigma); alpha 1 and sigma 0 give the
     * gradient of {@link #gmmLogDensity}. {@code out} must not be x.
     */
    void gmmScore(Batch x, Batch out, MixtureTensors mixture, int label, Coefficients at);

    /** A recorded sequence of this stream's calls, launched again as a unit (a CUDA graph). */
    interface Graph {
        /** Runs the recorded calls again, in order, on the stream that recorded them. */
        void replay();
    }

    /** Whether {@link #capture} can record calls on this stream (CUDA streams can; host and Java kernels cannot). */
    default boolean canCapture() {
        return false;
    }

    /**
     * Records the calls {@code issue} makes on this stream, without running them, as a graph owned by
     * {@code arena}. Calls with Java-array arguments (staged copies) cannot be recorded: the capture then ends with
     * an exception and the stream works as before. Only for streams where {@link #canCapture()} holds.
     */
    default Graph capture(Arena arena, Runnable issue) {
        throw new UnsupportedOperationException("this stream cannot record graphs");
    }

    /** Waits until every call issued on this stream has finished. */
    void synchronize();

    @Override
    void close();
}

package io.noisesearch.backend;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.invoke.MethodHandle;

/**
 * The kernel downcalls of one library, bound once with the descriptors of kernels/include/noisesearch.h. The host
 * and CUDA libraries get the same descriptors; only the memory behind the pointers differs. Calls marked critical
 * take Java arrays as heap segments on the host library (no copy) and are short on both (a CUDA launch returns
 * at once).
 */
final class KernelFunctions {

    final NativeLibrary library;
    final MethodHandle streamCreate;
    final MethodHandle streamDestroy;
    final MethodHandle synchronize;
    final MethodHandle philox;
    final MethodHandle gaussianNoise;
    final MethodHandle neighbours;
    final MethodHandle forwardNoise;
    final MethodHandle euler;
    final MethodHandle heun;
    final MethodHandle ddim;
    final MethodHandle cfg;
    final MethodHandle convert;
    final MethodHandle gather;
    final MethodHandle rowDot;
    final MethodHandle rowNorm;
    final MethodHandle rowCosine;
    final MethodHandle copy;
    final MethodHandle toHalf;
    final MethodHandle fromHalf;
    final MethodHandle gmmPredict;
    final MethodHandle gmmLogDensity;
    final MethodHandle gmmVjp;
    final MethodHandle gmmScore;

    private static final class Host {
        static final KernelFunctions FUNCTIONS = new KernelFunctions(NativeLibrary.host());
    }

    private static final class Cuda {
        static final KernelFunctions FUNCTIONS = new KernelFunctions(NativeLibrary.cuda().orElseThrow());
    }

    static KernelFunctions host() {
        return Host.FUNCTIONS;
    }

    /** Only once {@link NativeLibrary#cuda()} is known to be present. */
    static KernelFunctions cuda() {
        return Cuda.FUNCTIONS;
    }

    private KernelFunctions(NativeLibrary library) {
        this.library = library;
        streamCreate = library.function("ns_stream_create", false, JAVA_INT, ADDRESS);
        streamDestroy = library.function("ns_stream_destroy", false, ADDRESS);
        synchronize = library.function("ns_stream_synchronize", false, ADDRESS);
        philox = library.function("ns_philox4x32_10", true, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG);
        gaussianNoise = library.function("ns_gaussian_noise", false,
                ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
        neighbours = library.function("ns_zero_order_neighbours", false,
                ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_FLOAT);
        forwardNoise = library.function("ns_forward_noise", false,
                ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_FLOAT, JAVA_FLOAT);
        euler = library.function("ns_euler_step", false, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_FLOAT);
        heun = library.function("ns_heun_step", false,
                ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_FLOAT);
        ddim = library.function("ns_ddim_step", false,
                ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT,
                JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT);
        cfg = library.function("ns_cfg_combine", false, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_FLOAT);
        convert = library.function("ns_convert_prediction", false,
                ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT,
                JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT);
        gather = library.function("ns_gather_rows", true, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG);
        rowDot = library.function("ns_row_dot", true, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG);
        rowNorm = library.function("ns_row_norm", true, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG);
        rowCosine = library.function("ns_row_cosine", true, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG);
        copy = library.function("ns_copy", false, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG);
        toHalf = library.function("ns_f32_to_f16", false, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG);
        fromHalf = library.function("ns_f16_to_f32", false, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG);
        gmmPredict = library.function("ns_gmm_predict", false,
                ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT,
                JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT, JAVA_INT);
        gmmLogDensity = library.function("ns_gmm_log_density", true,
                ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT);
        gmmVjp = library.function("ns_gmm_vjp", false,
                ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG,
                JAVA_INT, JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT, JAVA_FLOAT);
        gmmScore = library.function("ns_gmm_score", false,
                ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT,
                JAVA_FLOAT, JAVA_FLOAT);
    }
}

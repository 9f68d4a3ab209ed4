package io.noisesearch.tensorrt;

import io.noisesearch.InvalidRequestException;
import org.bytedeco.tensorrt.global.nvinfer;
import org.bytedeco.tensorrt.nvinfer.IRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * The TensorRT runtime of this process, loaded on first use through the JavaCPP presets
 * ({@code org.bytedeco:tensorrt}). The build carries only their class jars: the natives (the presets' JNI libraries,
 * libnvinfer.so.10 and the CUDA libraries it links) are present only on a machine prepared for TensorRT. Where they
 * are missing, loading fails once and every later use ends with the same one line, "TensorRT is not available:
 * ...", never with a linkage error. One runtime serves every plan: JavaCPP's objects returned by TensorRT have no
 * destructor binding (TensorRT 10 dropped {@code destroy()}), so runtimes, engines and contexts are created sparingly
 * and live until the process ends.
 */
public final class TensorRt {

    private static final Logger LOG = LoggerFactory.getLogger(TensorRt.class);

    private TensorRt() {
    }

    /** Why TensorRT cannot be used in this process (one line), or empty where it can. Loads it on first call. */
    public static Optional<String> absence() {
        return Probe.ABSENCE;
    }

    /** Throws the one-line {@link InvalidRequestException} of {@link #absence()} where TensorRT is missing. */
    public static void require() {
        absence().ifPresent(reason -> {
            throw new InvalidRequestException(reason);
        });
    }

    /** The loaded library's version, "major.minor.patch" (the name of plan folders, see {@link PlanLocator}). */
    public static String version() {
        require();
        return Native.VERSION;
    }

    /** The process's runtime, for deserializing plans. */
    static IRuntime runtime() {
        require();
        return Native.RUNTIME;
    }

    /** The process's logger (TensorRT's messages go to SLF4J; the last error per thread is kept for exceptions). */
    static TensorRtLogger logger() {
        require();
        return Native.LOGGER;
    }

    /** The one-line form of a throwable: its class and the first line of its message, causes of wrappers unpacked. */
    static String oneLine(Throwable t) {
        Throwable cause = t;
        while (cause.getCause() != null
                && (cause instanceof ExceptionInInitializerError || cause.getMessage() == null)) {
            cause = cause.getCause();
        }
        String message = cause.getMessage() == null ? "" : cause.getMessage().lines().findFirst().orElse("");
        return cause.getClass().getSimpleName() + (message.isBlank() ? "" : ": " + message.strip());
    }

    /** Loads the natives once; a failure of any kind (a missing jar, library or symbol) becomes the absence line. */
    private static final class Probe {
        static final Optional<String> ABSENCE = probe();

        private static Optional<String> probe() {
            try {
                LOG.info("TensorRT {} loaded", Native.VERSION);
                return Optional.empty();
            } catch (LinkageError | RuntimeException e) {
                return Optional.of("TensorRT is not available: " + oneLine(e));
            }
        }
    }

    /** Touched only after {@link Probe} succeeded (a failed static initializer cannot be retried). */
    private static final class Native {
        // Static: TensorRT calls back into the logger for as long as the runtime lives, so it must stay reachable.
        static final TensorRtLogger LOGGER = new TensorRtLogger();
        static final IRuntime RUNTIME = createRuntime();
        static final String VERSION = nvinfer.getInferLibMajorVersion() + "." + nvinfer.getInferLibMinorVersion()
                + "." + nvinfer.getInferLibPatchVersion();

        private static IRuntime createRuntime() {
            IRuntime runtime = nvinfer.createInferRuntime(LOGGER);
            if (runtime == null || runtime.isNull()) {
                throw new IllegalStateException("createInferRuntime failed" + LOGGER.lastError().map(e -> ": " + e)
                        .orElse(""));
            }
            return runtime;
        }
    }
}

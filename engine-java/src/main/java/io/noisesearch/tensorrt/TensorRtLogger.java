package io.noisesearch.tensorrt;

import org.bytedeco.tensorrt.nvinfer.ILogger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * TensorRT's {@code ILogger}, forwarding to SLF4J (logger {@code io.noisesearch.tensorrt.TensorRT}): internal errors
 * and errors at error, warnings at warn, info at debug and verbose at trace. TensorRT reports why a call failed only
 * here (the call itself returns false or null), so the last error of each thread is kept for the exception that
 * follows.
 */
final class TensorRtLogger extends ILogger {

    private static final Logger LOG = LoggerFactory.getLogger("io.noisesearch.tensorrt.TensorRT");

    private final ThreadLocal<String> lastError = new ThreadLocal<>();

    /** Called by TensorRT, from any thread. JavaCPP hands over a fresh enum instance: intern() makes it a constant. */
    @Override
    public void log(Severity severity, String message) {
        // ILogger::log is noexcept: nothing may be thrown back into TensorRT.
        try {
            switch (severity.intern()) {
                case kINTERNAL_ERROR, kERROR -> {
                    lastError.set(message);
                    LOG.error(message);
                }
                case kWARNING -> LOG.warn(message);
                case kINFO -> LOG.debug(message);
                default -> LOG.trace(message);
            }
        } catch (Throwable t) {
            System.err.println("TensorRT: " + message + " (logging it failed: " + t + ")");
        }
    }

    /**
     * Forgets the calling thread's last error: called before each checked TensorRT call, so that an error logged by
     * an earlier, unrelated call is not reported as the reason of the next failure.
     */
    void clear() {
        lastError.remove();
    }

    /** The last error TensorRT logged on the calling thread, and forgets it. */
    Optional<String> lastError() {
        String message = lastError.get();
        lastError.remove();
        return Optional.ofNullable(message).map(m -> m.lines().findFirst().orElse(m));
    }
}

package io.noisesearch.spark;

import java.io.Serializable;
import java.util.List;

/**
 * What every executor needs to run work units, shipped with the tasks: the sweep's text (each executor expands the
 * same configurations from it), how to open the engine, and where the shared solve cache lives.
 *
 * @param modelsDir  the trained models' folder on the executors (null: their NOISESEARCH_MODELS or the default)
 * @param device     the engine's device for tasks without a GPU resource (cpu, java, cuda, cuda:N, auto)
 * @param threads    kernel and ONNX Runtime threads per engine (<= 0: every core)
 * @param precision  the trained denoisers' precision (fp32, int8)
 * @param cache      the solve cache folder as a Hadoop URI (null: no cache)
 * @param failFirstAttempts a test hook: every task's first attempt fails part-way through its rows
 */
public record JobSettings(String sweepText, String source, List<String> overrides, String modelsDir, String device,
                          int threads, String precision, String cache, boolean failFirstAttempts)
        implements Serializable {

    public JobSettings {
        overrides = List.copyOf(overrides);
    }

    /** The settings that decide which engine an executor opens (the sweep and cache do not). */
    record EngineKey(String modelsDir, String device, int threads, String precision) {
    }

    EngineKey engineKey(String deviceOfTask) {
        return new EngineKey(modelsDir, deviceOfTask, threads, precision);
    }
}

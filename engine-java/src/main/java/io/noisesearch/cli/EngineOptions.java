package io.noisesearch.cli;

import io.noisesearch.backend.Backends;
import io.noisesearch.batching.BatchingOptions;
import io.noisesearch.engine.Engine;
import io.noisesearch.InvalidRequestException;
import io.noisesearch.model.ModelRepository;
import io.noisesearch.model.Precision;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;

/**
 * Where an engine runs: device, kernel threads, the folder of trained models and the precision of trained denoisers;
 * every command takes them.
 */
final class EngineOptions {

    @Option(names = "--device", defaultValue = "cpu", converter = Converters.Device.class,
            completionCandidates = Converters.DeviceNames.class,
            description = "Where kernels run: ${COMPLETION-CANDIDATES} or cuda:N (default: ${DEFAULT-VALUE});"
                    + " auto takes GPU 0 where the CUDA library and a device are present, else the CPU.")
    String device;

    /** The option's former name, accepted and not shown in the help. */
    @Option(names = "--backend", hidden = true, converter = Converters.Device.class)
    void backend(String name) {
        device = name;
    }

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    int threads;

    /** More threads than cores only slow kernels down, and each one costs a native stack. */
    @Option(names = "--threads", defaultValue = "0",
            description = "Kernel and ONNX Runtime intra-op threads, at most the cores; 0 uses every core; the"
                    + " gmm-image demo's are 1 (default: ${DEFAULT-VALUE}).")
    void threads(int count) {
        int cores = Runtime.getRuntime().availableProcessors();
        if (count < 0 || count > cores) {
            throw new ParameterException(spec.commandLine(), "--threads must lie in 0.." + cores
                    + " (0: every core; this machine has " + cores + "), got " + count);
        }
        threads = count;
    }

    @Option(names = "--models-dir", description = "Folder of trained models (default: the repository's"
            + " tensorrt-plans/models, or NOISESEARCH_MODELS).")
    Path modelsDir;

    Precision precision = Precision.FP32;

    @Option(names = "--precision", defaultValue = "fp32", paramLabel = "fp32|int8",
            description = "Precision of trained denoisers: fp32, or int8 from the variant file their manifest names"
                    + " (scripts/quantize; ONNX Runtime on the CPU); verifiers and the evaluation network stay fp32"
                    + " (default: ${DEFAULT-VALUE}).")
    void precision(String id) {
        try {
            precision = Precision.parse(id, "--precision");
        } catch (InvalidRequestException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    Engine open() {
        return open(threads);
    }

    /** An engine on the chosen device with {@code kernelThreads} threads (<= 0: every core). */
    Engine open(int kernelThreads) {
        return open(kernelThreads, BatchingOptions.OFF);
    }

    /** {@link #open(int)} with cross-request batching of model calls as given. */
    Engine open(int kernelThreads, BatchingOptions batching) {
        ModelRepository repository = modelsDir != null ? new ModelRepository(modelsDir) : ModelRepository.fromEnvironment();
        return Engine.open(Backends.open(device), kernelThreads, 1, repository, precision, batching);
    }
}

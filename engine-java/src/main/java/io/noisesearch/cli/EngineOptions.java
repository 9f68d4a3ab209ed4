package io.noisesearch.cli;

import io.noisesearch.backend.Backends;
import io.noisesearch.engine.Engine;
import io.noisesearch.model.ModelRepository;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * The device option, shared by every command that opens an engine; each command sets its own thread default.
 * {@code --backend} is the option's former name and still accepted.
 */
final class EngineOptions {

    @Option(names = "--device", defaultValue = "cpu", converter = Converters.Backend.class,
            completionCandidates = Converters.BackendNames.class,
            description = "Where kernels run: ${COMPLETION-CANDIDATES} or cuda:N (default: ${DEFAULT-VALUE});"
                    + " auto takes GPU 0 where the CUDA library and a device are present, else the CPU.")
    String device;

    /** The option's former name, accepted and not shown in the help. */
    @Option(names = "--backend", hidden = true, converter = Converters.Backend.class)
    void backend(String name) {
        device = name;
    }

    @Option(names = "--models-dir", description = "Folder of trained models (default: the repository's"
            + " tensorrt-plans/models, or NOISESEARCH_MODELS).")
    Path modelsDir;

    /** An engine on the chosen device with {@code threads} kernel threads (<= 0: every core). */
    Engine open(int threads) {
        ModelRepository repository = modelsDir != null ? new ModelRepository(modelsDir) : ModelRepository.fromEnvironment();
        return Engine.open(Backends.open(device), threads, 1, repository);
    }
}

package io.noisesearch.cli;

import io.noisesearch.backend.Backends;
import io.noisesearch.engine.Engine;
import io.noisesearch.model.ModelRepository;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The backend option, shared by every command that opens an engine; each command sets its own thread default. */
final class EngineOptions {

    @Option(names = "--backend", defaultValue = "host", converter = Converters.Backend.class,
            completionCandidates = Converters.BackendNames.class,
            description = "Where kernels run: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--models-dir", description = "Folder of trained models (default: the repository's"
            + " tensorrt-plans/models, or NOISESEARCH_MODELS).")
    Path modelsDir;

    /** An engine on the chosen backend with {@code threads} kernel threads (<= 0: every core). */
    Engine open(int threads) {
        ModelRepository repository = modelsDir != null ? new ModelRepository(modelsDir) : ModelRepository.fromEnvironment();
        return Engine.open(Backends.open(backend), threads, 1, repository);
    }
}

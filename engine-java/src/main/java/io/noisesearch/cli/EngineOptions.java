package io.noisesearch.cli;

import io.noisesearch.engine.Engine;
import picocli.CommandLine.Option;

/** The backend option, shared by every command that opens an engine; each command sets its own thread default. */
final class EngineOptions {

    @Option(names = "--backend", defaultValue = "host", converter = Converters.Backend.class,
            completionCandidates = Converters.BackendNames.class,
            description = "Where kernels run: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    String backend;

    /** An engine on the chosen backend with {@code threads} kernel threads (<= 0: every core). */
    Engine open(int threads) {
        return Engine.open(backend, threads);
    }
}

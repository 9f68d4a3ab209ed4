package io.noisesearch.backend;

import io.noisesearch.InvalidRequestException;

/** Opens a backend by the name users give on the command line and in requests. */
public final class Backends {

    private Backends() {
    }

    public static Backend open(String name) {
        return switch (name) {
            case "java" -> new JavaBackend();
            case "host" -> new HostBackend();
            case "cuda" -> throw new InvalidRequestException("the CUDA backend is not available in this build");
            default -> throw new InvalidRequestException("unknown backend '" + name + "': expected java, host or cuda");
        };
    }
}

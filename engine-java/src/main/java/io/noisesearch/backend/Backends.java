package io.noisesearch.backend;

import io.noisesearch.InvalidRequestException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens a backend by the name users give on the command line and in requests. */
public final class Backends {

    private static final Logger LOG = LoggerFactory.getLogger(Backends.class);

    /** What {@code --backend} accepts; {@code cuda:N} names device N. */
    public static final String NAMES = "java, host, cuda, cuda:N or auto";

    private Backends() {
    }

    public static Backend open(String name) {
        return switch (name) {
            case "java" -> new JavaBackend();
            case "host" -> new HostBackend();
            case "cuda" -> CudaBackend.open(name, 0);
            case "auto" -> auto();
            default -> {
                if (name.startsWith("cuda:")) {
                    yield CudaBackend.open(name, device(name));
                }
                throw new InvalidRequestException("--backend: unknown backend '" + name + "': expected " + NAMES);
            }
        };
    }

    /** CUDA device 0 where the library and a device are present, else the host; says which in one line. */
    static Backend auto() {
        try {
            CudaBackend cuda = CudaBackend.open("cuda", 0);
            LOG.info("--backend auto: {}", cuda.describe());
            return cuda;
        } catch (InvalidRequestException e) {
            LOG.info("--backend auto: host; {}", e.getMessage().replaceFirst("^--backend cuda: ", ""));
            return new HostBackend();
        }
    }

    private static int device(String name) {
        String index = name.substring("cuda:".length());
        try {
            return Integer.parseInt(index);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("--backend " + name + ": '" + index + "' is not a device number");
        }
    }
}

package io.noisesearch.backend;

import io.noisesearch.InvalidRequestException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens a backend by the name users give on the command line and in requests. */
public final class Backends {

    private static final Logger LOG = LoggerFactory.getLogger(Backends.class);

    /**
     * What {@code --device} accepts: {@code cpu} (native kernels on the CPU; {@code host} is the same), {@code java}
     * (the plain-Java reference kernels), {@code cuda} (device 0), {@code cuda:N} (device N) or {@code auto}.
     */
    public static final String NAMES = "cpu, java, cuda, cuda:N or auto";

    private Backends() {
    }

    public static Backend open(String name) {
        return switch (name) {
            case "java" -> new JavaBackend();
            case "cpu", "host" -> new HostBackend();
            case "cuda" -> CudaBackend.open(name, 0);
            case "auto" -> auto();
            default -> {
                if (name.startsWith("cuda:")) {
                    yield CudaBackend.open(name, device(name));
                }
                throw new InvalidRequestException("--device: unknown device '" + name + "': expected " + NAMES);
            }
        };
    }

    /** CUDA device 0 where the library and a device are present, else the host; says which in one line. */
    static Backend auto() {
        try {
            CudaBackend cuda = CudaBackend.open("cuda", 0);
            LOG.info("--device auto: {}", cuda.describe());
            return cuda;
        } catch (InvalidRequestException e) {
            LOG.info("--device auto: cpu; {}", e.getMessage().replaceFirst("^--device cuda: ", ""));
            return new HostBackend();
        }
    }

    private static int device(String name) {
        String index = name.substring("cuda:".length());
        try {
            return Integer.parseInt(index);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("--device " + name + ": '" + index + "' is not a device number");
        }
    }
}

package io.noisesearch.backend;

import io.noisesearch.InvalidRequestException;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens a backend by the name users give on the command line and in requests. */
public final class Backends {

    private static final Logger LOG = LoggerFactory.getLogger(Backends.class);

    /**
     * What {@code --device} accepts: {@code cpu} (native kernels on the CPU; {@code host} is the same), {@code java}
     * (the plain-Java reference kernels), {@code cuda} (device 0), {@code cuda:N} (device N) or {@code auto}.
     */
    public static final List<String> DEVICES = List.of("cpu", "java", "cuda", "auto");
    private static final String NAMES = "cpu, java, cuda, cuda:N or auto";

    private Backends() {
    }

    /** The name itself when {@link #open} knows it (without opening anything); else one line naming it. */
    public static String check(String name) {
        if (!DEVICES.contains(name) && !name.equals("host") && !name.startsWith("cuda:")) {
            throw new InvalidRequestException("--device: unknown device '" + name + "': expected " + NAMES);
        }
        if (name.startsWith("cuda:")) {
            device(name);
        }
        return name;
    }

    public static Backend open(String name) {
        return switch (check(name)) {
            case "java" -> new JavaBackend();
            case "cpu", "host" -> new HostBackend();
            case "cuda" -> CudaBackend.open(name, 0);
            case "auto" -> auto();
            default -> CudaBackend.open(name, device(name));
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

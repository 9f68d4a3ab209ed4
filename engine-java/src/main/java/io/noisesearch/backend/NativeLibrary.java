package io.noisesearch.backend;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.noisesearch.NativeException;
import io.noisesearch.NoiseSearchException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * One build of the kernel library (kernels/include/noisesearch.h): {@code libnoisesearch_host.so} (gcc + OpenMP)
 * or {@code libnoisesearch_cuda.so} (nvcc). Both export the same functions, so one set of bindings
 * ({@link KernelFunctions}, {@link DeviceFunctions}) serves both. A library is loaded into the global arena, so its
 * symbols stay valid for the life of the process.
 */
final class NativeLibrary {

    static final int ABI_VERSION = 3;
    static final String HOST_RESOURCE = "/native/linux-x86_64/libnoisesearch_host.so";
    static final String CUDA_RESOURCE = "/native/linux-x86_64/libnoisesearch_cuda.so";
    /** A CUDA library built outside the jar (scripts/gpu-check builds one with the GPU machine's nvcc). */
    static final String CUDA_PATH_PROPERTY = "noisesearch.cuda.library";
    static final String CUDA_PATH_ENVIRONMENT = "NOISESEARCH_CUDA_LIBRARY";

    private static final Linker LINKER = Linker.nativeLinker();

    private final String name;
    private final String origin;
    private final SymbolLookup symbols;
    private final MethodHandle lastError;

    private NativeLibrary(String name, String origin, SymbolLookup symbols) {
        this.name = name;
        this.origin = origin;
        this.symbols = symbols;
        verify(name);
        this.lastError = function("ns_last_error", false, ADDRESS, JAVA_LONG);
    }

    /** The host library, loaded on first use. */
    static NativeLibrary host() {
        return Host.LIBRARY;
    }

    /** The CUDA library, loaded on first use; empty when this build has none (the reason is {@link #cudaAbsence}). */
    static Optional<NativeLibrary> cuda() {
        return Optional.ofNullable(Cuda.LIBRARY);
    }

    /** Why {@link #cuda()} is empty, or null. */
    static String cudaAbsence() {
        return Cuda.ABSENCE;
    }

    /** "host" or "cuda". */
    String name() {
        return name;
    }

    /**
     * A downcall to {@code ns_<name>} returning its int status. Critical calls may take heap arrays directly and
     * are for short calls only: the JVM does not reach a safepoint while they run.
     */
    MethodHandle function(String function, boolean critical, MemoryLayout... arguments) {
        MemorySegment symbol = symbols.find(function).orElseThrow(
                () -> new NoiseSearchException(origin + " does not export " + function, false));
        FunctionDescriptor descriptor = FunctionDescriptor.of(JAVA_INT, arguments);
        return critical
                ? LINKER.downcallHandle(symbol, descriptor, Linker.Option.critical(true))
                : LINKER.downcallHandle(symbol, descriptor);
    }

    /**
     * Turns a native status into an exception, with the runtime's own message when the library left one; every
     * status of every call goes through here.
     */
    void check(int status, String function) {
        if (status != 0) {
            String detail = lastError();
            throw detail.isEmpty() ? new NativeException(function, status)
                    : new NativeException(function + " [" + detail + "]", status);
        }
    }

    /** The message of the last failed runtime call on this thread ("" for none, and always on the host library). */
    String lastError() {
        if (lastError == null) {
            return ""; // still verifying the library
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment message = arena.allocate(256);
            int status = (int) lastError.invokeExact(message, message.byteSize());
            return status == 0 ? message.getString(0) : "";
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("ns_last_error", t);
        }
    }

    private static final class Host {
        static final NativeLibrary LIBRARY = open("host", HOST_RESOURCE, extract(HOST_RESOURCE).orElseThrow(
                () -> new NoiseSearchException("the host kernel library " + HOST_RESOURCE + " is missing from the "
                        + "classpath; build the engine with ./mvnw package", false)));
    }

    /** Loading fails softly: "no CUDA library" is a normal state of a machine, reported when cuda is asked for. */
    private static final class Cuda {
        static final NativeLibrary LIBRARY;
        static final String ABSENCE;

        static {
            NativeLibrary library = null;
            String absence = null;
            try {
                Optional<Path> file = cudaFile();
                if (file.isPresent()) {
                    library = open("cuda", file.get().toString(), file.get());
                } else {
                    absence = "libnoisesearch_cuda.so not found: this build has none (nvcc was absent) and "
                            + CUDA_PATH_ENVIRONMENT + " is not set";
                }
            } catch (NoiseSearchException | IllegalArgumentException e) {
                absence = "libnoisesearch_cuda.so cannot be loaded: " + e.getMessage();
            }
            LIBRARY = library;
            ABSENCE = absence;
        }
    }

    private static Optional<Path> cudaFile() {
        String configured = System.getProperty(CUDA_PATH_PROPERTY, System.getenv(CUDA_PATH_ENVIRONMENT));
        if (configured != null && !configured.isBlank()) {
            Path file = Path.of(configured);
            if (!Files.isRegularFile(file)) {
                throw new NoiseSearchException(configured + " (" + CUDA_PATH_ENVIRONMENT + ") is not a file", false);
            }
            return Optional.of(file);
        }
        return extract(CUDA_RESOURCE);
    }

    private static NativeLibrary open(String expectedName, String origin, Path file) {
        return new NativeLibrary(expectedName, origin, SymbolLookup.libraryLookup(file, Arena.global()));
    }

    /** The resource copied to a temporary file (a library cannot be loaded from inside a jar); empty if absent. */
    private static Optional<Path> extract(String resource) {
        try (InputStream in = NativeLibrary.class.getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty();
            }
            String base = Path.of(resource).getFileName().toString().replace(".so", "");
            Path file = Files.createTempFile(base, ".so");
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return Optional.of(file);
        } catch (IOException e) {
            throw new NoiseSearchException("cannot extract " + resource + ": " + e.getMessage(), false, e);
        }
    }

    /** A library from another build of the sources would silently disagree with these bindings: refuse it. */
    private void verify(String expectedName) {
        MethodHandle version = LINKER.downcallHandle(symbols.find("ns_version").orElseThrow(
                        () -> new NoiseSearchException(origin + " is not a noisesearch kernel library", false)),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment library = arena.allocate(16);
            MemorySegment abi = arena.allocate(ValueLayout.JAVA_INT);
            check((int) version.invokeExact(library, library.byteSize(), abi), "ns_version");
            String found = library.getString(0);
            int foundAbi = abi.get(ValueLayout.JAVA_INT, 0);
            if (!found.equals(expectedName) || foundAbi != ABI_VERSION) {
                throw new NoiseSearchException(origin + " is the '" + found + "' library with ABI " + foundAbi
                        + "; expected '" + expectedName + "' with ABI " + ABI_VERSION, false);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("ns_version", t);
        }
    }
}

package io.noisesearch.backend;

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

/**
 * The host kernel library, shipped inside the jar: extracted once to a temporary file and loaded into the global
 * arena, so its symbols stay valid for the life of the process.
 */
final class NativeLibrary {

    static final String RESOURCE = "/native/linux-x86_64/libnoisesearch_host.so";
    static final int ABI_VERSION = 1;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup SYMBOLS = load();

    private NativeLibrary() {
    }

    /**
     * A downcall to {@code ns_<name>} returning its int status. Critical calls may take heap arrays directly and
     * are for short calls only: the JVM does not reach a safepoint while they run.
     */
    static MethodHandle function(String name, boolean critical, MemoryLayout... arguments) {
        MemorySegment symbol = SYMBOLS.find(name).orElseThrow(
                () -> new NoiseSearchException(RESOURCE + " does not export " + name, false));
        FunctionDescriptor descriptor = FunctionDescriptor.of(ValueLayout.JAVA_INT, arguments);
        return critical
                ? LINKER.downcallHandle(symbol, descriptor, Linker.Option.critical(true))
                : LINKER.downcallHandle(symbol, descriptor);
    }

    /** Turns a native status into an exception; every status of every call goes through here. */
    static void check(int status, String function) {
        if (status != 0) {
            throw new NativeException(function, status);
        }
    }

    private static SymbolLookup load() {
        Path file = extract();
        SymbolLookup symbols = SymbolLookup.libraryLookup(file, Arena.global());
        verify(symbols);
        return symbols;
    }

    private static Path extract() {
        try (InputStream in = NativeLibrary.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new NoiseSearchException("the host kernel library " + RESOURCE + " is missing from the "
                        + "classpath; build the engine with ./mvnw package", false);
            }
            Path file = Files.createTempFile("noisesearch_host", ".so");
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new NoiseSearchException("cannot extract " + RESOURCE + ": " + e.getMessage(), false, e);
        }
    }

    /** A library from another build of the sources would silently disagree with these bindings: refuse it. */
    private static void verify(SymbolLookup symbols) {
        MethodHandle version = LINKER.downcallHandle(symbols.find("ns_version").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG,
                        ValueLayout.ADDRESS));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocate(16);
            MemorySegment abi = arena.allocate(ValueLayout.JAVA_INT);
            check((int) version.invokeExact(name, name.byteSize(), abi), "ns_version");
            String library = name.getString(0);
            int found = abi.get(ValueLayout.JAVA_INT, 0);
            if (!library.equals("host") || found != ABI_VERSION) {
                throw new NoiseSearchException(RESOURCE + " is the '" + library + "' library with ABI " + found
                        + "; expected 'host' with ABI " + ABI_VERSION, false);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("ns_version", t);
        }
    }
}

package io.noisesearch.onnx;

import ai.onnxruntime.OrtEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.jar.JarEntry;
import java.util.zip.CRC32;

/**
 * ONNX Runtime's jar extracts its 21 MB native library into a new temporary folder at every start (~60 ms). Where
 * property {@value #DIR} names a folder (scripts/noisesearch: the build's {@code engine-java/target/onnxruntime-native}),
 * the libraries are kept there, one copy per platform, and loaded from it. A copy is used only after its size and
 * CRC-32 match the entry of the ONNX Runtime jar on the class path (both read from the jar's central directory, so
 * the check reads only the copy); a missing or altered copy is written again from the jar first, and where that
 * fails ONNX Runtime extracts as usual.
 */
final class PreExtractedLibraries {

    private static final Logger LOG = LoggerFactory.getLogger(PreExtractedLibraries.class);

    /** System property: the folder of pre-extracted libraries. */
    static final String DIR = "noisesearch.onnx.nativeDir";

    /** ONNX Runtime's own property: the folder it loads every native library from instead of extracting. */
    static final String ORT_PATH = "onnxruntime.native.path";

    private static final List<String> LIBRARIES = List.of("onnxruntime", "onnxruntime4j_jni");

    private PreExtractedLibraries() {
    }

    /** Points ONNX Runtime at the verified copy in {@value #DIR}; call before its environment is made. */
    static void useIfValid() {
        String dir = System.getProperty(DIR);
        if (dir == null || dir.isBlank() || System.getProperty(ORT_PATH) != null) {
            return;
        }
        Path folder = Path.of(dir).toAbsolutePath().resolve(platform());
        if (verified(folder) || (write(folder) && verified(folder))) {
            System.setProperty(ORT_PATH, folder.toString());
        }
    }

    /** Whether every library in {@code folder} has the size and CRC-32 of its entry in ONNX Runtime's jar. */
    static boolean verified(Path folder) {
        for (String library : LIBRARIES) {
            String name = System.mapLibraryName(library);
            JarEntry entry = jarEntry(name);
            if (entry == null || entry.getSize() < 0 || entry.getCrc() < 0) {
                return false;
            }
            Path copy = folder.resolve(name);
            try {
                if (!Files.isRegularFile(copy) || Files.size(copy) != entry.getSize() || crc32(copy) != entry.getCrc()) {
                    LOG.debug("{} does not match ONNX Runtime's jar", copy);
                    return false;
                }
            } catch (IOException e) {
                LOG.debug("cannot read {}: {}", copy, e.toString());
                return false;
            }
        }
        return true;
    }

    /** Copies every library from the jar into {@code folder} (a temporary file each, moved over the old copy). */
    static boolean write(Path folder) {
        try {
            Files.createDirectories(folder);
            for (String library : LIBRARIES) {
                String name = System.mapLibraryName(library);
                URL url = resource(name);
                if (url == null) {
                    return false;
                }
                Path part = Files.createTempFile(folder, name, ".part");
                try (InputStream in = url.openStream()) {
                    Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
                    Files.move(part, folder.resolve(name), StandardCopyOption.ATOMIC_MOVE,
                            StandardCopyOption.REPLACE_EXISTING);
                } finally {
                    Files.deleteIfExists(part);
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot write ONNX Runtime's libraries into {}: {}", folder, e.toString());
            return false;
        }
    }

    private static long crc32(Path file) throws IOException {
        CRC32 crc = new CRC32();
        try (FileChannel channel = FileChannel.open(file)) {
            MappedByteBuffer bytes = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size());
            crc.update(bytes);
        }
        return crc.getValue();
    }

    private static URL resource(String name) {
        return OrtEnvironment.class.getClassLoader().getResource("ai/onnxruntime/native/" + platform() + "/" + name);
    }

    /** The library's entry in ONNX Runtime's jar (size and CRC-32 from its central directory), or null. */
    private static JarEntry jarEntry(String name) {
        URL url = resource(name);
        if (url == null) {
            return null;
        }
        try {
            return url.openConnection() instanceof JarURLConnection jar ? jar.getJarEntry() : null;
        } catch (IOException e) {
            LOG.debug("cannot read {}: {}", url, e.toString());
            return null;
        }
    }

    /** ONNX Runtime's name for this platform's folder of libraries in its jar ({@code linux-x64}, ...). */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String system = os.contains("mac") || os.contains("darwin") ? "osx" : os.contains("win") ? "win" : "linux";
        String cpu = arch.startsWith("amd64") || arch.startsWith("x86_64") ? "x64"
                : arch.startsWith("aarch64") ? "aarch64" : arch;
        return system + "-" + cpu;
    }
}

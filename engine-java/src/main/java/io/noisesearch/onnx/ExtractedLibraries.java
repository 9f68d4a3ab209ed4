package io.noisesearch.onnx;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * ONNX Runtime extracts its native libraries into a temporary folder of its own and asks for it to be deleted at exit
 * before the files in it, so the folder stays behind after every run. Once the libraries are loaded, this removes
 * the folder and what is left in it when the JVM stops. The folder is read from ONNX Runtime's private field; where
 * that changes, nothing is removed and nothing fails.
 */
final class ExtractedLibraries {

    private static final Logger LOG = LoggerFactory.getLogger(ExtractedLibraries.class);

    private ExtractedLibraries() {
    }

    static void removeAtExit() {
        Path folder = folder();
        if (folder != null) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> remove(folder), "noisesearch-ort-cleanup"));
        }
    }

    /** The folder this process's ONNX Runtime extracted into, or null. */
    static Path folder() {
        try {
            Field field = Class.forName("ai.onnxruntime.OnnxRuntime").getDeclaredField("tempDirectory");
            field.setAccessible(true);
            return field.get(null) instanceof Path path ? path : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("ONNX Runtime's temporary folder is not known: {}", e.toString());
            return null;
        }
    }

    static void remove(Path folder) {
        try (Stream<Path> entries = Files.walk(folder)) {
            for (Path entry : entries.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(entry);
            }
        } catch (IOException e) {
            LOG.debug("cannot remove {}: {}", folder, e.toString());
        }
    }
}

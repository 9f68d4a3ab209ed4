package io.noisesearch.onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens the model folder given and exits, printing where ONNX Runtime extracted its libraries, or with a second
 * argument {@code maps}, the file this process mapped ONNX Runtime's library from.
 */
final class OpenAndExit {

    public static void main(String[] args) throws IOException {
        try (OnnxModel model = OnnxModel.open(Path.of(args[0]), 1)) {
            if (args.length > 1 && args[1].equals("maps")) {
                String library = System.mapLibraryName("onnxruntime");
                System.out.println(Files.readAllLines(Path.of("/proc/self/maps")).stream()
                        .filter(line -> line.endsWith("/" + library)).map(line -> line.substring(line.indexOf('/')))
                        .findFirst().orElse("none"));
            } else {
                System.out.println(ExtractedLibraries.folder());
            }
        }
    }
}

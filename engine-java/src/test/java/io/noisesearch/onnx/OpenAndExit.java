package io.noisesearch.onnx;

import java.nio.file.Path;

/** Opens the model folder given and exits, printing where ONNX Runtime extracted its libraries. */
final class OpenAndExit {

    public static void main(String[] args) {
        try (OnnxModel model = OnnxModel.open(Path.of(args[0]), 1)) {
            System.out.println(ExtractedLibraries.folder());
        }
    }
}

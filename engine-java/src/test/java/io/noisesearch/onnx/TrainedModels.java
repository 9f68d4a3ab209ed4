package io.noisesearch.onnx;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The committed trained models (tensorrt-plans/models), as the tests of the module see them. */
final class TrainedModels {

    static final List<String> NAMES = List.of("mnist-flow-s", "mnist-flow-l", "mnist-classifier", "mnist-ssl",
            "mnist-eval");

    static final Path ROOT = locate();

    private TrainedModels() {
    }

    private static Path locate() {
        Path here = Path.of("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            Path candidate = p.resolve("tensorrt-plans/models");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("tensorrt-plans/models not found above " + here);
    }

    static Path folder(String name) {
        Path folder = ROOT.resolve(name);
        if (!Files.isRegularFile(folder.resolve("model.onnx"))) {
            throw new IllegalStateException(folder + " has no model.onnx: the trained models are committed; run"
                    + " scripts/train-all to reproduce them");
        }
        return folder;
    }
}

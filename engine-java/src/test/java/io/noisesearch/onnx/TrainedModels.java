package io.noisesearch.onnx;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

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

    /** A folder {@code copy} holding model {@code name}'s {@code files} and its manifest edited by {@code edit}. */
    static Path copy(String name, List<String> files, Path copy, Consumer<ObjectNode> edit) throws IOException {
        Path source = folder(name);
        Files.createDirectories(copy);
        for (String file : files) {
            Files.copy(source.resolve(file), copy.resolve(file));
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode manifest = (ObjectNode) json.readTree(source.resolve("manifest.json").toFile());
        edit.accept(manifest);
        json.writeValue(copy.resolve("manifest.json").toFile(), manifest);
        return copy;
    }
}

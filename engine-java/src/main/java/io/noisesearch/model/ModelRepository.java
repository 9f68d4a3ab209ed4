package io.noisesearch.model;

import io.noisesearch.InvalidRequestException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where trained models live: one folder per model (model.onnx + manifest.json) under a root, by default the
 * repository's tensorrt-plans/models (system property {@code noisesearch.models}, else environment variable
 * {@code NOISESEARCH_MODELS}, else ./tensorrt-plans/models). A model name containing a slash is a folder path.
 */
public record ModelRepository(Path root) {

    public static ModelRepository fromEnvironment() {
        String configured = System.getProperty("noisesearch.models", System.getenv("NOISESEARCH_MODELS"));
        return new ModelRepository(Path.of(configured != null ? configured : "tensorrt-plans/models"));
    }

    /** The folder of a model name, checked to exist. */
    public Path folder(String name) {
        if (!name.contains("/") && !Confined.isPlainName(name)) {
            throw new InvalidRequestException("--model: '" + name + "' is not a model name");
        }
        Path folder = name.contains("/") ? Path.of(name) : root.resolve(name);
        if (!Files.isDirectory(folder)) {
            throw new InvalidRequestException("--model: unknown model '" + name + "' (built-in: " + BuiltinModels.NAMES
                    + "; trained, in " + root + ": " + available() + ")");
        }
        return folder;
    }

    /** The folder of a model named in another model's manifest: beside that model's folder. */
    public Path sibling(Path folder, String name) {
        String field = folder.resolve("manifest.json") + ": a model named in 'verifiers'";
        if (!Confined.isPlainName(name)) {
            throw new InvalidRequestException(field + " is not a plain folder name");
        }
        Path parent = folder.toAbsolutePath().normalize().getParent();
        Path sibling = Confined.require(parent, name, field);
        if (!Files.isDirectory(sibling)) {
            throw new InvalidRequestException(folder.resolve("manifest.json") + ": names model '" + name
                    + "', but " + sibling + " does not exist");
        }
        return sibling;
    }

    public List<String> available() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(root)) {
            return entries.filter(p -> Files.isRegularFile(p.resolve("manifest.json")))
                    .map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}

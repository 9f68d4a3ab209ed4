package io.noisesearch.model;

import java.nio.file.Path;

/** A model folder and its checked manifest. */
public record ModelFiles(Path folder, ModelManifest manifest) {

    /** Reads and checks {@code folder/manifest.json}. */
    public static ModelFiles read(Path folder) {
        return new ModelFiles(folder, ModelManifest.read(folder));
    }

    /** The model file the manifest names, confined to the folder. */
    public Path modelFile() {
        return Confined.require(folder, manifest.file(), folder.resolve("manifest.json") + ": field 'file'");
    }

    /** Another graph the manifest names in {@code field} (a text encoder), confined to the folder like the model file. */
    public Path graphFile(String file, String field) {
        return Confined.require(folder, file, folder.resolve("manifest.json") + ": field '" + field + "'");
    }
}

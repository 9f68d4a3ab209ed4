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
}

package io.noisesearch.model;

import java.nio.file.Path;

/** A model with files: a folder holding manifest.json and the model file, whatever runtime opened it. */
public interface TrainedModel {

    ModelFiles files();

    /** The model folder; the models its manifest names for verifier roles sit beside it. */
    default Path folder() {
        return files().folder();
    }

    default ModelManifest manifest() {
        return files().manifest();
    }
}

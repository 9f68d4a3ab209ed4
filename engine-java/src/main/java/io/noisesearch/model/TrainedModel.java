package io.noisesearch.model;

import java.nio.file.Path;

/** A model with files: a folder holding manifest.json and the model file, whatever runtime opened it. */
public interface TrainedModel {

    /** The model folder; the models its manifest names for verifier roles sit beside it. */
    Path folder();

    ModelManifest manifest();
}

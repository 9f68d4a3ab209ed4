package io.noisesearch.model;

import java.nio.file.Path;
import java.util.List;

/** A model with files: a folder holding manifest.json and the model file, whatever runtime opened it. */
public interface TrainedModel {

    ModelFiles files();

    /** The model folder; the models its manifest names for verifier roles sit beside it. */
    default Path folder() {
        return files().folder();
    }

    /** Files outside the folder that what it computes depends on (a TensorRT plan); none by default. */
    default List<Path> runtimeFiles() {
        return List.of();
    }

    /** The precision its model file runs in (the manifest's file: fp32; a variant file: its precision). */
    default Precision precision() {
        return Precision.FP32;
    }

    default ModelManifest manifest() {
        return files().manifest();
    }
}

package io.noisesearch.model;

import io.noisesearch.InvalidRequestException;

import java.util.Arrays;
import java.util.Locale;

/**
 * The number format a denoiser's weights and matrix products run in: fp32 (the trained model file) or int8 (a
 * statically quantized variant file the manifest names under {@code variants}, made by scripts/quantize).
 */
public enum Precision {
    FP32,
    INT8;

    /** The name on the command line, in manifests and in result.json. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The precision named {@code id}; else one line naming {@code option} and the choices. */
    public static Precision parse(String id, String option) {
        for (Precision p : values()) {
            if (p.id().equals(id)) {
                return p;
            }
        }
        throw new InvalidRequestException(option + ": unknown precision '" + id + "' (one of "
                + Arrays.stream(values()).map(Precision::id).toList() + ")");
    }

    @Override
    public String toString() {
        return id();
    }
}

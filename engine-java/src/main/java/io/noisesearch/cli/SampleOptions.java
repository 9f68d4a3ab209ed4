package io.noisesearch.cli;

import io.noisesearch.Limit;
import io.noisesearch.model.ModelInfo;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** How many samples a command makes of each class, for {@code generate} and {@code demo}. */
final class SampleOptions {

    /** The float32 samples a command holds at once; at the default their uint8 pixels are 1 GiB, one .npz entry. */
    static final Limit SAMPLES = new Limit("noisesearch.maxSamplesMiB", 4096, true);
    /** Pixels one Java array and one .npy entry hold, less room for the entry's header (at most 64 KiB). */
    static final long MAX_PIXELS = Integer.MAX_VALUE - (1L << 16);

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = {"--per-class", "--seeds-per-class"},
            description = "Samples per class (default: 10; the demo's: 6, gmm-image 20).")
    Integer perClass;

    /** The samples per class asked for, else {@code fallback}; at least 1. */
    int perClass(int fallback) {
        int n = perClass != null ? perClass : fallback;
        if (n < 1) {
            throw new ParameterException(spec.commandLine(), "--per-class (--seeds-per-class) must be at least 1, got " + n);
        }
        return n;
    }

    /**
     * Refuses {@code perClass} samples of each of {@code classes} classes of the model before any is made: the command
     * holds them all (float32), then their pixels in one array and one samples.npz entry.
     */
    void checkHeld(int perClass, int classes, ModelInfo info) {
        long values;
        try {
            values = Math.multiplyExact((long) perClass * classes, info.dim());
        } catch (ArithmeticException e) {
            values = Long.MAX_VALUE;
        }
        long limit = SAMPLES.value();
        String what = "--per-class (--seeds-per-class) " + perClass + ": " + classes + " classes x " + perClass
                + " samples of " + info.dim() + " values";
        if (values > limit / Float.BYTES) {
            throw new ParameterException(spec.commandLine(), what + " would hold " + (values == Long.MAX_VALUE
                    ? "more than 8 EiB" : Limit.bytes(values * Float.BYTES)) + ", over " + SAMPLES.describe(limit));
        }
        if (values > MAX_PIXELS) {
            throw new ParameterException(spec.commandLine(), what + " are " + values + " pixels, more than one array"
                    + " and one samples.npz entry hold (" + MAX_PIXELS + ")");
        }
    }
}

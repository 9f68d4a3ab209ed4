package io.noisesearch.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** How many samples a command makes of each class, for {@code generate} and {@code demo}. */
final class SampleOptions {

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
}

package io.noisesearch.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** The range check of a whole-number option, one message for every command: "OPTION must lie in MIN..MAX, got V". */
final class OptionRange {

    private OptionRange() {
    }

    /** Refuses {@code value} of {@code option} outside [min, max] in one line (exit 2). */
    static void check(CommandSpec spec, String option, long value, long min, long max) {
        check(spec, option, value, min, max, "");
    }

    /** The same with a unit after the range, as in "0..3600 seconds". */
    static void check(CommandSpec spec, String option, long value, long min, long max, String unit) {
        if (value < min || value > max) {
            throw new ParameterException(spec.commandLine(), option + " must lie in " + min + ".." + max
                    + (unit.isEmpty() ? "" : " " + unit) + ", got " + value);
        }
    }
}

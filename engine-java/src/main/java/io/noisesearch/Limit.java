package io.noisesearch;

import java.util.Locale;

/**
 * A bound on what one request may hold or do (docs/architecture.md, trust and limits): a default that a system
 * property overrides, read each time a request is checked so that an embedding service can change it.
 *
 * @param property     the system property, e.g. {@code noisesearch.maxSearchMiB}
 * @param defaultValue the bound when the property is not set, in the property's unit
 * @param mebibytes    whether the property counts MiB ({@link #value()} is then in bytes) rather than things
 */
public record Limit(String property, long defaultValue, boolean mebibytes) {

    public Limit {
        if (defaultValue < 1 || mebibytes && defaultValue > Long.MAX_VALUE >> 20) {
            throw new IllegalArgumentException("limit " + property + " of " + defaultValue + " is out of range");
        }
    }

    /** The bound, in bytes for sizes: the property's value where it is set, else the default. */
    public long value() {
        String text = System.getProperty(property);
        long value = text == null ? defaultValue : parse(text);
        return mebibytes ? value << 20 : value;
    }

    private long parse(String text) {
        try {
            long value = Long.parseLong(text.strip());
            if (value >= 1 && (!mebibytes || value <= Long.MAX_VALUE >> 20)) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidRequestException("-D" + property + "=" + text + ": expected a positive whole number"
                + (mebibytes ? " of MiB" : ""));
    }

    /** "the limit of 8.0 GiB (set -Dnoisesearch.maxSearchMiB to raise it)", for a message that refuses a request. */
    public String describe(long value) {
        return "the limit of " + (mebibytes ? bytes(value) : Long.toString(value)) + " (set -D" + property
                + " to raise it)";
    }

    /** A size for people: "298.0 GiB", "12.5 MiB", "300 bytes". */
    public static String bytes(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        }
        if (bytes >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
        }
        return bytes + " bytes";
    }
}

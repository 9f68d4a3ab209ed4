package io.noisesearch.profile;

import io.noisesearch.InvalidRequestException;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code profile --set KEY=VALUE} options: values that replace a top-level key of the sweep file, or a key of its
 * {@code evaluation} ({@code evaluation.perClass}), before the sweep is checked. Messages about an overridden key name
 * it as {@code --set KEY} rather than the file, since that is where the value came from.
 */
public record Overrides(Map<String, String> values) {

    public static final Overrides NONE = new Overrides(Map.of());

    public Overrides {
        values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    /** Each {@code KEY=VALUE} split at its first '='; a key given twice is an error (which should win is unclear). */
    public static Overrides parse(List<String> options) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String option : options) {
            int at = option.indexOf('=');
            String key = at < 0 ? option.strip() : option.substring(0, at).strip();
            if (at <= 0 || key.isEmpty()) {
                throw new InvalidRequestException("--set " + option + ": expected KEY=VALUE (a YAML value)");
            }
            if (values.put(key, option.substring(at + 1)) != null) {
                throw new InvalidRequestException("--set " + key + ": given twice");
            }
        }
        return new Overrides(values);
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    /** The override that set {@code path} (a key path such as {@code finalSteps[1]}), or null. */
    String keyOf(String path) {
        for (String key : values.keySet()) {
            if (path.equals(key) || path.startsWith(key + ".") || path.startsWith(key + "[")) {
                return key;
            }
        }
        return null;
    }

    /** The prefix of a message about {@code path}: {@code --set path} where an override set it, else the file. */
    String where(String source, String path) {
        if (!path.isEmpty() && keyOf(path) != null) {
            return "--set " + path;
        }
        return source + (path.isEmpty() ? "" : ": " + path);
    }
}

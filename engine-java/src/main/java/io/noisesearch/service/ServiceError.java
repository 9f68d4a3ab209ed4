package io.noisesearch.service;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A request the service answers with an error status: the JSON body names the reason, the request field at fault
 * (null where none is), and one line of message. Messages never carry stack traces or file contents.
 */
final class ServiceError extends RuntimeException {

    /** The JSON error body. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Body(int status, String reason, String field, String message) {
    }

    /** Absolute paths of two or more parts: the server's files, which clients are not told about. */
    private static final Pattern SERVER_PATH = Pattern.compile("(?<![\\w.])/[\\w.\\-]+(?:/[\\w.\\-]+)+");
    private static final Pattern OPTION = Pattern.compile("--([a-z][a-z0-9]*(?:-[a-z0-9]+)*)");

    private final int status;
    private final String reason;
    private final String field;

    ServiceError(int status, String reason, String field, String message) {
        super(message, null, false, false);
        this.status = status;
        this.reason = reason;
        this.field = field;
    }

    static ServiceError invalid(String field, String message) {
        return new ServiceError(400, "invalid_request", field, message);
    }

    /**
     * An error of the engine or of the request records, whose messages name command-line options: they are written
     * with the request's field names instead ({@code --budget-nfe} becomes {@code budgetNfe}), the first one named
     * being the field at fault.
     */
    static ServiceError fromEngine(int status, String reason, String message) {
        Matcher matcher = OPTION.matcher(message == null ? "" : message);
        StringBuilder text = new StringBuilder();
        String first = null;
        while (matcher.find()) {
            String name = fieldName(matcher.group(1));
            if (first == null) {
                first = name;
            }
            matcher.appendReplacement(text, Matcher.quoteReplacement(name));
        }
        matcher.appendTail(text);
        String line = SERVER_PATH.matcher(text).replaceAll("(a server file)");
        return new ServiceError(status, reason, first, line.replaceAll("\\s*\\R\\s*", " ").strip());
    }

    /** The request field of a command-line option: {@code search-steps} -> {@code searchSteps}. */
    static String fieldName(String option) {
        StringBuilder name = new StringBuilder();
        boolean upper = false;
        for (char c : option.toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                name.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return name.toString();
    }

    int status() {
        return status;
    }

    Body body() {
        return new Body(status, reason, field, getMessage());
    }
}

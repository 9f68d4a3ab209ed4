package io.noisesearch.format;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The one JSON configuration of the engine, for every file it writes (result.json, summary.json, demo reports) and
 * reads (model manifests). Records are written in component order, indented for people to read.
 */
public final class Json {

    /**
     * Algorithm records without components ("none") are written as an empty object; a manifest field that a
     * primitive holds must be present rather than read as 0.
     */
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private Json() {
    }

    public static void write(Path file, Object value) throws IOException {
        MAPPER.writeValue(file.toFile(), value);
    }

    /** The indented JSON of {@code value}, without a trailing newline. */
    public static String text(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static <T> T read(Path file, Class<T> type) throws IOException {
        return MAPPER.readValue(file.toFile(), type);
    }

    /** The JSON of {@code value} on one line, for JSON Lines files and canonical forms. */
    public static String line(Object value) {
        try {
            return MAPPER.writer().without(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads one JSON value from {@code text}; malformed text or a value of the wrong shape is an IOException. */
    public static <T> T parse(String text, Class<T> type) throws IOException {
        return MAPPER.readValue(text, type);
    }
}

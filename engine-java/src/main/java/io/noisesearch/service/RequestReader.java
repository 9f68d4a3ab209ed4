package io.noisesearch.service;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.core.JsonFactory;

import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads a search body strictly: one JSON object, every field of its JSON type (no strings for numbers, no fractions
 * for integers, no numbers beyond the field's range), no unknown or repeated fields, shallow nesting. Each failure
 * is a 400 naming the field.
 */
final class RequestReader {

    /** Deeper than the body's one list is no search request. */
    private static final int MAX_NESTING = 8;
    /** Longer than any model or verifier name (ensembles included). */
    static final int MAX_STRING = 1024;

    private final ObjectReader reader;

    RequestReader() {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING)
                        .maxStringLength(MAX_STRING).maxNumberLength(64).build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        JsonMapper mapper = JsonMapper.builder(factory)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .build();
        // A number or boolean where a name belongs is a wrong type, not a name.
        for (CoercionInputShape shape : List.of(CoercionInputShape.Integer, CoercionInputShape.Float,
                CoercionInputShape.Boolean)) {
            mapper.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
        }
        reader = mapper.readerFor(SearchBody.class);
    }

    SearchBody read(byte[] body) {
        if (body.length == 0) {
            throw ServiceError.invalid(null, "the request body is empty: send a JSON object");
        }
        try {
            SearchBody parsed = reader.readValue(body);
            if (parsed == null) {
                throw ServiceError.invalid(null, "the request body is null: send a JSON object");
            }
            return parsed;
        } catch (UnrecognizedPropertyException e) {
            throw ServiceError.invalid(e.getPropertyName(), "unknown field '" + e.getPropertyName() + "' (known: "
                    + e.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", "))
                    + ")");
        } catch (MismatchedInputException e) {
            String field = field(e.getPath());
            if (field == null) {
                throw ServiceError.invalid(null, "the request body must be a JSON object");
            }
            throw ServiceError.invalid(field, field + " must be " + expected(e.getTargetType()));
        } catch (JsonMappingException e) {
            String field = field(e.getPath());
            throw ServiceError.invalid(field, (field == null ? "the request body" : field) + " is not valid: "
                    + firstLine(e.getOriginalMessage()));
        } catch (InputCoercionException e) {
            throw ServiceError.invalid(currentField(e.getProcessor()), "a number is out of its field's range: "
                    + firstLine(e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            throw ServiceError.invalid(currentField(e.getProcessor()), "malformed JSON: "
                    + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw ServiceError.invalid(null, "the request body could not be read");
        }
    }

    private static String field(List<JsonMappingException.Reference> path) {
        for (JsonMappingException.Reference reference : path) {
            if (reference.getFieldName() != null) {
                return reference.getFieldName();
            }
        }
        return null;
    }

    private static String currentField(Object processor) {
        if (processor instanceof JsonParser parser) {
            try {
                return parser.currentName();
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
        return null;
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "of another type";
        }
        if (type == Integer.class || type == int.class) {
            return "an integer within " + Integer.MIN_VALUE + ".." + Integer.MAX_VALUE;
        }
        if (type == Long.class || type == long.class) {
            return "an integer within " + Long.MIN_VALUE + ".." + Long.MAX_VALUE;
        }
        if (type == Double.class || type == double.class) {
            return "a number";
        }
        if (type == String.class) {
            return "a string";
        }
        if (List.class.isAssignableFrom(type)) {
            return "a list of numbers";
        }
        return "a " + type.getSimpleName();
    }

    /** Jackson's messages end in a source excerpt on further lines; the first line says what is wrong. */
    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int end = message.indexOf('\n');
        return (end < 0 ? message : message.substring(0, end)).strip();
    }
}

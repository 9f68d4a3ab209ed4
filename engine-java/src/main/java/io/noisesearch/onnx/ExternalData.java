package io.noisesearch.onnx;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.model.Confined;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The external-data files an ONNX model names, read from its protobuf without loading it: ONNX Runtime opens every
 * tensor's {@code location} relative to the model file, so a model folder could make it read any file. Walks every
 * place a tensor can sit (initializers, sparse initializers, node attributes, subgraphs, functions, training info)
 * by the field numbers of onnx.proto.
 */
final class ExternalData {

    private static final int WIRE_VARINT = 0;
    private static final int WIRE_FIXED64 = 1;
    private static final int WIRE_BYTES = 2;
    private static final int WIRE_FIXED32 = 5;

    private ExternalData() {
    }

    /** Refuses the model unless every external-data file it names resolves, after links, inside {@code folder}. */
    static void requireConfined(Path modelFile, Path folder) {
        List<String> locations;
        try {
            locations = locations(Files.readAllBytes(modelFile));
        } catch (IOException e) {
            throw new InvalidRequestException(modelFile + ": cannot be read (" + e.getClass().getSimpleName() + ")", e);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(modelFile + ": not a loadable ONNX model (" + e.getMessage() + ")", e);
        }
        for (String location : locations) {
            Confined.require(folder, location, modelFile + ": external data '" + location + "'");
        }
    }

    /** Every {@code location} of external data in a serialized ModelProto, in file order. */
    static List<String> locations(byte[] model) {
        List<String> found = new ArrayList<>();
        new Reader(model, 0, model.length).messages(field -> switch (field) {
            case 7 -> ExternalData::graph;                 // graph
            case 20 -> ExternalData::trainingInfo;         // training_info
            case 25 -> ExternalData::function;             // functions
            default -> null;
        }, found);
        return found;
    }

    private static void graph(Reader r, List<String> found) {
        r.messages(field -> switch (field) {
            case 1 -> ExternalData::node;                  // node
            case 5 -> ExternalData::tensor;                // initializer
            case 15 -> ExternalData::sparseTensor;         // sparse_initializer
            default -> null;
        }, found);
    }

    /** TrainingInfoProto: initialization 1 and algorithm 2 are graphs. */
    private static void trainingInfo(Reader r, List<String> found) {
        r.messages(field -> field == 1 || field == 2 ? ExternalData::graph : null, found);
    }

    private static void function(Reader r, List<String> found) {
        r.messages(field -> switch (field) {
            case 7 -> ExternalData::node;                  // node
            case 11 -> ExternalData::attribute;            // attribute_proto
            default -> null;
        }, found);
    }

    private static void node(Reader r, List<String> found) {
        r.messages(field -> field == 5 ? ExternalData::attribute : null, found);
    }

    private static void attribute(Reader r, List<String> found) {
        r.messages(field -> switch (field) {
            case 5, 10 -> ExternalData::tensor;            // t, tensors
            case 6, 11 -> ExternalData::graph;             // g, graphs
            case 22, 23 -> ExternalData::sparseTensor;     // sparse_tensor, sparse_tensors
            default -> null;
        }, found);
    }

    private static void sparseTensor(Reader r, List<String> found) {
        r.messages(field -> field == 1 || field == 2 ? ExternalData::tensor : null, found); // values, indices
    }

    private static void tensor(Reader r, List<String> found) {
        r.messages(field -> field == 13 ? ExternalData::entry : null, found); // external_data
    }

    /** A StringStringEntryProto: key 1, value 2; a "location" entry names a file. */
    private static void entry(Reader r, List<String> found) {
        String[] keyValue = new String[2];
        r.fields((field, value) -> {
            if (field == 1 || field == 2) {
                keyValue[field - 1] = new String(value, StandardCharsets.UTF_8);
            }
        });
        if ("location".equals(keyValue[0]) && keyValue[1] != null) {
            found.add(keyValue[1]);
        }
    }

    @FunctionalInterface
    private interface Walker {
        void walk(Reader r, List<String> found);
    }

    @FunctionalInterface
    private interface Schema {
        /** The walker of a length-delimited field that holds a message of interest, else null (skipped). */
        Walker of(int field);
    }

    @FunctionalInterface
    private interface BytesField {
        void accept(int field, byte[] value);
    }

    /** The protobuf wire format over a byte range: varints, fixed 32/64-bit and length-delimited fields. */
    private record Reader(byte[] bytes, int start, int end) {

        void messages(Schema schema, List<String> found) {
            walk((field, from, to) -> {
                Walker walker = schema.of(field);
                if (walker != null) {
                    walker.walk(new Reader(bytes, from, to), found);
                }
            });
        }

        void fields(BytesField sink) {
            walk((field, from, to) -> sink.accept(field, java.util.Arrays.copyOfRange(bytes, from, to)));
        }

        private interface Span {
            void accept(int field, int from, int to);
        }

        private void walk(Span span) {
            int[] at = {start};
            while (at[0] < end) {
                long tag = varint(at);
                int field = (int) (tag >>> 3);
                switch ((int) (tag & 7)) {
                    case WIRE_VARINT -> varint(at);
                    case WIRE_FIXED64 -> skip(at, 8);
                    case WIRE_FIXED32 -> skip(at, 4);
                    case WIRE_BYTES -> {
                        long length = varint(at);
                        if (length < 0 || length > end - at[0]) {
                            throw new IllegalArgumentException("a field runs past the end of the file");
                        }
                        span.accept(field, at[0], at[0] + (int) length);
                        at[0] += (int) length;
                    }
                    default -> throw new IllegalArgumentException("unsupported protobuf wire type " + (tag & 7));
                }
            }
        }

        private void skip(int[] at, int count) {
            if (count > end - at[0]) {
                throw new IllegalArgumentException("a field runs past the end of the file");
            }
            at[0] += count;
        }

        private long varint(int[] at) {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (at[0] >= end) {
                    throw new IllegalArgumentException("a varint runs past the end of the file");
                }
                byte b = bytes[at[0]++];
                value |= (long) (b & 0x7f) << shift;
                if (b >= 0) {
                    return value;
                }
            }
            throw new IllegalArgumentException("a varint is longer than 10 bytes");
        }
    }
}

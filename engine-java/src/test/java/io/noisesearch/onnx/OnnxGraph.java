package io.noisesearch.onnx;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The nodes and initializers of an ONNX file's main graph, read from its protobuf (onnx.proto field numbers), for
 * tests that check what a tool wrote. Initializers are read from raw_data or float_data/int32_data; external data is
 * not followed.
 */
record OnnxGraph(List<Node> nodes, Map<String, Tensor> initializers, List<String> outputs) {

    record Node(String name, String op, List<String> inputs, List<String> outputs, Map<String, Long> ints) {
    }

    /** ONNX data types: 1 float, 2 uint8, 3 int8, 6 int32, 7 int64. */
    record Tensor(String name, long[] dims, int type, byte[] raw, List<Float> floats, List<Long> ints) {

        long size() {
            long n = 1;
            for (long d : dims) {
                n *= d;
            }
            return n;
        }

        /** Element i as a double, whatever its type. */
        double at(int i) {
            if (raw == null) {
                return type == 1 ? floats.get(i) : ints.get(i);
            }
            ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
            return switch (type) {
                case 1 -> b.getFloat(4 * i);
                case 2 -> raw[i] & 0xff;
                case 3 -> raw[i];
                case 6 -> b.getInt(4 * i);
                case 7 -> b.getLong(8 * i);
                default -> throw new IllegalArgumentException("data type " + type);
            };
        }
    }

    static OnnxGraph read(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        List<Node> nodes = new ArrayList<>();
        Map<String, Tensor> initializers = new LinkedHashMap<>();
        List<String> outputs = new ArrayList<>();
        for (Field model : fields(bytes, 0, bytes.length)) {
            if (model.number == 7) {                               // ModelProto.graph
                for (Field g : fields(bytes, model.from, model.to)) {
                    switch (g.number) {
                        case 1 -> nodes.add(node(bytes, g));          // node
                        case 5 -> {                                   // initializer
                            Tensor t = tensor(bytes, g);
                            initializers.put(t.name(), t);
                        }
                        case 12 -> outputs.add(firstString(bytes, g, 1)); // output: ValueInfoProto.name
                        default -> { }
                    }
                }
            }
        }
        return new OnnxGraph(nodes, initializers, outputs);
    }

    List<Node> ofType(String op) {
        return nodes.stream().filter(n -> n.op().equals(op)).toList();
    }

    /** The node that writes {@code tensor}, or null (a graph input or an initializer). */
    Node producer(String tensor) {
        return nodes.stream().filter(n -> n.outputs().contains(tensor)).findFirst().orElse(null);
    }

    List<Node> consumers(String tensor) {
        return nodes.stream().filter(n -> n.inputs().contains(tensor)).toList();
    }

    private static Node node(byte[] bytes, Field f) {
        String name = "";
        String op = "";
        List<String> in = new ArrayList<>();
        List<String> out = new ArrayList<>();
        Map<String, Long> ints = new LinkedHashMap<>();
        for (Field n : fields(bytes, f.from, f.to)) {
            switch (n.number) {
                case 1 -> in.add(n.text(bytes));
                case 2 -> out.add(n.text(bytes));
                case 3 -> name = n.text(bytes);
                case 4 -> op = n.text(bytes);
                case 5 -> {                                           // AttributeProto: name 1, i 3
                    String attribute = firstString(bytes, n, 1);
                    for (Field a : fields(bytes, n.from, n.to)) {
                        if (a.number == 3 && a.varint != null) {
                            ints.put(attribute, a.varint);
                        }
                    }
                }
                default -> { }
            }
        }
        return new Node(name, op, in, out, ints);
    }

    private static Tensor tensor(byte[] bytes, Field f) {
        List<Long> dims = new ArrayList<>();
        List<Float> floats = new ArrayList<>();
        List<Long> ints = new ArrayList<>();
        int type = 0;
        String name = "";
        byte[] raw = null;
        for (Field t : fields(bytes, f.from, f.to)) {
            switch (t.number) {
                case 1 -> {
                    if (t.varint != null) {
                        dims.add(t.varint);
                    } else {
                        int[] at = {t.from};
                        while (at[0] < t.to) {
                            dims.add(varint(bytes, at));
                        }
                    }
                }
                case 2 -> type = Math.toIntExact(t.varint);
                case 4 -> {
                    ByteBuffer b = ByteBuffer.wrap(bytes, t.from, t.to - t.from).order(ByteOrder.LITTLE_ENDIAN);
                    while (b.remaining() >= 4) {
                        floats.add(b.getFloat());
                    }
                }
                case 5, 7 -> {
                    if (t.varint != null) {
                        ints.add(t.varint);
                    } else {
                        int[] at = {t.from};
                        while (at[0] < t.to) {
                            ints.add(varint(bytes, at));
                        }
                    }
                }
                case 8 -> name = t.text(bytes);
                case 9 -> raw = java.util.Arrays.copyOfRange(bytes, t.from, t.to);
                default -> { }
            }
        }
        return new Tensor(name, dims.stream().mapToLong(Long::longValue).toArray(), type, raw, floats, ints);
    }

    private static String firstString(byte[] bytes, Field f, int number) {
        return fields(bytes, f.from, f.to).stream().filter(x -> x.number == number && x.varint == null)
                .findFirst().map(x -> x.text(bytes)).orElse("");
    }

    /** One field: a varint's value, or a length-delimited span [from, to). */
    private record Field(int number, Long varint, int from, int to) {
        String text(byte[] bytes) {
            return new String(bytes, from, to - from, StandardCharsets.UTF_8);
        }
    }

    private static List<Field> fields(byte[] bytes, int start, int end) {
        List<Field> fields = new ArrayList<>();
        int[] at = {start};
        while (at[0] < end) {
            long tag = varint(bytes, at);
            int number = (int) (tag >>> 3);
            switch ((int) (tag & 7)) {
                case 0 -> fields.add(new Field(number, varint(bytes, at), 0, 0));
                case 1 -> at[0] += 8;
                case 5 -> at[0] += 4;
                case 2 -> {
                    int length = Math.toIntExact(varint(bytes, at));
                    fields.add(new Field(number, null, at[0], at[0] + length));
                    at[0] += length;
                }
                default -> throw new IllegalArgumentException("wire type " + (tag & 7));
            }
        }
        return fields;
    }

    private static long varint(byte[] bytes, int[] at) {
        long value = 0;
        for (int shift = 0; ; shift += 7) {
            byte b = bytes[at[0]++];
            value |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return value;
            }
        }
    }
}

package io.noisesearch.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Protobuf fields written by hand (tag = field << 3 | wire type), for ONNX files that tests make. */
final class Protobuf {

    private Protobuf() {
    }

    static byte[] field(int number, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        varint(out, (long) number << 3 | 2);
        varint(out, value.length);
        out.writeBytes(value);
        return out.toByteArray();
    }

    static byte[] field(int number, String text) {
        return field(number, text.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] varintField(int number, long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        varint(out, (long) number << 3);
        varint(out, value);
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static void varint(ByteArrayOutputStream out, long value) {
        while ((value & ~0x7fL) != 0) {
            out.write((int) (value & 0x7f) | 0x80);
            value >>>= 7;
        }
        out.write((int) value);
    }

    /** A float tensor [N, 4] value info (dynamic batch N). */
    private static byte[] valueInfo(String name) {
        byte[] dims = concat(field(1, field(2, "N")), field(1, varintField(1, 4)));
        byte[] tensorType = concat(varintField(1, 1), field(2, dims));
        return concat(field(1, name), field(2, field(1, tensorType)));
    }

    /**
     * An ONNX model y = Identity(x), x and y float [N, 4], with an initializer no node uses: ONNX Runtime removes it
     * when the session is made and logs a warning saying so.
     */
    static byte[] identityWithUnusedInitializer() {
        byte[] node = concat(field(1, "x"), field(2, "y"), field(4, "Identity"));
        byte[] unused = concat(varintField(1, 1), varintField(2, 1), field(8, "unused"), field(9, new byte[4]));
        byte[] graph = concat(field(1, node), field(2, "g"), field(5, unused), field(11, valueInfo("x")),
                field(12, valueInfo("y")));
        byte[] opset = concat(field(1, ""), varintField(2, 13));
        return concat(varintField(1, 8), field(8, opset), field(7, graph));
    }
}

package io.noisesearch.format;

import io.noisesearch.InvalidRequestException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The NumPy {@code .npy} format (numpy.lib.format): the magic {@code \x93NUMPY}, a version, a little-endian header
 * length, an ASCII Python-dict header {@code {'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }} padded
 * with spaces and a newline to a multiple of 64 bytes, then the raw elements. Writes version 1.0 (2.0 when the
 * header needs it); reads 1.0, 2.0 and 3.0. Only the dtypes of {@link NpyArray.Dtype} in C order are accepted
 * (unicode strings as UTF-32LE, {@code '<U<chars>'}).
 */
public final class Npy {

    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** Magic, version and the header's length: 10 bytes for version 1, 12 for versions 2 and 3. */
    static final int PREAMBLE = 12;
    private static final int ALIGN = 64;
    /** Elements of a unicode array: each becomes a Java String, which costs far more heap than its bytes. */
    static final int MAX_STRINGS = 1 << 24;
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    /** The complete .npy encoding of an array. */
    public static byte[] encode(NpyArray array) {
        byte[] header = header(array.descr(), array.shape());
        long dataBytes = (long) array.elements() * array.itemSize();
        long total = header.length + dataBytes;
        if (total > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("array " + array + " is too large for one .npy entry here");
        }
        ByteBuffer out = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        out.put(header);
        switch (array.dtype()) {
            case UINT8 -> out.put(array.uint8());
            case INT64 -> out.asLongBuffer().put(array.int64());
            case FLOAT32 -> out.asFloatBuffer().put(array.float32());
            case UNICODE -> putUnicode(out, array.unicode(), array.itemSize() / 4);
        }
        return out.array();
    }

    /** Each string's code points as little-endian 32-bit words, padded with zeros to {@code chars}. */
    static void putUnicode(ByteBuffer out, String[] strings, int chars) {
        for (String s : strings) {
            int[] points = s.codePoints().toArray();
            for (int p : points) {
                out.putInt(p);
            }
            for (int i = points.length; i < chars; i++) {
                out.putInt(0);
            }
        }
    }

    /** The preamble and the padded header of an array with this descriptor and shape. */
    static byte[] header(String descr, long[] shape) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': "
                + NpyArray.shapeString(shape) + ", }";
        byte[] text = dict.getBytes(StandardCharsets.US_ASCII);
        int length = text.length + 1; // + newline
        int padded = padded(10, length);
        boolean v1 = padded <= 0xffff;
        int prefix = v1 ? 10 : 12;
        padded = padded(prefix, length);
        ByteBuffer out = ByteBuffer.allocate(prefix + padded).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) (v1 ? 1 : 2)).put((byte) 0);
        if (v1) {
            out.putShort((short) padded);
        } else {
            out.putInt(padded);
        }
        out.put(text);
        for (int i = length; i < padded; i++) {
            out.put((byte) ' ');
        }
        out.put((byte) '\n');
        return out.array();
    }

    /** The header length after a {@code prefix}-byte preamble, padded so that data starts 64-byte aligned. */
    private static int padded(int prefix, int length) {
        return (prefix + length + ALIGN - 1) / ALIGN * ALIGN - prefix;
    }

    /**
     * What a .npy header says: the element type and shape, where the data starts, and how many bytes it takes.
     *
     * @param descr the header's dtype text, for messages
     */
    record Header(NpyArray.Dtype dtype, String descr, int itemSize, long[] shape, long dataOffset, long dataBytes) {

        /** Bytes of the whole encoding: preamble, header and data. */
        long encodedBytes() {
            return dataOffset + dataBytes;
        }

        String describe() {
            return "shape " + NpyArray.shapeString(shape) + " of " + descr;
        }
    }

    /**
     * Where the data of an encoding starts (after the magic, the version, the header's length and the header), from
     * its first {@link #PREAMBLE} bytes.
     */
    static long dataOffset(byte[] bytes, String where) {
        if (bytes.length < 10) {
            throw bad(where, "too short for a .npy header (" + bytes.length + " bytes)");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                throw bad(where, "not a .npy array (no \\x93NUMPY magic)");
            }
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int major = bytes[6] & 0xff;
        if (major == 1) {
            return 10 + (in.getShort(8) & 0xffff);
        }
        if (major == 2 || major == 3) {
            if (bytes.length < 12) {
                throw bad(where, "truncated .npy header");
            }
            return 12 + (in.getInt(8) & 0xffffffffL);
        }
        throw bad(where, "unsupported .npy format version " + major + " (1, 2 or 3 expected)");
    }

    /** The header of an encoding whose first bytes, up to the header's end at least, are {@code bytes}. */
    static Header header(byte[] bytes, String where) {
        long dataOffset = dataOffset(bytes, where);
        int major = bytes[6] & 0xff;
        int prefix = major == 1 ? 10 : 12;
        if (dataOffset > bytes.length) {
            throw bad(where, "truncated .npy header (" + (dataOffset - prefix) + " bytes announced, "
                    + (bytes.length - prefix) + " present)");
        }
        String header = new String(bytes, prefix, (int) (dataOffset - prefix),
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);

        String descr = field(DESCR, header, "descr", where);
        NpyArray.Dtype dtype = NpyArray.Dtype.ofDescr(descr);
        if (dtype == null) {
            throw bad(where, "dtype " + shown(descr) + " is not supported (uint8 '|u1', little-endian int64 '<i8',"
                    + " float32 '<f4' or unicode '<U<chars>')");
        }
        int itemSize = dtype == NpyArray.Dtype.UNICODE
                ? dtype.size() * Integer.parseInt(descr.substring(2)) : dtype.size();
        if (field(FORTRAN, header, "fortran_order", where).equals("True")) {
            throw bad(where, "fortran_order is True: only C-order arrays are supported (save with"
                    + " numpy.ascontiguousarray)");
        }
        long[] shape = parseShape(field(SHAPE, header, "shape", where), where);
        long dataBytes;
        try {
            dataBytes = Math.multiplyExact(NpyArray.count(shape), itemSize);
            Math.addExact(dataOffset, dataBytes);
        } catch (ArithmeticException e) {
            throw bad(where, "shape " + NpyArray.shapeString(shape) + " is too large");
        }
        return new Header(dtype, descr, itemSize, shape, dataOffset, dataBytes);
    }

    /**
     * Decodes a complete .npy encoding; {@code where} (e.g. {@code "samples.npz entry 'arr_0'"}) starts every error
     * message.
     */
    public static NpyArray decode(byte[] bytes, String where) {
        Header header = header(bytes, where);
        long[] shape = header.shape();
        long dataBytes = header.dataBytes();
        long count = dataBytes / header.itemSize();
        if (count > Integer.MAX_VALUE - 16 || dataBytes > Integer.MAX_VALUE) {
            throw bad(where, "shape " + NpyArray.shapeString(shape) + " is too large to read here");
        }
        if (header.dtype() == NpyArray.Dtype.UNICODE && count > MAX_STRINGS) {
            throw bad(where, "shape " + NpyArray.shapeString(shape) + " holds " + count + " strings, over the "
                    + MAX_STRINGS + " read here");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).position((int) header.dataOffset());
        if (in.remaining() < dataBytes) {
            throw bad(where, "truncated data: " + header.describe() + " needs " + dataBytes + " bytes, "
                    + in.remaining() + " present");
        }
        if (in.remaining() > dataBytes) {
            throw trailing(where, Long.toString(in.remaining() - dataBytes), header);
        }
        int n = (int) count;
        return switch (header.dtype()) {
            case UINT8 -> {
                byte[] data = new byte[n];
                in.get(data);
                yield NpyArray.ofUint8(data, shape);
            }
            case INT64 -> {
                long[] data = new long[n];
                in.asLongBuffer().get(data);
                yield NpyArray.ofInt64(data, shape);
            }
            case FLOAT32 -> {
                float[] data = new float[n];
                in.asFloatBuffer().get(data);
                yield NpyArray.ofFloat32(data, shape);
            }
            case UNICODE -> NpyArray.ofUnicode(header.itemSize() / 4, unicode(in, n, header.itemSize() / 4, where),
                    shape);
        };
    }

    /** {@code n} elements of {@code chars} UTF-32LE code points, trailing NULs stripped as NumPy does. */
    private static String[] unicode(ByteBuffer in, int n, int chars, String where) {
        String[] out = new String[n];
        int[] points = new int[chars];
        for (int i = 0; i < n; i++) {
            int length = 0;
            for (int c = 0; c < chars; c++) {
                points[c] = in.getInt();
                if (points[c] != 0) {
                    length = c + 1;
                }
                if (!Character.isValidCodePoint(points[c])) {
                    throw bad(where, "element " + i + " holds an invalid code point");
                }
            }
            out[i] = new String(points, 0, length);
        }
        return out;
    }

    /** Bytes after the data of an encoding: "4 bytes after the data of shape (2, 2) of <f4". */
    static InvalidRequestException trailing(String where, String bytes, Header header) {
        return bad(where, bytes + " bytes after the data of " + header.describe());
    }

    private static String field(Pattern pattern, String header, String name, String where) {
        Matcher m = pattern.matcher(header);
        if (!m.find()) {
            throw bad(where, "the .npy header has no valid '" + name + "'");
        }
        return m.group(1);
    }

    private static long[] parseShape(String text, String where) {
        List<Long> dims = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.strip();
            if (p.isEmpty()) {
                continue;
            }
            if (p.toUpperCase(Locale.ROOT).endsWith("L")) {
                p = p.substring(0, p.length() - 1); // Python 2 longs
            }
            try {
                long d = Long.parseLong(p);
                if (d < 0) {
                    throw new NumberFormatException();
                }
                dims.add(d);
            } catch (NumberFormatException e) {
                throw bad(where, "bad dimension " + shown(part.strip()) + " in its shape");
            }
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    /** A value read from the file, quoted where it is short and plain; messages never echo other file contents. */
    private static String shown(String value) {
        return value.matches("[\\w<>|=.+-]{1,16}") ? "'" + value + "'" : "(not shown)";
    }

    private static InvalidRequestException bad(String where, String problem) {
        return new InvalidRequestException(where + ": " + problem);
    }
}

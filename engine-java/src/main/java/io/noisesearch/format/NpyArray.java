package io.noisesearch.format;

import java.util.Arrays;

/**
 * One array of a NumPy {@code .npy} / {@code .npz} file: a dtype, a C-order shape of any rank (rank 0 is a scalar)
 * and the elements, flat in row-major order, in the Java array of the dtype ({@code byte[]} for uint8, read as
 * unsigned by {@link #uint8At}; {@code long[]} for int64; {@code float[]} for float32; {@code String[]} for NumPy's
 * fixed-width unicode strings, {@code '<U<chars>'}: UTF-32LE code points, each element padded with NULs to the width,
 * which NumPy strips when it reads an element).
 */
public final class NpyArray {

    /** The dtypes this reader and writer handle, with their NumPy descriptors (little-endian). */
    public enum Dtype {
        UINT8("|u1", 1), INT64("<i8", 8), FLOAT32("<f4", 4),
        /** Fixed-width unicode strings; the descriptor is {@code <U} and the width, the size is per character. */
        UNICODE("<U", 4);

        private final String descr;
        private final int size;

        Dtype(String descr, int size) {
            this.descr = descr;
            this.size = size;
        }

        public String descr() {
            return descr;
        }

        public int size() {
            return size;
        }

        /** The dtype of a NumPy descriptor; '<u1' and '=u1' are also uint8, '<U7' is unicode. Null when unsupported. */
        static Dtype ofDescr(String descr) {
            if (UNICODE_DESCR.matcher(descr).matches()) {
                return UNICODE;
            }
            return switch (descr) {
                case "|u1", "<u1", "=u1", "u1" -> UINT8;
                case "<i8" -> INT64;
                case "<f4" -> FLOAT32;
                default -> null;
            };
        }
    }

    /** Unicode descriptors: little-endian (or one-byte-order '|', '=') 'U' with a positive width of characters. */
    static final java.util.regex.Pattern UNICODE_DESCR = java.util.regex.Pattern.compile("[<|=]U([1-9][0-9]{0,6})");

    private final Dtype dtype;
    private final long[] shape;
    private final Object data;
    /** Characters per element of a unicode array; 0 for the other dtypes. */
    private final int chars;

    private NpyArray(Dtype dtype, long[] shape, Object data, int length) {
        this(dtype, shape, data, length, 0);
    }

    private NpyArray(Dtype dtype, long[] shape, Object data, int length, int chars) {
        long count = count(shape);
        if (count != length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + count
                    + " elements but the data has " + length);
        }
        this.dtype = dtype;
        this.shape = shape.clone();
        this.data = data;
        this.chars = chars;
    }

    public static NpyArray ofUint8(byte[] data, long... shape) {
        return new NpyArray(Dtype.UINT8, shape, data, data.length);
    }

    public static NpyArray ofInt64(long[] data, long... shape) {
        return new NpyArray(Dtype.INT64, shape, data, data.length);
    }

    public static NpyArray ofFloat32(float[] data, long... shape) {
        return new NpyArray(Dtype.FLOAT32, shape, data, data.length);
    }

    /** A unicode array as narrow as its longest element (in code points, at least 1), like {@code numpy.array}. */
    public static NpyArray ofUnicode(String[] data, long... shape) {
        int width = 1;
        for (String s : data) {
            width = Math.max(width, s.codePointCount(0, s.length()));
        }
        return ofUnicode(width, data, shape);
    }

    /** A unicode array {@code <U<chars>}; an element longer than {@code chars} code points is refused. */
    public static NpyArray ofUnicode(int chars, String[] data, long... shape) {
        if (chars < 1) {
            throw new IllegalArgumentException("a unicode array needs a width of at least 1 character, not " + chars);
        }
        for (String s : data) {
            if (s.codePointCount(0, s.length()) > chars) {
                throw new IllegalArgumentException("'" + s + "' is longer than the array's " + chars + " characters");
            }
        }
        return new NpyArray(Dtype.UNICODE, shape, data.clone(), data.length, chars);
    }

    /** A float32 [rows, columns] array from equal-length rows. */
    public static NpyArray ofFloat32Rows(float[][] rows) {
        int columns = rows.length == 0 ? 0 : rows[0].length;
        float[] flat = new float[Math.multiplyExact(rows.length, columns)];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != columns) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length + " columns, row 0 has "
                        + columns);
            }
            System.arraycopy(rows[i], 0, flat, i * columns, columns);
        }
        return ofFloat32(flat, rows.length, columns);
    }

    static long count(long[] shape) {
        long count = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            count = Math.multiplyExact(count, d);
        }
        return count;
    }

    public Dtype dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int axis) {
        return shape[axis];
    }

    public int elements() {
        return switch (dtype) {
            case UINT8 -> ((byte[]) data).length;
            case INT64 -> ((long[]) data).length;
            case FLOAT32 -> ((float[]) data).length;
            case UNICODE -> ((String[]) data).length;
        };
    }

    /** Bytes of one element: the dtype's size, times the width for unicode. */
    public int itemSize() {
        return dtype == Dtype.UNICODE ? Dtype.UNICODE.size() * chars : dtype.size();
    }

    /** The NumPy descriptor of this array, e.g. {@code <f4} or {@code <U12}. */
    public String descr() {
        return dtype == Dtype.UNICODE ? Dtype.UNICODE.descr() + chars : dtype.descr();
    }

    /** The elements of a uint8 array as stored (Java bytes; {@code & 0xff} or {@link #uint8At} for the value). */
    public byte[] uint8() {
        return (byte[]) as(Dtype.UINT8);
    }

    public int uint8At(int index) {
        return uint8()[index] & 0xff;
    }

    public long[] int64() {
        return (long[]) as(Dtype.INT64);
    }

    public float[] float32() {
        return (float[]) as(Dtype.FLOAT32);
    }

    /** The elements of a unicode array (trailing NULs stripped, as NumPy reads them). */
    public String[] unicode() {
        return ((String[]) as(Dtype.UNICODE)).clone();
    }

    /** A rank-2 float32 array as rows (copied). */
    public float[][] float32Rows() {
        float[] flat = float32();
        if (rank() != 2) {
            throw new IllegalStateException("float32Rows needs a rank-2 array, this one has shape " + shapeString());
        }
        int rows = (int) shape[0];
        int columns = (int) shape[1];
        float[][] out = new float[rows][];
        for (int i = 0; i < rows; i++) {
            out[i] = Arrays.copyOfRange(flat, i * columns, (i + 1) * columns);
        }
        return out;
    }

    private Object as(Dtype wanted) {
        if (dtype != wanted) {
            throw new IllegalStateException("the array is " + dtype.descr() + ", not " + wanted.descr());
        }
        return data;
    }

    /** NumPy's spelling of the shape, e.g. (3, 28, 28, 1), (5,) or (). */
    public String shapeString() {
        return shapeString(shape);
    }

    static String shapeString(long[] shape) {
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            s.append(shape[i]);
            if (i < shape.length - 1 || shape.length == 1) {
                s.append(shape.length == 1 ? "," : ", ");
            }
        }
        return s.append(')').toString();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof NpyArray other) || dtype != other.dtype || chars != other.chars
                || !Arrays.equals(shape, other.shape)) {
            return false;
        }
        return switch (dtype) {
            case UINT8 -> Arrays.equals((byte[]) data, (byte[]) other.data);
            case INT64 -> Arrays.equals((long[]) data, (long[]) other.data);
            case FLOAT32 -> Arrays.equals((float[]) data, (float[]) other.data);
            case UNICODE -> Arrays.equals((String[]) data, (String[]) other.data);
        };
    }

    @Override
    public int hashCode() {
        return 31 * dtype.hashCode() + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "NpyArray[" + descr() + " " + shapeString() + "]";
    }
}

package io.noisesearch.format;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A {@code .npz} written entry by entry, so that an array larger than memory can be streamed: each entry is
 * deflated (fastest level, like {@code numpy.savez_compressed}; numpy and {@link Npz#read} read it), and an entry's
 * data may be written in pieces after its header. Zip64 is used where the sizes need it.
 */
public final class NpzWriter implements AutoCloseable {

    private final ZipOutputStream zip;
    private Entry open;

    private NpzWriter(OutputStream out) {
        this.zip = new ZipOutputStream(new BufferedOutputStream(out, 1 << 16));
        zip.setLevel(Deflater.BEST_SPEED);
    }

    public static NpzWriter create(Path file) throws IOException {
        return new NpzWriter(Files.newOutputStream(file));
    }

    /** Writes a whole array as the entry {@code name}. */
    public void write(String name, NpyArray array) throws IOException {
        finishOpenEntry();
        begin(name);
        zip.write(Npy.encode(array));
        zip.closeEntry();
    }

    /**
     * Starts the entry {@code name} of {@code descr} and {@code shape} and returns the stream its raw data (C order,
     * little-endian) is written to; it must take exactly the bytes the shape holds before the next entry or
     * {@link #close}.
     */
    public Entry begin(String name, String descr, int itemSize, long... shape) throws IOException {
        finishOpenEntry();
        begin(name);
        zip.write(Npy.header(descr, shape));
        open = new Entry(name, Math.multiplyExact(NpyArray.count(shape), itemSize));
        return open;
    }

    private void begin(String name) throws IOException {
        if (name.isEmpty() || name.contains("/")) {
            throw new IllegalArgumentException("bad .npz entry name '" + name + "'");
        }
        ZipEntry entry = new ZipEntry(name + ".npy");
        // A fixed time, so that the same arrays make the same bytes.
        entry.setTimeLocal(java.time.LocalDateTime.of(1980, 1, 1, 0, 0));
        zip.putNextEntry(entry);
    }

    private void finishOpenEntry() throws IOException {
        if (open != null) {
            Entry entry = open;
            open = null;
            if (entry.written != entry.expected) {
                throw new IllegalStateException("entry '" + entry.name + "' got " + entry.written + " bytes of data, its"
                        + " shape holds " + entry.expected);
            }
            zip.closeEntry();
        }
    }

    @Override
    public void close() throws IOException {
        try {
            finishOpenEntry();
        } finally {
            zip.close();
        }
    }

    /** The data stream of one entry; counts what it is given. Closing it does nothing. */
    public final class Entry extends FilterOutputStream {
        private final String name;
        private final long expected;
        private long written;
        private final ByteBuffer scratch = ByteBuffer.allocate(1 << 15).order(ByteOrder.LITTLE_ENDIAN);

        private Entry(String name, long expected) {
            super(zip);
            this.name = name;
            this.expected = expected;
        }

        @Override
        public void write(int b) throws IOException {
            count(1);
            zip.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            count(len);
            zip.write(b, off, len);
        }

        /** Little-endian int64 values. */
        public void writeLongs(long[] values, int from, int to) throws IOException {
            for (int i = from; i < to; i++) {
                if (scratch.remaining() < Long.BYTES) {
                    flushScratch();
                }
                scratch.putLong(values[i]);
            }
            flushScratch();
        }

        private void flushScratch() throws IOException {
            write(scratch.array(), 0, scratch.position());
            scratch.clear();
        }

        private void count(long bytes) {
            if (written + bytes > expected) {
                throw new IllegalStateException("entry '" + name + "' takes " + expected + " bytes of data, not more");
            }
            written += bytes;
        }

        @Override
        public void close() {
        }

        @Override
        public void flush() {
        }
    }
}

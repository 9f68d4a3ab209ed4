package io.noisesearch.format;

import io.noisesearch.InvalidRequestException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.InflaterInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A .npz file inflates no more than its entries' headers declare, within a limit for the whole file
 * (noisesearch.maxNpzMiB): zip bombs are refused in one line naming the file and the entry, without inflating them.
 */
class NpzLimitsTest {

    private static final long LIMIT = 2L << 30;
    private static final int ZEROS = 64 << 20;

    @TempDir
    Path temp;

    /** A version 1.0 .npy header (magic to newline, 64-byte aligned) for any shape text, however large. */
    private static byte[] header(String descr, String shape) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int padded = (10 + dict.length() + 1 + 63) / 64 * 64 - 10;
        ByteBuffer out = ByteBuffer.allocate(10 + padded).order(ByteOrder.LITTLE_ENDIAN);
        out.put(Npy.MAGIC).put((byte) 1).put((byte) 0).putShort((short) padded);
        out.put(dict.getBytes(StandardCharsets.US_ASCII));
        while (out.position() < out.capacity() - 1) {
            out.put((byte) ' ');
        }
        return out.put((byte) '\n').array();
    }

    /** {@code head} followed by {@code zeros} zero bytes, deflated: a few hundred kilobytes for 64 MiB. */
    private static byte[] deflated(byte[] head, int zeros) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DeflaterOutputStream out = new DeflaterOutputStream(bytes, new Deflater(Deflater.BEST_SPEED))) {
            out.write(head);
            byte[] block = new byte[1 << 20];
            for (int written = 0; written < zeros; written += block.length) {
                out.write(block, 0, Math.min(block.length, zeros - written));
            }
        }
        return bytes.toByteArray();
    }

    /** Counts the bytes read through it. */
    private static final class Counting extends FilterInputStream {
        long count;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            count += b < 0 ? 0 : 1;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            count += Math.max(0, n);
            return n;
        }
    }

    private static Counting inflating(byte[] deflated) {
        return new Counting(new InflaterInputStream(new ByteArrayInputStream(deflated)));
    }

    /** A zip of one deflated entry whose content is {@code head} and {@code zeros} zero bytes. */
    private Path bomb(String name, byte[] head, int zeros) throws IOException {
        Path file = temp.resolve(name);
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.setLevel(Deflater.BEST_SPEED);
            zip.putNextEntry(new ZipEntry("x.npy"));
            zip.write(head);
            byte[] block = new byte[1 << 20];
            for (int written = 0; written < zeros; written += block.length) {
                zip.write(block, 0, Math.min(block.length, zeros - written));
            }
            zip.closeEntry();
        }
        return file;
    }

    @Test
    void zerosBehindAHeaderOfASmallShapeAreRefusedWithoutInflatingThem() throws IOException {
        byte[] head = header("|u1", "(10,)");
        Counting in = inflating(deflated(head, ZEROS));

        assertThatThrownBy(() -> Npz.readEntry(in, -1, LIMIT, LIMIT, "f.npz entry 'x'"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("f.npz entry 'x': at least 65536 bytes after the data of shape (10,) of |u1");
        assertThat(in.count).as("bytes inflated").isLessThanOrEqualTo(head.length + 10 + 65536);
    }

    @Test
    void aHeaderThatClaimsAHugeShapeIsRefusedBeforeItsDataIsInflated() throws IOException {
        byte[] head = header("|u1", "(1000000000000,)");
        Counting in = inflating(deflated(head, 1 << 20));

        assertThatThrownBy(() -> Npz.readEntry(in, -1, LIMIT, LIMIT, "f.npz entry 'x'"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("f.npz entry 'x': its shape (1000000000000,) of |u1 takes "
                        + (1_000_000_000_000L + head.length)
                        + " bytes, over the limit of 2.0 GiB (set -Dnoisesearch.maxNpzMiB to raise it)");
        assertThat(in.count).as("bytes inflated").isEqualTo(head.length);
    }

    @Test
    void bothBombsAreRefusedByReadNamingTheFileAndTheEntry() throws IOException {
        Path zeros = bomb("zeros.npz", header("<f4", "(4,)"), ZEROS);
        assertThatThrownBy(() -> Npz.read(zeros)).isInstanceOf(InvalidRequestException.class)
                .hasMessage(zeros + " entry 'x': at least 65536 bytes after the data of shape (4,) of <f4");
        Path huge = bomb("huge.npz", header("<f4", "(100000, 100000, 100)"), 1 << 20);
        assertThatThrownBy(() -> Npz.read(huge)).isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith(huge + " entry 'x': its shape (100000, 100000, 100) of <f4 takes")
                .hasMessageContaining("noisesearch.maxNpzMiB");
    }

    @Test
    void anEntryThatDeclaresMoreThanIsLeftIsRefusedBeforeItIsRead() {
        Counting in = inflating(new byte[0]);

        assertThatThrownBy(() -> Npz.readEntry(in, 3L << 30, LIMIT, LIMIT, "f.npz entry 'x'"))
                .hasMessage("f.npz entry 'x': declares 3221225472 bytes, over the limit of 2.0 GiB (set"
                        + " -Dnoisesearch.maxNpzMiB to raise it)");
        assertThat(in.count).isZero();
    }

    @Test
    void aHeaderLongerThanAnyNumpyWritesIsRefused() {
        byte[] head = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).put(Npy.MAGIC).put((byte) 2)
                .put((byte) 0).putInt(Integer.MAX_VALUE).array();

        assertThatThrownBy(() -> Npz.readEntry(new ByteArrayInputStream(head), -1, LIMIT, LIMIT, "f.npz entry 'x'"))
                .hasMessage("f.npz entry 'x': a .npy header of 2147483659 bytes is longer than the 1048576 read here");
    }

    @Test
    void theLimitCoversTheEntriesOfAFileTogether() {
        Path file = temp.resolve("two.npz");
        Npz.write(file, Map.of("a", NpyArray.ofFloat32(new float[200_000], 200_000),
                "b", NpyArray.ofFloat32(new float[200_000], 200_000)));
        assertThat(Npz.read(file).names()).containsExactlyInAnyOrder("a", "b");

        System.setProperty(Npz.INFLATED.property(), "1");
        try {
            assertThatThrownBy(() -> Npz.read(file)).isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining(file + " entry '")
                    .hasMessageContaining("declares 800128 bytes, over the limit of 1.0 MiB")
                    .hasMessageContaining("with the 800128 bytes of the entries before it");
        } finally {
            System.clearProperty(Npz.INFLATED.property());
        }
    }
}

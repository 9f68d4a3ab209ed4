package io.noisesearch.format;

import io.noisesearch.InvalidRequestException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * .npz reading and writing against files numpy wrote (src/test/resources/npz/, made by
 * scripts/train/make_test_fixtures.py) and against itself.
 */
class NpzTest {

    @TempDir
    Path temp;

    static Path resource(String name) {
        URL url = NpzTest.class.getResource("/" + name);
        if (url == null) {
            throw new AssertionError("test fixture " + name + " is missing from src/test/resources; make it with"
                    + " '/usr/bin/python3 scripts/train/make_test_fixtures.py'");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    private static Map<String, NpyArray> sampleArrays() {
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        byte[] pixels = new byte[2 * 3 * 4];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 11);
        }
        arrays.put("arr_0", NpyArray.ofUint8(pixels, 2, 3, 4, 1));
        arrays.put("labels", NpyArray.ofInt64(new long[] {0, -1, Long.MAX_VALUE, Long.MIN_VALUE, 9}, 5));
        arrays.put("features", NpyArray.ofFloat32(new float[] {0.5f, -0f, Float.MIN_VALUE, Float.MAX_VALUE,
                Float.NaN, Float.NEGATIVE_INFINITY}, 3, 2));
        arrays.put("scalar", NpyArray.ofFloat32(new float[] {2.5f}));
        arrays.put("empty", NpyArray.ofUint8(new byte[0], 0, 3));
        return arrays;
    }

    @Test
    void roundTripKeepsDtypesShapesValuesAndOrder() throws IOException {
        Path file = temp.resolve("round.npz");
        Map<String, NpyArray> arrays = sampleArrays();
        Npz.write(file, arrays);
        Npz read = Npz.read(file);
        assertThat(read.names()).containsExactly("arr_0", "labels", "features", "scalar", "empty");
        for (Map.Entry<String, NpyArray> e : arrays.entrySet()) {
            assertThat(read.get(e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
        }
        assertThat(read.get("arr_0").uint8At(23)).isEqualTo(253);
        assertThat(read.get("scalar").rank()).isZero();
        assertThat(read.get("features").float32Rows()[1]).containsExactly(Float.MIN_VALUE, Float.MAX_VALUE);
        try (var files = Files.list(temp)) {
            assertThat(files.map(p -> p.getFileName().toString())).as("no temporary file left").containsExactly("round.npz");
        }
    }

    @Test
    void writtenHeadersAreNumpyVersionOneAlignedTo64Bytes() {
        byte[] bytes = Npy.encode(NpyArray.ofFloat32(new float[6], 3, 2));
        assertThat(Arrays.copyOf(bytes, 8)).isEqualTo(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        int headerLength = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
        assertThat((10 + headerLength) % 64).isZero();
        String header = new String(bytes, 10, headerLength, StandardCharsets.US_ASCII);
        assertThat(header).startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }").endsWith("\n");
        assertThat(bytes.length).isEqualTo(10 + headerLength + 6 * 4);
        String one = new String(Npy.encode(NpyArray.ofInt64(new long[5], 5)), 10, 60, StandardCharsets.US_ASCII);
        assertThat(one).contains("'shape': (5,)");
    }

    @Test
    void readsWhatNumpySavezAndSavezCompressedWrote() {
        for (String name : new String[] {"npz/numpy.npz", "npz/numpy-compressed.npz"}) {
            Npz npz = Npz.read(resource(name));
            assertThat(npz.names()).as(name).containsExactly("images", "labels", "features", "scalar", "empty");

            NpyArray images = npz.get("images", NpyArray.Dtype.UINT8, 3);
            assertThat(images.shape()).containsExactly(2, 3, 4);
            for (int i = 0; i < 24; i++) {
                assertThat(images.uint8At(i)).isEqualTo(i * 10); // np.arange(24) * 10, up to 230
            }
            assertThat(npz.get("labels", NpyArray.Dtype.INT64, 1).int64())
                    .containsExactly(0, -1, 7, 1L << 40, -(1L << 62));
            NpyArray features = npz.get("features", NpyArray.Dtype.FLOAT32, 2);
            assertThat(features.shape()).containsExactly(3, 2);
            assertThat(features.float32()).containsExactly(0.5f, -1.25f, 3.0e-8f, 1.0e30f, -0.0f, 7.0f);
            NpyArray scalar = npz.get("scalar");
            assertThat(scalar.rank()).isZero();
            assertThat(scalar.float32()).containsExactly(2.5f);
            assertThat(npz.get("empty").shape()).containsExactly(0, 3);
        }
    }

    @Test
    void fortranOrderIsRejectedNamingFileAndEntry() {
        Path file = resource("npz/fortran.npz");
        assertThatThrownBy(() -> Npz.read(file)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("entry 'x'")
                .hasMessageContaining("fortran_order is True");
    }

    @Test
    void unsupportedDtypeIsRejectedNamingIt() {
        Path file = resource("npz/big-endian.npz");
        assertThatThrownBy(() -> Npz.read(file)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("entry 'x'")
                .hasMessageContaining("'>f4' is not supported");
    }

    @Test
    void headersAreNotEchoedInMessages() throws IOException {
        byte[] good = Npy.encode(NpyArray.ofFloat32(new float[] {1, 2, 3, 4}, 2, 2));
        int headerLength = (good[8] & 0xff) | (good[9] & 0xff) << 8;
        String header = new String(good, 10, headerLength, StandardCharsets.US_ASCII);
        String longer = header.replace("'<f4'", "'SECRETKEY9876543210'");
        String secret = longer.substring(0, header.length() - 1) + "\n"; // the padding absorbs the longer dtype
        assertThat(secret).contains("SECRET").hasSameSizeAs(header);
        byte[] bad = good.clone();
        System.arraycopy(secret.getBytes(StandardCharsets.US_ASCII), 0, bad, 10, secret.length());
        Path file = zip("secret.npz", "s", bad);
        assertThatThrownBy(() -> Npz.read(file)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("dtype (not shown) is not supported").hasMessageNotContaining("SECRET");
        byte[] noShape = good.clone();
        String broken = header.replace("'shape'", "'SECRET'");
        System.arraycopy(broken.getBytes(StandardCharsets.US_ASCII), 0, noShape, 10, broken.length());
        Path other = zip("noshape.npz", "n", noShape);
        assertThatThrownBy(() -> Npz.read(other)).hasMessageContaining("no valid 'shape'")
                .hasMessageNotContaining("SECRET");
    }

    @Test
    void missingEntryNamesTheFileAndTheEntriesItHas() {
        Path file = temp.resolve("labels-only.npz");
        Npz.write(file, Map.of("labels", NpyArray.ofInt64(new long[] {1, 2}, 2)));
        Npz npz = Npz.read(file);
        assertThat(npz.has("arr_0")).isFalse();
        assertThatThrownBy(() -> npz.get("arr_0")).isInstanceOf(InvalidRequestException.class)
                .hasMessage(file + ": no entry 'arr_0' (entries: labels)");
        assertThatThrownBy(() -> npz.get("labels", NpyArray.Dtype.FLOAT32, 1))
                .hasMessage(file + " entry 'labels': expected <f4 of rank 1, got <i8 of shape (2,)");
    }

    @Test
    void missingAndNonZipFilesAreReported() throws IOException {
        Path missing = temp.resolve("nothing.npz");
        assertThatThrownBy(() -> Npz.read(missing)).isInstanceOf(InvalidRequestException.class)
                .hasMessage(missing + ": no such file");
        Path garbage = temp.resolve("garbage.npz");
        Files.writeString(garbage, "this is not a zip file at all");
        assertThatThrownBy(() -> Npz.read(garbage)).isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith(garbage + ": not a valid .npz (zip) file");
    }

    @Test
    void corruptEntriesAreReportedWithFileAndEntry() throws IOException {
        byte[] good = Npy.encode(NpyArray.ofFloat32(new float[] {1, 2, 3, 4}, 2, 2));
        Path truncated = zip("truncated.npz", "x", Arrays.copyOf(good, good.length - 3));
        assertThatThrownBy(() -> Npz.read(truncated)).isInstanceOf(InvalidRequestException.class)
                .hasMessage(truncated + " entry 'x': truncated data: shape (2, 2) of <f4 needs 16 bytes, 13 present");

        byte[] noMagic = good.clone();
        noMagic[1] = 'X';
        Path magic = zip("magic.npz", "y", noMagic);
        assertThatThrownBy(() -> Npz.read(magic)).hasMessage(magic + " entry 'y': not a .npy array (no \\x93NUMPY magic)");

        byte[] badShape = good.clone();
        int headerLength = (good[8] & 0xff) | (good[9] & 0xff) << 8;
        String header = new String(badShape, 10, headerLength, StandardCharsets.US_ASCII).replace("(2, 2)", "(2, z)");
        assertThat(header).contains("(2, z)");
        System.arraycopy(header.getBytes(StandardCharsets.US_ASCII), 0, badShape, 10, header.length());
        Path shape = zip("shape.npz", "z", badShape);
        assertThatThrownBy(() -> Npz.read(shape)).hasMessageContaining(shape + " entry 'z': bad dimension 'z'");

        Path extra = zip("extra.npz", "w", Arrays.copyOf(good, good.length + 4));
        assertThatThrownBy(() -> Npz.read(extra)).hasMessage(extra + " entry 'w': 4 bytes after the data of shape"
                + " (2, 2) of <f4");
    }

    private Path zip(String fileName, String entry, byte[] content) throws IOException {
        Path file = temp.resolve(fileName);
        try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry(entry + ".npy"));
            zip.write(content);
            zip.closeEntry();
        }
        return file;
    }
}

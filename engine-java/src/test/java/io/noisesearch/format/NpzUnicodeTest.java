package io.noisesearch.format;

import io.noisesearch.InvalidRequestException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** NumPy unicode arrays ({@code <U..}) and streamed .npz entries, against ourselves and against numpy itself. */
public class NpzUnicodeTest {

    @TempDir
    Path temp;

    private static final String[] WORDS = {"a red circle", "", "été", "clef \uD834\uDD1E", "three blue squares"};

    @Test
    void unicodeArraysRoundTripWithTheirWidth() {
        NpyArray words = NpyArray.ofUnicode(WORDS, 5);
        assertThat(words.descr()).isEqualTo("<U18");
        assertThat(words.itemSize()).isEqualTo(72);
        Path file = temp.resolve("words.npz");
        Npz.write(file, Map.of("captions", words));
        NpyArray back = Npz.read(file).get("captions");
        assertThat(back).isEqualTo(words);
        assertThat(back.unicode()).containsExactly(WORDS);
        assertThat(NpyArray.ofUnicode(new String[] {"", ""}, 2).descr()).isEqualTo("<U1");
        assertThatThrownBy(() -> NpyArray.ofUnicode(3, new String[] {"four"}, 1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void streamedEntriesReadBackAsWritten() throws IOException {
        Path file = temp.resolve("streamed.npz");
        byte[] pixels = new byte[3 * 4 * 2];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (7 * i);
        }
        try (NpzWriter npz = NpzWriter.create(file)) {
            NpzWriter.Entry images = npz.begin("images", "|u1", 1, 3, 4, 2);
            images.write(pixels, 0, 10);
            images.write(pixels, 10, pixels.length - 10);
            npz.write("captions", NpyArray.ofUnicode(WORDS, 5));
            NpzWriter.Entry longs = npz.begin("ids", "<i8", 8, 2, 2);
            longs.writeLongs(new long[] {1, -2, Long.MAX_VALUE, 4}, 0, 4);
        }
        Npz npz = Npz.read(file);
        assertThat(npz.names()).containsExactly("images", "captions", "ids");
        assertThat(npz.get("images")).isEqualTo(NpyArray.ofUint8(pixels, 3, 4, 2));
        assertThat(npz.get("captions").unicode()).containsExactly(WORDS);
        assertThat(npz.get("ids").int64()).containsExactly(1, -2, Long.MAX_VALUE, 4);
    }

    @Test
    void aStreamedEntryMustGetExactlyItsShapesBytes() throws IOException {
        NpzWriter npz = NpzWriter.create(temp.resolve("short.npz"));
        NpzWriter.Entry entry = npz.begin("x", "|u1", 1, 4);
        entry.write(new byte[3]);
        assertThatThrownBy(npz::close).isInstanceOf(IllegalStateException.class).hasMessageContaining("got 3 bytes");
        NpzWriter more = NpzWriter.create(temp.resolve("long.npz"));
        NpzWriter.Entry small = more.begin("x", "|u1", 1, 2);
        assertThatThrownBy(() -> small.write(new byte[3])).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aBadUnicodeElementIsAnErrorNamingTheEntry() throws IOException {
        byte[] header = Npy.header("<U1", new long[] {1});
        byte[] bytes = java.util.Arrays.copyOf(header, header.length + 4);
        bytes[header.length + 3] = 0x7f; // 0x7f000000 is no code point
        assertThatThrownBy(() -> Npy.decode(bytes, "f.npz entry 'captions'"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("f.npz entry 'captions': element 0 holds an invalid code point");
    }

    @Test
    void tooManyStringsAreRefusedBeforeTheyAreMade() {
        long n = Npy.MAX_STRINGS + 1L;
        byte[] header = Npy.header("<U1", new long[] {n});
        byte[] bytes = java.util.Arrays.copyOf(header, header.length + (int) (4 * n));
        assertThatThrownBy(() -> Npy.decode(bytes, "f.npz entry 'captions'"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("f.npz entry 'captions': shape (16777217,) holds 16777217 strings, over the 16777216 read"
                        + " here");
    }

    /** numpy reads what we write, and we read what numpy writes (savez and savez_compressed). */
    @Test
    void numpyReadsAndWritesTheSameUnicodeArrays() throws IOException, InterruptedException {
        Path ours = temp.resolve("ours.npz");
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        arrays.put("captions", NpyArray.ofUnicode(WORDS, 5));
        Npz.write(ours, arrays);
        Path streamed = temp.resolve("streamed.npz");
        try (NpzWriter npz = NpzWriter.create(streamed)) {
            npz.write("captions", NpyArray.ofUnicode(WORDS, 5));
        }
        Path theirs = temp.resolve("theirs.npz");
        Path theirsCompressed = temp.resolve("theirs-compressed.npz");
        String script = String.join("\n",
                "import json, sys, numpy as np",
                "words = json.loads(sys.argv[1])",
                "for f in sys.argv[2:4]:",
                "    d = np.load(f)",
                "    assert d['captions'].dtype == np.dtype('<U18'), d['captions'].dtype",
                "    assert d['captions'].tolist() == words, d['captions'].tolist()",
                "np.savez(sys.argv[4], captions=np.array(words), grid=np.array([['ab', 'c'], ['', 'def']]))",
                "np.savez_compressed(sys.argv[5], captions=np.array(words))",
                "print('ok')");
        String json = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(List.of(WORDS));
        String out = python(script, json, ours.toString(), streamed.toString(), theirs.toString(),
                theirsCompressed.toString());
        assertThat(out.strip()).isEqualTo("ok");
        Npz read = Npz.read(theirs);
        assertThat(read.get("captions")).isEqualTo(NpyArray.ofUnicode(WORDS, 5));
        assertThat(read.get("grid").shape()).containsExactly(2, 2);
        assertThat(read.get("grid").unicode()).containsExactly("ab", "c", "", "def");
        assertThat(Npz.read(theirsCompressed).get("captions").unicode()).containsExactly(WORDS);
    }

    /** Runs python3 with numpy; the test is skipped, saying so, where either is missing. */
    public static String python(String script, String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("python3", "-c", script));
        command.addAll(List.of(args));
        Process process;
        try {
            process = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("python3 is not on the PATH: the numpy round trip is not checked here");
            return "";
        }
        boolean numpy = process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0;
        Assumptions.assumeTrue(numpy, "python3 has no numpy: the numpy round trip is not checked here");
        Process run = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(run.exitValue()).as(output).isZero();
        return output;
    }
}

package io.noisesearch.shapes;

import io.noisesearch.format.NpyArray;
import io.noisesearch.format.NpzWriter;
import io.noisesearch.model.Tokenizer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Scenes {@code 0..count-1} of a split as a {@code .npz} for training (docs/t2i.md): {@code images} uint8
 * [N,32,32,3], {@code captions} unicode [N], {@code tokens} int64 [N,12] (ids of {@link ShapesVocabulary}, pads 0),
 * {@code category} int64 [N] ({@link Category} ordinal) and {@code objects} int64 [N,3,5] (colour, shape, x, y, size
 * per object in caption order, enum ordinals; -1 rows past the scene's objects). Images are rendered in chunks on
 * every core and streamed, so memory holds only a chunk and 17 bytes a scene.
 */
public final class ShapesExport {

    /** Scenes of one file, at most: 30 GB of images. */
    public static final int MAX_COUNT = 10_000_000;
    public static final int MAX_OBJECTS = 3;
    /** Values of one object's row in {@code objects}. */
    public static final int OBJECT_FIELDS = 5;
    private static final int CHUNK = 4096;
    private static final List<Caption> CAPTIONS = Caption.all();
    private static final Map<String, Integer> CAPTION_IDS = new HashMap<>();
    private static final int CAPTION_CHARS;

    static {
        int chars = 1;
        for (int i = 0; i < CAPTIONS.size(); i++) {
            CAPTION_IDS.put(CAPTIONS.get(i).text(), i);
            chars = Math.max(chars, CAPTIONS.get(i).text().length());
        }
        CAPTION_CHARS = chars;
    }

    private ShapesExport() {
    }

    public static void write(Path file, long seed, ShapesGenerator.Split split, int count) throws IOException {
        if (count < 0 || count > MAX_COUNT) {
            throw new IllegalArgumentException("--count must lie in 0.." + MAX_COUNT + ", got " + count);
        }
        short[] captionIds = new short[count];
        byte[] objects = new byte[Math.multiplyExact(count, MAX_OBJECTS * OBJECT_FIELDS)];
        java.util.Arrays.fill(objects, (byte) -1);
        try (NpzWriter npz = NpzWriter.create(file)) {
            NpzWriter.Entry images = npz.begin("images", NpyArray.Dtype.UINT8.descr(), 1, count, Scene.SIDE,
                    Scene.SIDE, Scene.CHANNELS);
            byte[] chunk = new byte[CHUNK * Scene.BYTES];
            for (int start = 0; start < count; start += CHUNK) {
                int from = start;
                int n = Math.min(CHUNK, count - start);
                IntStream.range(0, n).parallel().forEach(i -> {
                    Scene scene = ShapesGenerator.scene(seed, split, from + i);
                    scene.render(chunk, i * Scene.BYTES);
                    annotate(scene, from + i, captionIds, objects);
                });
                images.write(chunk, 0, n * Scene.BYTES);
            }
            writeCaptions(npz, captionIds);
            writeObjects(npz, objects, count);
        }
    }

    private static void annotate(Scene scene, int index, short[] captionIds, byte[] objects) {
        captionIds[index] = (short) (int) CAPTION_IDS.get(scene.caption().text());
        int p = index * MAX_OBJECTS * OBJECT_FIELDS;
        for (SceneObject o : scene.objects()) {
            objects[p++] = (byte) o.colour().ordinal();
            objects[p++] = (byte) o.shape().ordinal();
            objects[p++] = (byte) o.x();
            objects[p++] = (byte) o.y();
            objects[p++] = (byte) o.size();
        }
    }

    private static void writeCaptions(NpzWriter npz, short[] captionIds) throws IOException {
        int count = captionIds.length;
        String[] texts = CAPTIONS.stream().map(Caption::text).toArray(String[]::new);
        NpzWriter.Entry captions = npz.begin("captions", NpyArray.Dtype.UNICODE.descr() + CAPTION_CHARS,
                4 * CAPTION_CHARS, count);
        java.nio.ByteBuffer row = java.nio.ByteBuffer.allocate(4 * CAPTION_CHARS)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (short id : captionIds) {
            row.clear();
            String text = texts[id];
            for (int c = 0; c < CAPTION_CHARS; c++) {
                row.putInt(c < text.length() ? text.charAt(c) : 0);
            }
            captions.write(row.array(), 0, row.capacity());
        }

        Tokenizer tokenizer = ShapesVocabulary.tokenizer();
        long[][] rows = CAPTIONS.stream().map(c -> tokenizer.encode(c.text())).toArray(long[][]::new);
        NpzWriter.Entry tokens = npz.begin("tokens", NpyArray.Dtype.INT64.descr(), 8, count, tokenizer.maxTokens());
        for (short id : captionIds) {
            tokens.writeLongs(rows[id], 0, rows[id].length);
        }

        long[] categories = new long[count];
        for (int i = 0; i < count; i++) {
            categories[i] = CAPTIONS.get(captionIds[i]).category().ordinal();
        }
        npz.write("category", NpyArray.ofInt64(categories, count));
    }

    private static void writeObjects(NpzWriter npz, byte[] objects, int count) throws IOException {
        NpzWriter.Entry entry = npz.begin("objects", NpyArray.Dtype.INT64.descr(), 8, count, MAX_OBJECTS,
                OBJECT_FIELDS);
        long[] buffer = new long[4096];
        for (int start = 0; start < objects.length; start += buffer.length) {
            int n = Math.min(buffer.length, objects.length - start);
            for (int i = 0; i < n; i++) {
                buffer[i] = objects[start + i];
            }
            entry.writeLongs(buffer, 0, n);
        }
    }
}

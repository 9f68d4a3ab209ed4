package io.noisesearch.format;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * A 3x5 pixel font of our own for captions under images (no system fonts needed, so the same pixels everywhere): the
 * letters a-z drawn as small capitals and the space; any other character is drawn as a box.
 */
public final class BitmapFont {

    /** Glyph rows top to bottom, 3 bits each (left pixel the highest bit). */
    private static final int[][] LETTERS = {
        {2, 5, 7, 5, 5}, {6, 5, 6, 5, 6}, {3, 4, 4, 4, 3}, {6, 5, 5, 5, 6}, {7, 4, 6, 4, 7}, {7, 4, 6, 4, 4},
        {3, 4, 5, 5, 3}, {5, 5, 7, 5, 5}, {7, 2, 2, 2, 7}, {1, 1, 1, 5, 2}, {5, 5, 6, 5, 5}, {4, 4, 4, 4, 7},
        {5, 7, 7, 5, 5}, {6, 5, 5, 5, 5}, {2, 5, 5, 5, 2}, {6, 5, 6, 4, 4}, {2, 5, 5, 6, 3}, {6, 5, 6, 5, 5},
        {3, 4, 2, 1, 6}, {7, 2, 2, 2, 2}, {5, 5, 5, 5, 7}, {5, 5, 5, 5, 2}, {5, 5, 7, 7, 5}, {5, 5, 2, 5, 5},
        {5, 5, 2, 2, 2}, {7, 1, 2, 4, 7},
    };
    private static final int[] BOX = {7, 5, 5, 5, 7};
    public static final int WIDTH = 3;
    public static final int HEIGHT = 5;
    /** Glyph width plus one pixel between letters. */
    public static final int ADVANCE = WIDTH + 1;

    private BitmapFont() {
    }

    /** The rows of {@code c}'s glyph; null for the space. */
    static int[] glyph(char c) {
        char lower = Character.toLowerCase(c);
        if (lower == ' ') {
            return null;
        }
        return lower >= 'a' && lower <= 'z' ? LETTERS[lower - 'a'] : BOX;
    }

    /** Draws {@code text} with its top-left corner at (x, y), each font pixel a {@code scale x scale} block. */
    public static void draw(BufferedImage image, String text, int x, int y, int scale, int rgb) {
        for (int i = 0; i < text.length(); i++) {
            int[] rows = glyph(text.charAt(i));
            if (rows == null) {
                continue;
            }
            for (int r = 0; r < HEIGHT; r++) {
                for (int c = 0; c < WIDTH; c++) {
                    if ((rows[r] >> (WIDTH - 1 - c) & 1) != 0) {
                        fill(image, x + (i * ADVANCE + c) * scale, y + r * scale, scale, rgb);
                    }
                }
            }
        }
    }

    private static void fill(BufferedImage image, int x, int y, int scale, int rgb) {
        for (int dy = 0; dy < scale; dy++) {
            for (int dx = 0; dx < scale; dx++) {
                if (x + dx < image.getWidth() && y + dy < image.getHeight()) {
                    image.setRGB(x + dx, y + dy, rgb);
                }
            }
        }
    }

    /**
     * {@code text} broken at spaces into lines of at most {@code columns} characters (a longer word is cut), at most
     * {@code maxLines} lines.
     */
    public static List<String> wrap(String text, int columns, int maxLines) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            String w = word.length() > columns ? word.substring(0, columns) : word;
            if (line.length() > 0 && line.length() + 1 + w.length() > columns) {
                lines.add(line.toString());
                line.setLength(0);
            }
            line.append(line.length() > 0 ? " " : "").append(w);
        }
        if (line.length() > 0) {
            lines.add(line.toString());
        }
        return lines.size() > maxLines ? lines.subList(0, maxLines) : lines;
    }
}

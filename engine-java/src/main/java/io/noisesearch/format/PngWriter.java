package io.noisesearch.format;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Writes a sample as a PNG: the model's value range maps linearly onto 0..255 (values outside are clamped), and
 * each pixel becomes a {@code scale x scale} block so that 16x16 samples are visible.
 */
public final class PngWriter {

    private PngWriter() {
    }

    /** Writes a [channels, height, width] sample with 1 (grey) or 3 (RGB) channels. */
    public static void write(Path file, float[] sample, ImageLayout info, int scale) throws IOException {
        check(sample, info, scale);
        writeGrid(file, java.util.List.of(java.util.List.of(sample)), info, scale, 0);
    }

    private static void check(float[] sample, ImageLayout info, int scale) {
        if (!info.isImage() || (info.channels() != 1 && info.channels() != 3)) {
            throw new IllegalArgumentException("model " + info.name() + " has shape [" + info.channels() + ", "
                    + info.height() + ", " + info.width() + "]: only 1- or 3-channel images can be written as PNG");
        }
        if (scale < 1) {
            throw new IllegalArgumentException("PNG scale must be at least 1, got " + scale);
        }
        if (sample.length != info.dim()) {
            throw new IllegalArgumentException("sample has " + sample.length + " values, model " + info.name()
                    + " expects " + info.dim());
        }
    }

    /** The PNG bytes of one sample, as {@link #write} writes them, for answers that carry the image inline. */
    public static byte[] encode(float[] sample, ImageLayout info, int scale) throws IOException {
        check(sample, info, scale);
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        if (!ImageIO.write(grid(java.util.List.of(java.util.List.of(sample)), info, scale, 0), "png", bytes)) {
            throw new IOException("no PNG writer in this JDK");
        }
        return bytes.toByteArray();
    }

    /** The level of the lines between grid cells: mid-grey shows against dark and light samples alike. */
    static final int SEPARATOR_LEVEL = 128;

    /**
     * Writes samples as a grid (rows of cells, e.g. a row per method and a column per class), cells separated by
     * {@code gap} pixels of mid-grey.
     */
    public static void writeGrid(Path file, java.util.List<java.util.List<float[]>> rows, ImageLayout info, int scale,
                                 int gap) throws IOException {
        if (!ImageIO.write(grid(rows, info, scale, gap), "png", file.toFile())) {
            throw new IOException("no PNG writer in this JDK");
        }
    }

    /** Caption lines under each image of {@link #writeCaptioned}, at most. */
    public static final int CAPTION_LINES = 3;

    /**
     * Writes samples in rows of {@code columns} cells, each image at {@code scale} with its caption under it in
     * {@link BitmapFont} at twice the font's size, white on black (lines broken at spaces, at most
     * {@link #CAPTION_LINES}).
     */
    public static void writeCaptioned(Path file, java.util.List<float[]> samples, java.util.List<String> captions,
                                      ImageLayout info, int scale, int columns) throws IOException {
        if (samples.size() != captions.size() || columns < 1 || info.channels() != 3) {
            throw new IllegalArgumentException(samples.size() + " samples, " + captions.size() + " captions, "
                    + columns + " columns");
        }
        int fontScale = 2;
        int gap = 4;
        int cellWidth = info.width() * scale;
        int textColumns = Math.max(1, (cellWidth + fontScale) / (BitmapFont.ADVANCE * fontScale));
        int lineHeight = (BitmapFont.HEIGHT + 2) * fontScale;
        int cellHeight = info.height() * scale + gap + CAPTION_LINES * lineHeight;
        int n = samples.size();
        int cols = Math.max(1, Math.min(columns, n));
        int rows = (n + cols - 1) / cols;
        BufferedImage image = new BufferedImage(Math.max(1, cols * (cellWidth + gap) - gap),
                Math.max(1, rows * (cellHeight + gap) - gap), BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < n; i++) {
            int left = (i % cols) * (cellWidth + gap);
            int top = (i / cols) * (cellHeight + gap);
            if (samples.get(i).length != info.dim()) {
                throw new IllegalArgumentException("sample has " + samples.get(i).length + " values, model "
                        + info.name() + " expects " + info.dim());
            }
            draw(image, samples.get(i), info, scale, left, top);
            java.util.List<String> lines = BitmapFont.wrap(captions.get(i), textColumns, CAPTION_LINES);
            for (int l = 0; l < lines.size(); l++) {
                BitmapFont.draw(image, lines.get(l), left, top + info.height() * scale + gap + l * lineHeight,
                        fontScale, 0xFFFFFF);
            }
        }
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer in this JDK");
        }
    }

    private static BufferedImage grid(java.util.List<java.util.List<float[]>> rows, ImageLayout info, int scale,
                                      int gap) {
        int columns = rows.stream().mapToInt(java.util.List::size).max().orElse(0);
        int cellWidth = info.width() * scale + gap;
        int cellHeight = info.height() * scale + gap;
        int type = info.channels() == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB;
        BufferedImage image = new BufferedImage(Math.max(1, columns * cellWidth - gap),
                Math.max(1, rows.size() * cellHeight - gap), type);
        java.awt.Graphics2D graphics = image.createGraphics();
        graphics.setColor(new java.awt.Color(SEPARATOR_LEVEL, SEPARATOR_LEVEL, SEPARATOR_LEVEL));
        graphics.fillRect(0, 0, image.getWidth(), image.getHeight());
        graphics.dispose();
        for (int r = 0; r < rows.size(); r++) {
            for (int c = 0; c < rows.get(r).size(); c++) {
                draw(image, rows.get(r).get(c), info, scale, c * cellWidth, r * cellHeight);
            }
        }
        return image;
    }

    private static void draw(BufferedImage image, float[] sample, ImageLayout info, int scale, int left, int top) {
        if (sample.length != info.dim()) {
            throw new IllegalArgumentException("sample has " + sample.length + " values, model " + info.name()
                    + " expects " + info.dim());
        }
        int plane = info.height() * info.width();
        for (int y = 0; y < info.height() * scale; y++) {
            for (int x = 0; x < info.width() * scale; x++) {
                int pixel = (y / scale) * info.width() + x / scale;
                image.getRaster().setPixel(left + x, top + y, channels(sample, pixel, plane, info));
            }
        }
    }

    /** The 0..255 levels of one pixel, read from the channel planes. */
    private static int[] channels(float[] sample, int pixel, int plane, ImageLayout info) {
        int[] levels = new int[info.channels()];
        for (int c = 0; c < levels.length; c++) {
            levels[c] = Pixels.level(sample[c * plane + pixel], info.min(), info.max());
        }
        return levels;
    }
}

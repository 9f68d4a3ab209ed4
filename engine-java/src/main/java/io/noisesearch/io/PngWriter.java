package io.noisesearch.io;

import io.noisesearch.model.ModelInfo;

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
    public static void write(Path file, float[] sample, ModelInfo info, int scale) throws IOException {
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
        BufferedImage image = render(sample, info, scale);
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer in this JDK");
        }
    }

    private static BufferedImage render(float[] sample, ModelInfo info, int scale) {
        int type = info.channels() == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB;
        BufferedImage image = new BufferedImage(info.width() * scale, info.height() * scale, type);
        int plane = info.height() * info.width();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int pixel = (y / scale) * info.width() + x / scale;
                image.getRaster().setPixel(x, y, channels(sample, pixel, plane, info));
            }
        }
        return image;
    }

    /** The 0..255 levels of one pixel, read from the channel planes. */
    private static int[] channels(float[] sample, int pixel, int plane, ModelInfo info) {
        int[] levels = new int[info.channels()];
        for (int c = 0; c < levels.length; c++) {
            levels[c] = level(sample[c * plane + pixel], info.valueMin(), info.valueMax());
        }
        return levels;
    }

    static int level(float value, float min, float max) {
        double unit = (value - min) / (double) (max - min);
        return (int) Math.round(255 * Math.min(1, Math.max(0, unit)));
    }
}

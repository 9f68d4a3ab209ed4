package io.noisesearch.format;

/**
 * Samples as 8-bit pixels: the model's value range maps linearly onto 0..255, values outside are clamped. The
 * PNG writer and the samples.npz of {@code generate} share this one mapping.
 */
public final class Pixels {

    private Pixels() {
    }

    public static int level(float value, float min, float max) {
        double unit = (value - min) / (double) (max - min);
        return (int) Math.round(255 * Math.min(1, Math.max(0, unit)));
    }

    /** A [channels, height, width] sample as height x width x channels bytes (the layout FID suites read). */
    public static byte[] toHwc(float[] sample, ImageLayout info) {
        int plane = info.height() * info.width();
        byte[] hwc = new byte[sample.length];
        for (int c = 0; c < info.channels(); c++) {
            for (int p = 0; p < plane; p++) {
                hwc[p * info.channels() + c] = (byte) level(sample[c * plane + p], info.min(), info.max());
            }
        }
        return hwc;
    }

    /** Back from 8-bit pixels to the model's value range (the inverse of {@link #level} up to rounding). */
    public static float value(int level, float min, float max) {
        return (float) (min + (max - min) * level / 255.0);
    }

    /** {@code n} samples of height x width x channels bytes back to [channels, height, width] rows in the range. */
    public static float[][] fromHwc(byte[] hwc, int n, ImageLayout layout) {
        float[] value = new float[256];
        for (int p = 0; p < 256; p++) {
            value[p] = value(p, layout.min(), layout.max());
        }
        int h = layout.height();
        int w = layout.width();
        int c = layout.channels();
        int pixels = layout.dim();
        float[][] out = new float[n][pixels];
        for (int i = 0; i < n; i++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int ch = 0; ch < c; ch++) {
                        out[i][(ch * h + y) * w + x] = value[hwc[i * pixels + (y * w + x) * c + ch] & 0xff];
                    }
                }
            }
        }
        return out;
    }
}

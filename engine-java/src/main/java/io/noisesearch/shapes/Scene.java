package io.noisesearch.shapes;

import java.util.List;

/**
 * A caption and the objects of its image, in caption order (a count caption's objects in the order they were
 * placed). The image is {@link #SIDE} x {@link #SIDE} RGB, black background, the objects drawn flat.
 */
public record Scene(Caption caption, List<SceneObject> objects) {

    public static final int SIDE = 32;
    public static final int CHANNELS = 3;
    /** Bytes of one image, height x width x channels. */
    public static final int BYTES = SIDE * SIDE * CHANNELS;

    public Scene {
        objects = List.copyOf(objects);
    }

    /** The image as uint8 HWC (row-major, RGB interleaved). */
    public byte[] render() {
        byte[] image = new byte[BYTES];
        render(image, 0);
        return image;
    }

    /** Writes the image as uint8 HWC into {@code out} from {@code offset}; the background bytes are set to 0. */
    public void render(byte[] out, int offset) {
        java.util.Arrays.fill(out, offset, offset + BYTES, (byte) 0);
        for (SceneObject o : objects) {
            int rowEnd = Math.min(SIDE, o.y() + o.size());
            int columnEnd = Math.min(SIDE, o.x() + o.size());
            for (int row = Math.max(0, o.y()); row < rowEnd; row++) {
                for (int column = Math.max(0, o.x()); column < columnEnd; column++) {
                    if (o.covers(column, row)) {
                        int p = offset + (row * SIDE + column) * CHANNELS;
                        out[p] = (byte) o.colour().r();
                        out[p + 1] = (byte) o.colour().g();
                        out[p + 2] = (byte) o.colour().b();
                    }
                }
            }
        }
    }
}

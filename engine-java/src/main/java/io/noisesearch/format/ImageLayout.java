package io.noisesearch.format;

/**
 * How a flattened sample [channels, height, width] maps to pixels: its shape and the value range that maps onto
 * 0..255 ({@code name} names the model in messages). A 2-D point model has shape [1, 1, 2] and is no image.
 */
public record ImageLayout(String name, int channels, int height, int width, float min, float max) {

    public int dim() {
        return channels * height * width;
    }

    public boolean isImage() {
        return height > 1 && width > 1;
    }
}

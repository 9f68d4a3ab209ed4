package io.noisesearch.format;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PngWriterTest {

    private static final ImageLayout IMAGE = new ImageLayout("gmm-image", 1, 16, 16, -1f, 1f);

    @TempDir
    Path temp;

    @Test
    void valueRangeMapsOntoFullGreyScaleAndClamps() {
        assertThat(Pixels.level(-1f, -1f, 1f)).isZero();
        assertThat(Pixels.level(1f, -1f, 1f)).isEqualTo(255);
        assertThat(Pixels.level(0f, -1f, 1f)).isEqualTo(128);
        assertThat(Pixels.level(-7f, -1f, 1f)).isZero();
        assertThat(Pixels.level(3f, -1f, 1f)).isEqualTo(255);
    }

    @Test
    void hwcBytesGoBackToChannelPlanesWithinHalfALevel() {
        ImageLayout rgb = new ImageLayout("rgb", 3, 2, 5, -1f, 1f);
        float[] sample = new float[rgb.dim()];
        for (int i = 0; i < sample.length; i++) {
            sample[i] = -1f + 2f * i / (sample.length - 1);
        }
        byte[] hwc = Pixels.toHwc(sample, rgb);
        assertThat(hwc[1] & 0xff).as("pixel 0, channel 1 is plane 1's first value")
                .isEqualTo(Pixels.level(sample[10], -1f, 1f));
        float[] back = Pixels.fromHwc(hwc, 1, rgb)[0];
        for (int i = 0; i < sample.length; i++) {
            assertThat(back[i]).isCloseTo(sample[i], org.assertj.core.data.Offset.offset(1f / 255 + 1e-6f));
        }
    }

    @Test
    void eachPixelBecomesAScaleByScaleBlockInRowMajorOrder() throws IOException {
        float[] sample = new float[IMAGE.dim()];
        java.util.Arrays.fill(sample, -1f);
        sample[2 * 16 + 5] = 1f; // row 2, column 5
        Path file = temp.resolve("x.png");

        PngWriter.write(file, sample, IMAGE, 4);

        BufferedImage image = ImageIO.read(file.toFile());
        assertThat(image.getWidth()).isEqualTo(64);
        assertThat(image.getHeight()).isEqualTo(64);
        assertThat(grey(image, 5 * 4, 2 * 4)).isEqualTo(255);
        assertThat(grey(image, 5 * 4 + 3, 2 * 4 + 3)).isEqualTo(255);
        assertThat(grey(image, 5 * 4 + 4, 2 * 4)).isZero();
        assertThat(grey(image, 2 * 4, 5 * 4)).as("transposed pixel").isZero();
    }

    @Test
    void pointModelsAndWrongLengthsAreRefused() {
        ImageLayout points = new ImageLayout("gmm-2d", 1, 1, 2, -4f, 4f);
        assertThatThrownBy(() -> PngWriter.write(temp.resolve("p.png"), new float[2], points, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gmm-2d");
        assertThatThrownBy(() -> PngWriter.write(temp.resolve("q.png"), new float[3], IMAGE, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("256");
    }

    private static int grey(BufferedImage image, int x, int y) {
        return image.getRaster().getSample(x, y, 0);
    }
}

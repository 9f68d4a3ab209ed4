package io.noisesearch.model;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.backend.Backend;
import io.noisesearch.schedule.Prediction;
import io.noisesearch.schedule.RectifiedFlow;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.schedule.VariancePreserving;

import java.lang.foreign.Arena;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The exact reference models, which need no files:
 * <ul>
 * <li>{@code gmm-2d}: 2-D points, 4 classes of 2 modes each (a broad heavy mode and a narrow light one);</li>
 * <li>{@code gmm-image}: 1x16x16 images in [-1, 1], 10 classes of 4 modes each with unequal weights and
 * spreads, rectified flow with velocity prediction;</li>
 * <li>{@code gmm-image-vp}: the same mixture under the VP linear schedule with epsilon prediction (DDIM).</li>
 * </ul>
 * The mixtures are fixed functions of a constant seed, so every run sees the same models.
 */
public final class BuiltinModels {

    public static final List<String> NAMES = List.of("gmm-2d", "gmm-image", "gmm-image-vp");

    private static final int IMAGE_SIDE = 16;
    private static final int IMAGE_CLASSES = 10;
    private static final float[] IMAGE_MODE_WEIGHTS = {0.4f, 0.3f, 0.2f, 0.1f};
    private static final float[] IMAGE_MODE_STDS = {0.35f, 0.25f, 0.3f, 0.2f};

    private BuiltinModels() {
    }

    public static boolean isBuiltin(String name) {
        return NAMES.contains(name);
    }

    public static GaussianMixture mixture(String name) {
        return switch (name) {
            case "gmm-2d" -> points();
            case "gmm-image", "gmm-image-vp" -> images();
            default -> throw unknown(name);
        };
    }

    public static ModelInfo info(String name) {
        GaussianMixture m = mixture(name);
        return switch (name) {
            case "gmm-2d" -> new ModelInfo(name, 1, 1, 2, m.classes(), Prediction.VELOCITY, new RectifiedFlow(1),
                    -4f, 4f, m.predictFlops(), new SolverSettings(SolverKind.HEUN, 10), 1.0);
            case "gmm-image" -> new ModelInfo(name, 1, IMAGE_SIDE, IMAGE_SIDE, m.classes(), Prediction.VELOCITY,
                    new RectifiedFlow(1), -1f, 1f, m.predictFlops(), new SolverSettings(SolverKind.HEUN, 10), 1.0);
            case "gmm-image-vp" -> new ModelInfo(name, 1, IMAGE_SIDE, IMAGE_SIDE, m.classes(), Prediction.EPSILON,
                    new VariancePreserving(VariancePreserving.Betas.LINEAR), -1f, 1f, m.predictFlops(),
                    new SolverSettings(SolverKind.DDIM, 20), 1.0);
            default -> throw unknown(name);
        };
    }

    public static MixtureDenoiser open(String name, Backend backend, Arena arena) {
        return new MixtureDenoiser(info(name), mixture(name), backend, arena);
    }

    private static InvalidRequestException unknown(String name) {
        return new InvalidRequestException("unknown built-in model '" + name + "' (expected one of " + NAMES + ")");
    }

    /** Class c sits at angle 2 pi c / 4 on a circle of radius 2.5; its two modes straddle that point. */
    private static GaussianMixture points() {
        int classes = 4;
        float[][] means = new float[2 * classes][];
        float[] variances = new float[2 * classes];
        float[] weights = new float[2 * classes];
        int[] classOf = new int[2 * classes];
        for (int c = 0; c < classes; c++) {
            double angle = 2 * Math.PI * c / classes;
            double cx = 2.5 * Math.cos(angle);
            double cy = 2.5 * Math.sin(angle);
            double px = -Math.sin(angle) * 0.6;
            double py = Math.cos(angle) * 0.6;
            means[2 * c] = new float[] {(float) (cx + px), (float) (cy + py)};
            means[2 * c + 1] = new float[] {(float) (cx - px), (float) (cy - py)};
            variances[2 * c] = 0.3f * 0.3f;
            variances[2 * c + 1] = 0.15f * 0.15f;
            weights[2 * c] = 0.7f / classes;
            weights[2 * c + 1] = 0.3f / classes;
            classOf[2 * c] = c;
            classOf[2 * c + 1] = c;
        }
        return new GaussianMixture(2, classes, means, variances, weights, classOf);
    }

    /**
     * Each class has a prototype made of three bright blobs on a dark background; its modes move the blobs a
     * little and differ in weight and spread, so a verifier can prefer some modes over others.
     */
    private static GaussianMixture images() {
        int modes = IMAGE_MODE_WEIGHTS.length;
        int k = IMAGE_CLASSES * modes;
        float[][] means = new float[k][];
        float[] variances = new float[k];
        float[] weights = new float[k];
        int[] classOf = new int[k];
        SplittableRandom random = new SplittableRandom(20250109L);
        for (int c = 0; c < IMAGE_CLASSES; c++) {
            double[][] blobs = new double[3][];
            for (int b = 0; b < blobs.length; b++) {
                blobs[b] = new double[] {3 + random.nextDouble(10), 3 + random.nextDouble(10), 1.5 + random.nextDouble(1.5)};
            }
            for (int m = 0; m < modes; m++) {
                int i = c * modes + m;
                double dx = random.nextDouble(-1.5, 1.5);
                double dy = random.nextDouble(-1.5, 1.5);
                means[i] = blobImage(blobs, dx, dy);
                variances[i] = IMAGE_MODE_STDS[m] * IMAGE_MODE_STDS[m];
                weights[i] = IMAGE_MODE_WEIGHTS[m] / IMAGE_CLASSES;
                classOf[i] = c;
            }
        }
        return new GaussianMixture(IMAGE_SIDE * IMAGE_SIDE, IMAGE_CLASSES, means, variances, weights, classOf);
    }

    private static float[] blobImage(double[][] blobs, double dx, double dy) {
        float[] image = new float[IMAGE_SIDE * IMAGE_SIDE];
        for (int y = 0; y < IMAGE_SIDE; y++) {
            for (int x = 0; x < IMAGE_SIDE; x++) {
                double intensity = 0;
                for (double[] blob : blobs) {
                    double ex = x - blob[0] - dx;
                    double ey = y - blob[1] - dy;
                    intensity = Math.max(intensity, Math.exp(-(ex * ex + ey * ey) / (2 * blob[2] * blob[2])));
                }
                image[y * IMAGE_SIDE + x] = (float) (2 * intensity - 1);
            }
        }
        return image;
    }
}

package io.noisesearch.model;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.format.ImageLayout;
import io.noisesearch.schedule.Prediction;
import io.noisesearch.schedule.RectifiedFlow;
import io.noisesearch.schedule.Schedule;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.schedule.VariancePreserving;

import java.nio.file.Path;
import java.util.Locale;

/**
 * What the engine needs to know about a denoiser: its sample shape (channels, height, width; a 2-D point
 * model has shape [1, 1, 2]), classes (labels 0..classes-1, plus the null class; 0 for a text-conditioned model),
 * prediction type, schedule, the value range of clean samples (for images), FLOPs per sample per forward pass
 * (multiply-add = 2), its default solver and the precision its weights run in (a variant file of a trained model:
 * {@link Precision}).
 */
public record ModelInfo(String name, int channels, int height, int width, int classes, Prediction prediction,
                        Schedule schedule, float valueMin, float valueMax, long flopsPerSample,
                        SolverSettings defaultSolver, double defaultGuidance, Precision precision) {

    /** A model in fp32. */
    public ModelInfo(String name, int channels, int height, int width, int classes, Prediction prediction,
                     Schedule schedule, float valueMin, float valueMax, long flopsPerSample,
                     SolverSettings defaultSolver, double defaultGuidance) {
        this(name, channels, height, width, classes, prediction, schedule, valueMin, valueMax, flopsPerSample,
                defaultSolver, defaultGuidance, Precision.FP32);
    }

    public int dim() {
        return channels * height * width;
    }

    /** Whether samples are images (written as PNG) rather than points. */
    public boolean isImage() {
        return height > 1 && width > 1;
    }

    /** The sample's shape and value range as pixels (PNG, samples.npz). */
    public ImageLayout layout() {
        return new ImageLayout(name, channels, height, width, valueMin, valueMax);
    }

    /** The same model described by the images its decoder makes (shape and value range) instead of its latents. */
    public ModelInfo decoded(int imageChannels, int imageHeight, int imageWidth, float min, float max) {
        return new ModelInfo(name, imageChannels, imageHeight, imageWidth, classes, prediction, schedule, min, max,
                flopsPerSample, defaultSolver, defaultGuidance, precision);
    }

    public int nullClass() {
        return classes;
    }

    /**
     * The description a trained model's manifest gives (ONNX Runtime and TensorRT read it the same way); an
     * unknown solver in it is a one-line error naming the manifest.
     */
    public static ModelInfo of(ModelManifest m, Path folder) {
        return of(m, folder, Precision.FP32);
    }

    /** {@link #of(ModelManifest, Path)} for the model file of {@code precision}. */
    public static ModelInfo of(ModelManifest m, Path folder, Precision precision) {
        ModelManifest.SampleSpec s = m.sample();
        Schedule schedule = m.schedule().type().equals("rectified-flow")
                ? new RectifiedFlow(m.schedule().shift() == null ? 1 : m.schedule().shift())
                : new VariancePreserving(VariancePreserving.Betas.valueOf(
                        (m.schedule().betas() == null ? "linear" : m.schedule().betas()).toUpperCase(Locale.ROOT)));
        SolverSettings solver;
        try {
            solver = new SolverSettings(SolverKind.parse(m.defaultSolver().kind()), m.defaultSolver().steps());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(folder.resolve("manifest.json") + ": defaultSolver: " + e.getMessage());
        }
        int classes = m.textConditioned() ? 0 : m.condition().classes();
        return new ModelInfo(m.name(), s.channels(), s.height(), s.width(), classes,
                Prediction.valueOf(m.prediction().toUpperCase(Locale.ROOT)), schedule,
                s.range().get(0).floatValue(), s.range().get(1).floatValue(), m.flopsPerSample(), solver,
                m.defaultGuidance() == null ? 1.0 : m.defaultGuidance(), precision);
    }
}

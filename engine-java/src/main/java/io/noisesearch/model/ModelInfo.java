package io.noisesearch.model;

import io.noisesearch.sampling.Prediction;
import io.noisesearch.sampling.Schedule;
import io.noisesearch.sampling.SolverSettings;

/**
 * What the engine needs to know about a denoiser: its sample shape (channels, height, width; a 2-D point
 * model has shape [1, 1, 2]), classes (labels 0..classes-1, plus the null class), prediction type, schedule,
 * the value range of clean samples (for images), FLOPs per sample per forward pass (multiply-add = 2) and its
 * default solver.
 */
public record ModelInfo(String name, int channels, int height, int width, int classes, Prediction prediction,
                        Schedule schedule, float valueMin, float valueMax, long flopsPerSample,
                        SolverSettings defaultSolver, double defaultGuidance) {

    public int dim() {
        return channels * height * width;
    }

    /** Whether samples are images (written as PNG) rather than points. */
    public boolean isImage() {
        return height > 1 && width > 1;
    }

    public int nullClass() {
        return classes;
    }
}

package io.noisesearch.report;

import io.noisesearch.format.Json;
import io.noisesearch.metrics.Evaluator;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@code evaluate} prints: the metrics of a set of samples measured by the evaluation network.
 *
 * @param k                nearest neighbours of the precision / recall manifolds
 * @param referenceCount   real images the FID and the manifolds compare against
 * @param perClassAccuracy null for a class without samples
 */
public record EvaluationReport(String evaluator, int count, double accuracy, double inceptionScore, double fid,
                               double precision, double recall, int k, int referenceCount,
                               List<Double> perClassAccuracy, int[] perClassCount) {

    public static EvaluationReport of(Evaluator.Evaluation e, long[] labels, Evaluator evaluator) {
        int[] counts = new int[evaluator.classes()];
        for (long label : labels) {
            counts[(int) label]++;
        }
        List<Double> accuracy = new ArrayList<>();
        for (double a : e.perClassAccuracy()) {
            accuracy.add(Double.isNaN(a) ? null : a);
        }
        return new EvaluationReport(evaluator.name(), e.count(), e.accuracy(), e.inceptionScore(), e.fid(),
                e.precision(), e.recall(), Evaluator.K, evaluator.referenceFeatures().length, accuracy, counts);
    }

    public String json() {
        return Json.text(this);
    }
}

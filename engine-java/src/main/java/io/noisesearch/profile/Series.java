package io.noisesearch.profile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The configurations one plot line and one report table hold: the same model, algorithm, verifier and guidance,
 * spending different compute. The {@code none} configurations form the denoising-steps-only series.
 */
record Series(String model, String algorithm, String verifier, Double guidance) {

    static Series of(Configuration c) {
        return new Series(c.model(), c.algorithm(), c.verifier(), c.guidance());
    }

    /** The results by series, in the order each series first appears; each series' results by total NFEs. */
    static Map<Series, List<ProfileResult>> group(List<ProfileResult> results) {
        Map<Series, List<ProfileResult>> groups = new LinkedHashMap<>();
        results.stream().sorted(Comparator.comparingInt(ProfileResult::index))
                .forEach(r -> groups.computeIfAbsent(of(r.configuration()), s -> new ArrayList<>()).add(r));
        groups.values().forEach(list -> list.sort(Comparator.comparingDouble(ProfileResult::totalNfePerSample)
                .thenComparingInt(ProfileResult::index)));
        return groups;
    }

    /** "random / classifier"; the model and guidance are named where the sweep has more than one of them. */
    String label(boolean namesModel, boolean namesGuidance) {
        StringBuilder label = new StringBuilder(algorithm.equals("none") ? "steps only (none)" : algorithm);
        label.append(" / ").append(verifier);
        if (namesModel) {
            label.append(", ").append(model);
        }
        if (namesGuidance) {
            label.append(", cfg ").append(guidance == null ? "default" : guidance);
        }
        return label.toString();
    }

    static Map<Series, String> labels(Iterable<Series> series) {
        List<Series> all = new ArrayList<>();
        series.forEach(all::add);
        boolean models = all.stream().map(Series::model).distinct().count() > 1;
        boolean scales = all.stream().map(s -> String.valueOf(s.guidance())).distinct().count() > 1;
        Map<Series, String> labels = new LinkedHashMap<>();
        all.forEach(s -> labels.put(s, s.label(models, scales)));
        return labels;
    }
}

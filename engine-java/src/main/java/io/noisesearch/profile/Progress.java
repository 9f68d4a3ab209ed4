package io.noisesearch.profile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One line per finished configuration: its metrics and compute, the time since the run began and an ETA that weighs
 * the configurations still to run by their planned NFEs (the work that dominates a configuration's time).
 */
final class Progress {

    private final long start = System.nanoTime();
    private final double[] work;
    private final double total;
    private double done;

    Progress(List<Profiler.Plan> plans) {
        work = plans.stream().mapToDouble(p -> (double) p.samples() * (p.cappedSearchNfe() + p.finalNfe() + 1))
                .toArray();
        double sum = 0;
        for (double w : work) {
            sum += w;
        }
        total = sum;
    }

    /** The line for configuration {@code i} of this run, which just finished. */
    String line(int i, ProfileResult result) {
        done += work[i];
        double elapsed = (System.nanoTime() - start) / 1e9;
        double eta = done > 0 ? elapsed * (total - done) / done : 0;
        return String.format(Locale.ROOT, "profile [%d/%d] %s: %s | %.1f NFEs, %.4f GFLOPs per sample | %.1f s |"
                        + " elapsed %s, ETA %s", i + 1, work.length, result.describe(),
                quality(result), result.totalNfePerSample(), result.gflopsPerSample(),
                result.measured().wallMillis() / 1000.0, clock(elapsed), clock(eta));
    }

    private static String quality(ProfileResult result) {
        List<String> parts = new ArrayList<>();
        for (Metric metric : Metric.values()) {
            Double value = metric.of(result);
            if (value != null) {
                parts.add(String.format(Locale.ROOT, "%s %.4g", metric.label(), value));
            }
        }
        return String.join(", ", parts);
    }

    /** "m:ss", or "h:mm:ss" past an hour. */
    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}

package io.noisesearch.profile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One line per finished configuration: its metrics and compute, the time since the run began and an ETA that weighs
 * the configurations still to run by their planned NFEs (the work that dominates a configuration's time). Points of
 * a best-of-N group weigh only the final solves of their winners; the group's largest point carries its pool.
 */
public final class Progress {

    private final long start = System.nanoTime();
    /** The weights of each unit's configurations, in the unit's order. */
    private final List<double[]> work = new ArrayList<>();
    private final int configurations;
    private final double total;
    private double done;
    private int finished;

    /** @param units the plans of the units to run, in order; a unit of several shares the pool of its largest */
    Progress(List<List<Profiler.Plan>> units) {
        double sum = 0;
        int count = 0;
        for (List<Profiler.Plan> unit : units) {
            long pool = unit.stream().mapToLong(Profiler.Plan::cappedSearchNfe).max().orElse(0);
            boolean poolCounted = false;
            double[] weights = new double[unit.size()];
            for (int k = 0; k < weights.length; k++) {
                Profiler.Plan p = unit.get(k);
                boolean carriesPool = !poolCounted && p.cappedSearchNfe() == pool;
                poolCounted |= carriesPool;
                weights[k] = (double) p.samples() * ((carriesPool ? p.cappedSearchNfe() : 0) + p.finalNfe() + 1);
                sum += weights[k];
            }
            work.add(weights);
            count += weights.length;
        }
        configurations = count;
        total = sum;
    }

    /** The planned work of every unit, in the units' weights (a configuration's samples times its NFEs, plus one). */
    double total() {
        return total;
    }

    /** The planned work of the units finished so far. */
    double done() {
        return done;
    }

    /**
     * The lines of unit {@code unit} (its place in the constructor's list), which just finished, its results in
     * order. Units may finish in any order (--workers): the ETA weighs the work left by the rate of the work done.
     */
    List<String> lines(int unit, List<ProfileResult> results) {
        for (double weight : work.get(unit)) {
            done += weight;
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        double eta = done > 0 ? elapsed * (total - done) / done : 0;
        List<String> lines = new ArrayList<>();
        for (ProfileResult result : results) {
            lines.add(String.format(Locale.ROOT, "profile [%d/%d] %s: %s | %.1f NFEs, %.4f GFLOPs per sample | %.1f s"
                            + " | elapsed %s, ETA %s", ++finished, configurations, result.describe(), quality(result),
                    result.totalNfePerSample(), result.gflopsPerSample(), result.measured().wallMillis() / 1000.0,
                    clock(elapsed), clock(eta)));
        }
        return lines;
    }

    /** A finished configuration in one line: what it is, its quality, its NFEs and GFLOPs per sample. */
    public static String summary(ProfileResult result) {
        return String.format(Locale.ROOT, "%s: %s | %.1f NFEs, %.4f GFLOPs per sample", result.describe(),
                quality(result), result.totalNfePerSample(), result.gflopsPerSample());
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

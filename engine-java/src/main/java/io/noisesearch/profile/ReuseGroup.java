package io.noisesearch.profile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Best-of-N points that one run derived from one pool (their {@code reuse.pool}): what it spent on them against what
 * they account for, each as if it had run alone, and against the largest point (the pool) alone.
 *
 * @param points by N
 */
record ReuseGroup(ProfileResult pool, List<ProfileResult> points, double spentGflops, double accountedGflops) {

    /** The groups of the results, in the order their pools appear; results without reuse are in none. */
    static List<ReuseGroup> of(List<ProfileResult> results) {
        Map<String, List<ProfileResult>> byPool = new LinkedHashMap<>();
        results.stream().filter(r -> r.reuse() != null).sorted(Comparator.comparingInt(ProfileResult::index))
                .forEach(r -> byPool.computeIfAbsent(r.reuse().pool(), p -> new ArrayList<>()).add(r));
        List<ReuseGroup> groups = new ArrayList<>();
        for (List<ProfileResult> points : byPool.values()) {
            points.sort(Comparator.comparingInt(ReuseGroup::candidates));
            ProfileResult pool = points.stream().filter(r -> !r.reuse().reused()).findFirst()
                    .orElse(points.getLast());
            groups.add(new ReuseGroup(pool, List.copyOf(points), spent(points), accounted(points)));
        }
        return groups;
    }

    private static int candidates(ProfileResult r) {
        return ((Number) r.configuration().parameters().get("candidates")).intValue();
    }

    /** GFLOPs the results' runs spent: their own compute, or for points of a reuse group their share of it. */
    static double spent(List<ProfileResult> results) {
        return results.stream().mapToDouble(r -> r.spent().gflops()).sum();
    }

    /** GFLOPs that ran for the results: what they spent less what the solve cache served. */
    static double ran(List<ProfileResult> results) {
        return results.stream().mapToDouble(r -> r.ran().gflops()).sum();
    }

    /** GFLOPs the results account for, each configuration as if it had run alone. */
    static double accounted(List<ProfileResult> results) {
        return results.stream().mapToDouble(r -> r.compute().gflops()).sum();
    }

    /** Spent over what the pool's configuration alone accounts for: the price of the whole curve in units of its end. */
    double overLargest() {
        return spentGflops / pool.compute().gflops();
    }

    /** The points' N: "1, 2, 4". */
    String candidates() {
        return points.stream().map(r -> String.valueOf(candidates(r))).collect(Collectors.joining(", "));
    }

    /** "candidates = 1, 2, 4 from the pool of random candidates=4 / oracle, ...: spent 1.2 GFLOPs, ...". */
    String line() {
        return String.format(Locale.ROOT, "candidates = %s from the pool of %s: spent %.4f GFLOPs for %.4f accounted;"
                        + " the largest point alone %.4f (spent %.3fx it)", candidates(), pool.describe(), spentGflops,
                accountedGflops, pool.compute().gflops(), overLargest());
    }
}

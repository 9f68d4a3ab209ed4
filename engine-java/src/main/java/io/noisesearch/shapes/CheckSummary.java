package io.noisesearch.shapes;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checker's verdicts on a set of samples, tallied by caption category and over all samples: for each aspect, how
 * many samples it applies to and how many pass it.
 */
public final class CheckSummary {

    /** The tally of one row: samples, and per applicable aspect the samples judged and passed. */
    public static final class Tally {
        private int samples;
        private final Map<Aspect, int[]> aspects = new EnumMap<>(Aspect.class);

        void add(ShapeChecker.Judgement judgement) {
            samples++;
            judgement.aspects().forEach((aspect, passed) -> {
                int[] counts = aspects.computeIfAbsent(aspect, a -> new int[2]);
                counts[0]++;
                counts[1] += passed ? 1 : 0;
            });
        }

        public int samples() {
            return samples;
        }

        /** Samples the aspect applies to (0 where it applies to none). */
        public int judged(Aspect aspect) {
            int[] counts = aspects.get(aspect);
            return counts == null ? 0 : counts[0];
        }

        public int passed(Aspect aspect) {
            int[] counts = aspects.get(aspect);
            return counts == null ? 0 : counts[1];
        }

        /** The share that passes, NaN where the aspect applies to no sample. */
        public double rate(Aspect aspect) {
            int judged = judged(aspect);
            return judged == 0 ? Double.NaN : (double) passed(aspect) / judged;
        }
    }

    private final Map<Category, Tally> byCategory = new EnumMap<>(Category.class);
    private final Tally all = new Tally();
    private final List<ShapeChecker.Judgement> judgements = new ArrayList<>();

    public void add(ShapeChecker.Judgement judgement) {
        byCategory.computeIfAbsent(judgement.caption().category(), c -> new Tally()).add(judgement);
        all.add(judgement);
        judgements.add(judgement);
    }

    public Tally category(Category category) {
        return byCategory.getOrDefault(category, new Tally());
    }

    public Tally all() {
        return all;
    }

    public List<ShapeChecker.Judgement> judgements() {
        return judgements;
    }

    /** Rows for a table or JSON: each category present, in order, then "all". */
    public Map<String, Tally> rows() {
        Map<String, Tally> rows = new LinkedHashMap<>();
        for (Category c : Category.values()) {
            if (byCategory.containsKey(c)) {
                rows.put(c.label(), byCategory.get(c));
            }
        }
        rows.put("all", all);
        return rows;
    }
}

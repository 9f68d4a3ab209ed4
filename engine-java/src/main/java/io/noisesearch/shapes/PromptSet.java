package io.noisesearch.shapes;

import java.util.ArrayList;
import java.util.List;

/**
 * The evaluation prompts of the text-to-image track (issue 12): 200 captions, 40 single (each of the 12 three times,
 * and 4 more distinct ones), 60 count (each of the 24 twice, and 12 more distinct ones), 50 relational of the
 * training family and 50 of the held-out family (distinct captions each), in that order. Drawn once from a fixed
 * Philox stream, so the list never changes; bench/prompts/compbench-200.txt holds it (a test keeps the two equal).
 */
public final class PromptSet {

    public static final int SIZE = 200;
    public static final int SINGLE = 40;
    public static final int COUNT = 60;
    public static final int RELATIONAL = 50;
    public static final int HELD_OUT = 50;
    /** The committed file, relative to the repository root. */
    public static final String FILE = "bench/prompts/compbench-200.txt";
    private static final long SEED = 12;
    private static final int STREAM = 3;

    private static final List<Caption> CAPTIONS = build();

    private PromptSet() {
    }

    public static List<Caption> captions() {
        return CAPTIONS;
    }

    /** The file's text: one caption a line. */
    public static String fileText() {
        StringBuilder s = new StringBuilder();
        CAPTIONS.forEach(c -> s.append(c.text()).append('\n'));
        return s.toString();
    }

    private static List<Caption> build() {
        SceneRandom random = new SceneRandom(SEED, STREAM, 0);
        List<Caption> all = Caption.all();
        List<Caption> prompts = new ArrayList<>(SIZE);
        prompts.addAll(repeatedThenDistinct(of(all, Category.SINGLE), SINGLE, random));
        prompts.addAll(repeatedThenDistinct(of(all, Category.COUNT), COUNT, random));
        prompts.addAll(shuffled(of(all, Category.RELATIONAL), random).subList(0, RELATIONAL));
        prompts.addAll(shuffled(of(all, Category.HELD_OUT), random).subList(0, HELD_OUT));
        return List.copyOf(prompts);
    }

    /** Every caption of the family as often as {@code n} allows in whole rounds, then distinct ones to fill. */
    private static List<Caption> repeatedThenDistinct(List<Caption> family, int n, SceneRandom random) {
        List<Caption> out = new ArrayList<>(n);
        while (out.size() + family.size() <= n) {
            out.addAll(family);
        }
        out.addAll(shuffled(family, random).subList(0, n - out.size()));
        return out;
    }

    private static List<Caption> of(List<Caption> all, Category category) {
        return all.stream().filter(c -> c.category() == category).toList();
    }

    /** A Fisher-Yates shuffle of a copy. */
    private static List<Caption> shuffled(List<Caption> family, SceneRandom random) {
        List<Caption> out = new ArrayList<>(family);
        for (int i = out.size() - 1; i > 0; i--) {
            int j = random.below(i + 1);
            Caption t = out.get(i);
            out.set(i, out.get(j));
            out.set(j, t);
        }
        return out;
    }
}

package io.noisesearch.shapes;

import java.util.ArrayList;
import java.util.List;

/**
 * The shapes data set (docs/t2i.md): scene {@code index} of a split under {@code seed}, a pure function of the
 * three. The training split draws its caption kind (a quarter single, a quarter count, half relational), then the
 * caption uniformly within the kind, never one of the held-out family; the evaluation split cycles through the
 * 200 captions of {@link PromptSet}. The layout is drawn by rejection: each object's size uniform in 8..12 and its
 * box uniform inside the image, redrawn while it is closer than 2 px to a box placed before it; a relational
 * layout is drawn again until its relation holds.
 */
public final class ShapesGenerator {

    /** The data splits; the stream number keeps their random words apart under one seed. */
    public enum Split {
        TRAIN(1), EVAL(2);

        private final int stream;

        Split(int stream) {
            this.stream = stream;
        }
    }

    private static final int PLACEMENT_TRIES = 64;
    private static final int LAYOUT_TRIES = 10_000;
    private static final List<Caption.Thing> THINGS = Caption.allThings();
    private static final List<Caption> TRAIN_RELATIONS = Caption.all().stream()
            .filter(c -> c.category() == Category.RELATIONAL).toList();

    private ShapesGenerator() {
    }

    /** The scene {@code index} of {@code split} under {@code seed}. */
    public static Scene scene(long seed, Split split, long index) {
        SceneRandom random = new SceneRandom(seed, split.stream, index);
        Caption caption = switch (split) {
            case TRAIN -> trainingCaption(random);
            case EVAL -> PromptSet.captions().get((int) Math.floorMod(index, (long) PromptSet.SIZE));
        };
        return layout(caption, random);
    }

    /** Every caption the training split can emit: all captions but the held-out family's. */
    public static List<Caption> trainingCaptions() {
        return Caption.all().stream().filter(c -> c.category() != Category.HELD_OUT).toList();
    }

    private static Caption trainingCaption(SceneRandom random) {
        int kind = random.below(4);
        if (kind == 0) {
            return new Caption.Single(THINGS.get(random.below(THINGS.size())));
        }
        if (kind == 1) {
            int count = 2 + random.below(2);
            return new Caption.Count(count, THINGS.get(random.below(THINGS.size())));
        }
        return TRAIN_RELATIONS.get(random.below(TRAIN_RELATIONS.size()));
    }

    /** A layout of the caption's things drawn from {@code random}. */
    static Scene layout(Caption caption, SceneRandom random) {
        List<Caption.Thing> things = caption.things();
        for (int attempt = 0; attempt < LAYOUT_TRIES; attempt++) {
            List<SceneObject> placed = new ArrayList<>(things.size());
            for (Caption.Thing thing : things) {
                SceneObject o = place(thing, placed, random);
                if (o == null) {
                    break;
                }
                placed.add(o);
            }
            if (placed.size() == things.size() && relationHolds(caption, placed)) {
                return new Scene(caption, placed);
            }
        }
        throw new IllegalStateException("no layout for '" + caption.text() + "' in " + LAYOUT_TRIES + " tries");
    }

    private static SceneObject place(Caption.Thing thing, List<SceneObject> placed, SceneRandom random) {
        for (int t = 0; t < PLACEMENT_TRIES; t++) {
            int size = SceneObject.MIN_SIZE + random.below(SceneObject.MAX_SIZE - SceneObject.MIN_SIZE + 1);
            int x = random.below(Scene.SIDE - size + 1);
            int y = random.below(Scene.SIDE - size + 1);
            SceneObject o = new SceneObject(thing.colour(), thing.shape(), x, y, size);
            if (placed.stream().allMatch(p -> p.gap(o) >= SceneObject.MIN_GAP)) {
                return o;
            }
        }
        return null;
    }

    private static boolean relationHolds(Caption caption, List<SceneObject> objects) {
        if (!(caption instanceof Caption.Relational r)) {
            return true;
        }
        SceneObject a = objects.get(0);
        SceneObject b = objects.get(1);
        return r.relation().holds(a.centreX(), a.centreY(), b.centreX(), b.centreY());
    }
}

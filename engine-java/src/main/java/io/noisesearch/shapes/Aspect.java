package io.noisesearch.shapes;

import java.util.EnumSet;
import java.util.Set;

/**
 * What the checker judges of an image against its caption (docs/t2i.md, the checker). Each aspect compares the
 * objects found in the image with the objects the caption names.
 */
public enum Aspect {
    /** The set of colours found equals the set of colours named. */
    COLOUR("colour"),
    /** The set of shapes found equals the set of shapes named. */
    SHAPE("shape"),
    /** The set of (colour, shape) pairs found equals the set named: every colour on the right shape, nothing else. */
    BINDING("binding"),
    /** As many objects are found as the caption implies (1, 2 or 3, 2 for a relation). */
    COUNT("count"),
    /** Count captions: the objects of the named colour and shape are exactly as many as the caption says. */
    NUMERACY("numeracy"),
    /** Relational captions: an object of the first kind and one of the second stand in the named relation. */
    SPATIAL("spatial"),
    /** The image is the caption's scene: the found (colour, shape) multiset equals the named one, and spatial holds. */
    OVERALL("overall");

    private final String label;

    Aspect(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** The aspects judged for a category of captions. */
    public static Set<Aspect> of(Category category) {
        Set<Aspect> aspects = EnumSet.of(COLOUR, SHAPE, BINDING, COUNT, OVERALL);
        switch (category) {
            case COUNT -> aspects.add(NUMERACY);
            case RELATIONAL, HELD_OUT -> aspects.add(SPATIAL);
            case SINGLE -> {
            }
        }
        return aspects;
    }
}

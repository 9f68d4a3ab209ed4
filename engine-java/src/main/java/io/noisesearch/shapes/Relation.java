package io.noisesearch.shapes;

/**
 * A spatial relation of a relational caption, {@code a C1 S1 <relation> a C2 S2}, between the centres of the two
 * objects in image coordinates (x to the right, y down). It holds when the centres are at least {@link #MARGIN}
 * pixels apart along its axis, in its direction; the other axis is free.
 */
public enum Relation {
    LEFT_OF("left of"), RIGHT_OF("right of"), ABOVE("above"), BELOW("below");

    /** Pixels between the two centres along the relation's axis. */
    public static final double MARGIN = 4;

    private final String words;

    Relation(String words) {
        this.words = words;
    }

    /** The caption's words, e.g. "left of". */
    public String words() {
        return words;
    }

    /** Whether the relation holds from the first centre (x1, y1) to the second (x2, y2), in pixels. */
    public boolean holds(double x1, double y1, double x2, double y2) {
        return switch (this) {
            case LEFT_OF -> x2 - x1 >= MARGIN;
            case RIGHT_OF -> x1 - x2 >= MARGIN;
            case ABOVE -> y2 - y1 >= MARGIN;
            case BELOW -> y1 - y2 >= MARGIN;
        };
    }

    /** The relation that holds with the objects swapped: left of and right of, above and below. */
    public Relation converse() {
        return switch (this) {
            case LEFT_OF -> RIGHT_OF;
            case RIGHT_OF -> LEFT_OF;
            case ABOVE -> BELOW;
            case BELOW -> ABOVE;
        };
    }
}

package io.noisesearch.shapes;

/** The three shapes, with their caption words (singular and plural). */
public enum ShapeKind {
    CIRCLE("circle"), SQUARE("square"), TRIANGLE("triangle");

    private final String word;

    ShapeKind(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }

    public String plural() {
        return word + "s";
    }

    /** The shape named by a singular caption word, or null. */
    public static ShapeKind ofWord(String word) {
        for (ShapeKind s : values()) {
            if (s.word.equals(word)) {
                return s;
            }
        }
        return null;
    }

    /** The shape named by a plural caption word, or null. */
    public static ShapeKind ofPlural(String word) {
        for (ShapeKind s : values()) {
            if (s.plural().equals(word)) {
                return s;
            }
        }
        return null;
    }
}

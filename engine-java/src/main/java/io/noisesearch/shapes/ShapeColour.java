package io.noisesearch.shapes;

/** The four pure colours of the shapes scenes, with their caption words and RGB values (docs/t2i.md). */
public enum ShapeColour {
    RED("red", 255, 0, 0), GREEN("green", 0, 255, 0), BLUE("blue", 0, 0, 255), YELLOW("yellow", 255, 255, 0);

    private final String word;
    private final int r;
    private final int g;
    private final int b;

    ShapeColour(String word, int r, int g, int b) {
        this.word = word;
        this.r = r;
        this.g = g;
        this.b = b;
    }

    public String word() {
        return word;
    }

    public int r() {
        return r;
    }

    public int g() {
        return g;
    }

    public int b() {
        return b;
    }

    /** The colour named by a caption word, or null. */
    public static ShapeColour ofWord(String word) {
        for (ShapeColour c : values()) {
            if (c.word.equals(word)) {
                return c;
            }
        }
        return null;
    }
}

package io.noisesearch.shapes;

import io.noisesearch.InvalidRequestException;

import java.util.ArrayList;
import java.util.List;

/**
 * A caption of the shapes set and the scene it describes (docs/t2i.md): {@code a C S} (exactly one object),
 * {@code two|three C Ss} (exactly that many objects, all alike) or {@code a C1 S1 <relation> a C2 S2} (exactly two
 * objects, of different colour or shape, in that relation). Lower case words, single spaces, no punctuation.
 */
public sealed interface Caption {

    /** The caption's text. */
    String text();

    /** The objects the scene holds, as (colour, shape) in caption order. */
    List<Thing> things();

    Category category();

    /** A colour and a shape: what one object of a caption is. */
    record Thing(ShapeColour colour, ShapeKind shape) {
        String words() {
            return colour.word() + " " + shape.word();
        }
    }

    /** {@code a C S}. */
    record Single(Thing thing) implements Caption {
        @Override
        public String text() {
            return "a " + thing.words();
        }

        @Override
        public List<Thing> things() {
            return List.of(thing);
        }

        @Override
        public Category category() {
            return Category.SINGLE;
        }
    }

    /** {@code two|three C Ss}. */
    record Count(int count, Thing thing) implements Caption {
        public Count {
            if (count != 2 && count != 3) {
                throw new IllegalArgumentException("a count caption counts two or three objects, not " + count);
            }
        }

        @Override
        public String text() {
            return (count == 2 ? "two " : "three ") + thing.colour().word() + " " + thing.shape().plural();
        }

        @Override
        public List<Thing> things() {
            return count == 2 ? List.of(thing, thing) : List.of(thing, thing, thing);
        }

        @Override
        public Category category() {
            return Category.COUNT;
        }
    }

    /** {@code a C1 S1 <relation> a C2 S2}, the two things different. */
    record Relational(Thing first, Relation relation, Thing second) implements Caption {
        public Relational {
            if (first.equals(second)) {
                throw new IllegalArgumentException("a relational caption relates two different things, not two "
                        + first.words() + "s");
            }
        }

        @Override
        public String text() {
            return "a " + first.words() + " " + relation.words() + " a " + second.words();
        }

        @Override
        public List<Thing> things() {
            return List.of(first, second);
        }

        /** The held-out family: the two colours are red and blue, in either order. */
        public boolean heldOut() {
            return first.colour() == ShapeColour.RED && second.colour() == ShapeColour.BLUE
                    || first.colour() == ShapeColour.BLUE && second.colour() == ShapeColour.RED;
        }

        @Override
        public Category category() {
            return heldOut() ? Category.HELD_OUT : Category.RELATIONAL;
        }
    }

    /**
     * Reads a caption of the grammar exactly (lower case, single spaces); anything else is one line naming the
     * caption and what is wrong.
     */
    public static Caption parse(String text) {
        String[] w = text.split(" ", -1);
        try {
            if (w.length == 3 && w[0].equals("a")) {
                return new Single(thing(w[1], w[2]));
            }
            if (w.length == 3 && (w[0].equals("two") || w[0].equals("three"))) {
                ShapeColour colour = colour(w[1]);
                ShapeKind shape = ShapeKind.ofPlural(w[2]);
                if (shape == null) {
                    throw new IllegalArgumentException("'" + w[2] + "' is not circles, squares or triangles");
                }
                return new Count(w[0].equals("two") ? 2 : 3, new Thing(colour, shape));
            }
            if ((w.length == 7 || w.length == 8) && w[0].equals("a")) {
                String words = w.length == 8 ? w[3] + " " + w[4] : w[3];
                Relation relation = relation(words);
                int after = w.length == 8 ? 5 : 4;
                if (!w[after].equals("a")) {
                    throw new IllegalArgumentException("expected 'a' after '" + words + "'");
                }
                return new Relational(thing(w[1], w[2]), relation, thing(w[after + 1], w[after + 2]));
            }
            throw new IllegalArgumentException("expected 'a C S', 'two|three C Ss' or 'a C S <relation> a C S'");
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("caption '" + shown(text) + "' is not a shapes caption: "
                    + e.getMessage());
        }
    }

    /** Every caption of the grammar, in a fixed order: singles, counts, then relations. */
    static List<Caption> all() {
        List<Caption> all = new ArrayList<>();
        List<Thing> things = allThings();
        things.forEach(t -> all.add(new Single(t)));
        for (int n = 2; n <= 3; n++) {
            for (Thing t : things) {
                all.add(new Count(n, t));
            }
        }
        for (Thing a : things) {
            for (Relation relation : Relation.values()) {
                for (Thing b : things) {
                    if (!a.equals(b)) {
                        all.add(new Relational(a, relation, b));
                    }
                }
            }
        }
        return all;
    }

    /** The 12 (colour, shape) things, colours first. */
    static List<Thing> allThings() {
        List<Thing> things = new ArrayList<>();
        for (ShapeColour c : ShapeColour.values()) {
            for (ShapeKind s : ShapeKind.values()) {
                things.add(new Thing(c, s));
            }
        }
        return things;
    }

    private static Thing thing(String colour, String shape) {
        ShapeKind kind = ShapeKind.ofWord(shape);
        if (kind == null) {
            throw new IllegalArgumentException("'" + shown(shape) + "' is not circle, square or triangle");
        }
        return new Thing(colour(colour), kind);
    }

    private static ShapeColour colour(String word) {
        ShapeColour colour = ShapeColour.ofWord(word);
        if (colour == null) {
            throw new IllegalArgumentException("'" + shown(word) + "' is not red, green, blue or yellow");
        }
        return colour;
    }

    private static Relation relation(String words) {
        for (Relation r : Relation.values()) {
            if (r.words().equals(words)) {
                return r;
            }
        }
        throw new IllegalArgumentException("'" + shown(words) + "' is not left of, right of, above or below");
    }

    /** A caption or word from a file, shortened and stripped of control characters for a one-line message. */
    private static String shown(String text) {
        String plain = text.replaceAll("\\p{Cntrl}", "?");
        return plain.length() <= 60 ? plain : plain.substring(0, 57) + "...";
    }
}

package io.noisesearch.shapes;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The exact checker of the shapes track, its evaluation network (docs/t2i.md): segments an image into objects and
 * judges them against the caption, aspect by aspect.
 *
 * <p>Segmentation: each pixel takes the nearest (Euclidean RGB) of the four colours, or is background when black is
 * nearer or the nearest colour is farther than {@link #COLOUR_DISTANCE}; objects are the 4-connected components of
 * one colour of at least {@link #MIN_AREA} pixels. Shape, from the component's bounding box: a triangle when its
 * mass centre lies low in the box (relative height of the centroid at least {@link #TRIANGLE_CENTROID}; 2/3 for a
 * triangle, 1/2 for the symmetric shapes), else a square when it fills at least {@link #SQUARE_FILL} of the box
 * (a square 1, a circle about pi/4), else a circle. An object's centre is its bounding box's centre.
 */
public final class ShapeChecker {

    /** The farthest a pixel may be from a colour (Euclidean, 0..255 per channel) and still be that colour. */
    public static final double COLOUR_DISTANCE = 160;
    /** Pixels of the smallest object; smaller components are specks. The smallest true object has 32. */
    public static final int MIN_AREA = 10;
    public static final double TRIANGLE_CENTROID = 0.57;
    public static final double SQUARE_FILL = 0.9;
    /**
     * Pixels between the found centres along a relation's axis for it to hold. The data keep 4 px between box centres;
     * a found triangle's box can be a row shorter than its drawn box, so the checker asks for 2.
     */
    public static final double RELATION_MARGIN = 2;

    private static final int SIDE = Scene.SIDE;
    private static final ShapeColour[] COLOURS = ShapeColour.values();
    private static final int BACKGROUND = -1;

    private ShapeChecker() {
    }

    /** An object found in an image: its colour, shape, bounding box (inclusive) and pixel count. */
    public record Found(ShapeColour colour, ShapeKind shape, int left, int top, int right, int bottom, int area) {
        public double centreX() {
            return (left + right + 1) / 2.0;
        }

        public double centreY() {
            return (top + bottom + 1) / 2.0;
        }

        Caption.Thing thing() {
            return new Caption.Thing(colour, shape);
        }
    }

    /** The checker's verdict: the objects found and each applicable aspect. */
    public record Judgement(Caption caption, List<Found> found, Map<Aspect, Boolean> aspects) {
        public boolean overall() {
            return aspects.get(Aspect.OVERALL);
        }
    }

    /** Judges the uint8 HWC 32x32x3 image at {@code offset} of {@code images} against {@code caption}. */
    public static Judgement judge(byte[] images, int offset, Caption caption) {
        return judge(caption, segment(images, offset));
    }

    public static Judgement judge(Caption caption, List<Found> found) {
        List<Caption.Thing> named = caption.things();
        Map<Aspect, Boolean> aspects = new EnumMap<>(Aspect.class);
        aspects.put(Aspect.COLOUR, set(found, t -> t.colour()).equals(setOf(named, t -> t.colour())));
        aspects.put(Aspect.SHAPE, set(found, t -> t.shape()).equals(setOf(named, t -> t.shape())));
        aspects.put(Aspect.BINDING, set(found, t -> t).equals(setOf(named, t -> t)));
        aspects.put(Aspect.COUNT, found.size() == named.size());
        boolean spatial = true;
        if (caption instanceof Caption.Count c) {
            aspects.put(Aspect.NUMERACY, found.stream().filter(f -> f.thing().equals(c.thing())).count() == c.count());
        }
        if (caption instanceof Caption.Relational r) {
            spatial = related(found, r);
            aspects.put(Aspect.SPATIAL, spatial);
        }
        aspects.put(Aspect.OVERALL, multiset(found.stream().map(Found::thing).toList()).equals(multiset(named))
                && spatial);
        return new Judgement(caption, List.copyOf(found), aspects);
    }

    private static boolean related(List<Found> found, Caption.Relational r) {
        for (Found a : found) {
            for (Found b : found) {
                if (a != b && a.thing().equals(r.first()) && b.thing().equals(r.second())
                        && holds(r.relation(), a, b)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean holds(Relation relation, Found a, Found b) {
        double dx = b.centreX() - a.centreX();
        double dy = b.centreY() - a.centreY();
        return switch (relation) {
            case LEFT_OF -> dx >= RELATION_MARGIN;
            case RIGHT_OF -> -dx >= RELATION_MARGIN;
            case ABOVE -> dy >= RELATION_MARGIN;
            case BELOW -> -dy >= RELATION_MARGIN;
        };
    }

    /** The objects of the image at {@code offset}, in scan order of their first pixel. */
    public static List<Found> segment(byte[] images, int offset) {
        int[] label = new int[SIDE * SIDE];
        for (int p = 0; p < label.length; p++) {
            int q = offset + 3 * p;
            label[p] = colourOf(images[q] & 0xff, images[q + 1] & 0xff, images[q + 2] & 0xff);
        }
        List<Found> found = new ArrayList<>();
        boolean[] seen = new boolean[label.length];
        int[] stack = new int[label.length];
        for (int start = 0; start < label.length; start++) {
            if (seen[start] || label[start] == BACKGROUND) {
                continue;
            }
            Found f = component(label, seen, stack, start);
            if (f != null) {
                found.add(f);
            }
        }
        return found;
    }

    /** The colour index of a pixel, or {@link #BACKGROUND}. */
    static int colourOf(int r, int g, int b) {
        int best = BACKGROUND;
        long bestDistance = (long) r * r + (long) g * g + (long) b * b;
        for (int c = 0; c < COLOURS.length; c++) {
            long dr = r - COLOURS[c].r();
            long dg = g - COLOURS[c].g();
            long db = b - COLOURS[c].b();
            long d = dr * dr + dg * dg + db * db;
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        return best != BACKGROUND && bestDistance <= COLOUR_DISTANCE * COLOUR_DISTANCE ? best : BACKGROUND;
    }

    /** The 4-connected component of {@code start}'s colour, measured; null when it is a speck. */
    private static Found component(int[] label, boolean[] seen, int[] stack, int start) {
        int colour = label[start];
        int left = SIDE;
        int top = SIDE;
        int right = -1;
        int bottom = -1;
        int area = 0;
        long rowSum = 0;
        int size = 0;
        stack[size++] = start;
        seen[start] = true;
        while (size > 0) {
            int p = stack[--size];
            int x = p % SIDE;
            int y = p / SIDE;
            area++;
            rowSum += y;
            left = Math.min(left, x);
            right = Math.max(right, x);
            top = Math.min(top, y);
            bottom = Math.max(bottom, y);
            if (x > 0) {
                size = push(label, seen, stack, size, p - 1, colour);
            }
            if (x < SIDE - 1) {
                size = push(label, seen, stack, size, p + 1, colour);
            }
            if (y > 0) {
                size = push(label, seen, stack, size, p - SIDE, colour);
            }
            if (y < SIDE - 1) {
                size = push(label, seen, stack, size, p + SIDE, colour);
            }
        }
        if (area < MIN_AREA) {
            return null;
        }
        int width = right - left + 1;
        int height = bottom - top + 1;
        double centroid = ((double) rowSum / area - top + 0.5) / height;
        double fill = (double) area / ((long) width * height);
        ShapeKind shape = centroid >= TRIANGLE_CENTROID ? ShapeKind.TRIANGLE
                : fill >= SQUARE_FILL ? ShapeKind.SQUARE : ShapeKind.CIRCLE;
        return new Found(COLOURS[colour], shape, left, top, right, bottom, area);
    }

    private static int push(int[] label, boolean[] seen, int[] stack, int size, int q, int colour) {
        if (!seen[q] && label[q] == colour) {
            seen[q] = true;
            stack[size++] = q;
        }
        return size;
    }

    private static <T> Set<T> set(List<Found> found, java.util.function.Function<Caption.Thing, T> key) {
        Set<T> out = new HashSet<>();
        found.forEach(f -> out.add(key.apply(f.thing())));
        return out;
    }

    private static <T> Set<T> setOf(List<Caption.Thing> things, java.util.function.Function<Caption.Thing, T> key) {
        Set<T> out = new HashSet<>();
        things.forEach(t -> out.add(key.apply(t)));
        return out;
    }

    private static Map<Caption.Thing, Integer> multiset(List<Caption.Thing> things) {
        Map<Caption.Thing, Integer> out = new HashMap<>();
        things.forEach(t -> out.merge(t, 1, Integer::sum));
        return out;
    }
}

package io.noisesearch.shapes;

/**
 * One flat shape of a scene: its colour, its kind and its bounding box, the square of pixels
 * {@code [x, x + size) x [y, y + size)} (x is the column, y the row, from the top left).
 *
 * <p>Rasterisation: a pixel is the shape's when its centre {@code (column + 1/2, row + 1/2)} lies inside the shape or
 * on its edge. The square is the whole box; the circle is inscribed in the box (centre at the box's centre, radius
 * size / 2); the triangle is isosceles with its base the box's bottom edge and its apex the middle of the top edge.
 * The tests are done in doubled coordinates, so they are exact integer arithmetic.
 */
public record SceneObject(ShapeColour colour, ShapeKind shape, int x, int y, int size) {

    public static final int MIN_SIZE = 8;
    public static final int MAX_SIZE = 12;
    /** Empty pixels between two boxes, along at least one axis. */
    public static final int MIN_GAP = 2;

    /** Whether the pixel at (column, row) is this shape's. */
    public boolean covers(int column, int row) {
        int dx = 2 * (column - x) + 1;
        int dy = 2 * (row - y) + 1;
        if (dx < 0 || dy < 0 || dx > 2 * size || dy > 2 * size) {
            return false;
        }
        return switch (shape) {
            case SQUARE -> true;
            // |p - c|^2 <= (size/2)^2, times 4.
            case CIRCLE -> (dx - size) * (dx - size) + (dy - size) * (dy - size) <= size * size;
            // Half width at depth d below the apex is d / 2: |px - cx| <= (py - y) / 2, times 4.
            case TRIANGLE -> 2 * Math.abs(dx - size) <= dy;
        };
    }

    /** The box's centre column, in pixels (x + size / 2). */
    public double centreX() {
        return x + size / 2.0;
    }

    /** The box's centre row, in pixels (y + size / 2). */
    public double centreY() {
        return y + size / 2.0;
    }

    /** Empty pixels between the two boxes along the axis where they are farthest apart (negative: they overlap). */
    public int gap(SceneObject other) {
        int gapX = Math.max(other.x - (x + size), x - (other.x + other.size));
        int gapY = Math.max(other.y - (y + size), y - (other.y + other.size));
        return Math.max(gapX, gapY);
    }
}

package io.noisesearch.profile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The Pareto frontier of quality against compute: the points no other point beats with less or equal compute. */
final class Pareto {

    record Point(double compute, double quality) {
    }

    private Pareto() {
    }

    /** The frontier by increasing compute; a point joins when its quality is strictly better than all cheaper ones. */
    static List<Point> frontier(List<Point> points, boolean higherIsBetter) {
        Comparator<Point> betterFirst = Comparator.comparingDouble(p -> higherIsBetter ? -p.quality() : p.quality());
        List<Point> sorted = new ArrayList<>(points);
        sorted.sort(Comparator.comparingDouble(Point::compute).thenComparing(betterFirst));
        List<Point> frontier = new ArrayList<>();
        for (Point p : sorted) {
            if (frontier.isEmpty() || betterFirst.compare(p, frontier.getLast()) < 0) {
                frontier.add(p);
            }
        }
        return frontier;
    }
}

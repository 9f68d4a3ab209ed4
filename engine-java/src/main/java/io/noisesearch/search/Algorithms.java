package io.noisesearch.search;

import io.noisesearch.InvalidRequestException;

import java.util.List;

/**
 * The search algorithms by the names requests and the command line use: PAPER.md's three, the baseline, pruning and
 * first-order search.
 */
public final class Algorithms {

    public static final List<String> NAMES = List.of("none", "random", "zero-order", "paths", "prune", "gradient");

    /**
     * Every algorithm's hyperparameters in PAPER.md's symbols; each algorithm reads its own. Zero-order takes either a
     * cosine or a step length lambda (NaN for the other).
     *
     * @param candidates random search's N
     * @param neighbours zero-order's N, the neighbours per iteration; K = {@code iterations}
     * @param paths      search over paths' N, the paths kept; M = {@code width}, L = {@code pathLength}
     * @param pruneAt    early pruning's cut levels (its N is {@code candidates}), each cut keeping 1 in {@code keep}
     * @param gradient   first-order search's step (its restarts are {@code candidates}, its steps {@code iterations})
     */
    public record Settings(int candidates, int neighbours, int iterations, double cosine, double lambda, int paths,
                           int width, double searchStart, double forwardStep, double backwardStep, int pathLength,
                           List<Double> pruneAt, int keep, Gradient gradient) {

        /** Settings with first-order search's defaults. */
        public Settings(int candidates, int neighbours, int iterations, double cosine, double lambda, int paths,
                        int width, double searchStart, double forwardStep, double backwardStep, int pathLength,
                        List<Double> pruneAt, int keep) {
            this(candidates, neighbours, iterations, cosine, lambda, paths, width, searchStart, forwardStep,
                    backwardStep, pathLength, pruneAt, keep, Gradient.DEFAULT);
        }
    }

    /**
     * First-order search's own hyperparameters.
     *
     * @param stepCosine the cosine between a noise and the next along its projected gradient (the step's angle on
     *                   the sphere of its norm)
     */
    public record Gradient(double stepCosine) {
        public static final Gradient DEFAULT = new Gradient(0.9);
    }

    private Algorithms() {
    }

    public static SearchAlgorithm create(String name, Settings s) {
        return switch (name) {
            case "none" -> new NoSearch();
            case "random" -> new RandomSearch(s.candidates());
            case "zero-order" -> new ZeroOrderSearch(s.neighbours(), s.iterations(), s.cosine(), s.lambda());
            case "paths" -> new PathSearch(s.paths(), s.width(), s.searchStart(), s.forwardStep(), s.backwardStep(),
                    s.pathLength());
            case "prune" -> new PruneSearch(s.candidates(), s.pruneAt(), s.keep());
            case "gradient" -> new GradientSearch(s.candidates(), s.iterations(), s.gradient().stepCosine());
            default -> throw new InvalidRequestException("--algorithm: unknown algorithm '" + name + "' (expected one of "
                    + String.join(", ", NAMES) + ")");
        };
    }
}

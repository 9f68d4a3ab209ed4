package io.noisesearch.search;

import io.noisesearch.InvalidRequestException;

import java.util.List;

/**
 * The search algorithms by the names requests and the command line use: PAPER.md's three, the baseline, pruning,
 * sequential Monte Carlo.
 */
public final class Algorithms {

    public static final List<String> NAMES = List.of("none", "random", "zero-order", "paths", "prune", "smc");

    /**
     * Every algorithm's hyperparameters in PAPER.md's symbols; each algorithm reads its own. Zero-order takes either a
     * cosine or a step length lambda (NaN for the other).
     *
     * @param candidates random search's N
     * @param neighbours zero-order's N, the neighbours per iteration; K = {@code iterations}
     * @param paths      search over paths' N, the paths kept; M = {@code width}, L = {@code pathLength}
     * @param pruneAt    early pruning's cut levels (its N is {@code candidates}), each cut keeping 1 in {@code keep}
     * @param smc        sequential Monte Carlo's hyperparameters
     */
    public record Settings(int candidates, int neighbours, int iterations, double cosine, double lambda, int paths,
                           int width, double searchStart, double forwardStep, double backwardStep, int pathLength,
                           List<Double> pruneAt, int keep, Smc smc) {

        /** Settings with smc's defaults. */
        public Settings(int candidates, int neighbours, int iterations, double cosine, double lambda, int paths,
                        int width, double searchStart, double forwardStep, double backwardStep, int pathLength,
                        List<Double> pruneAt, int keep) {
            this(candidates, neighbours, iterations, cosine, lambda, paths, width, searchStart, forwardStep,
                    backwardStep, pathLength, pruneAt, keep, Smc.DEFAULT);
        }
    }

    /**
     * SMC's hyperparameters ({@link SmcSearch}): K particles, the potential and its inverse temperature lambda, the
     * resampling scheme, a potential every k steps, the ESS threshold tau, the window of levels [to, from].
     */
    public record Smc(int particles, String potential, double lambda, String resampling, int every,
                      double essThreshold, double windowFrom, double windowTo) {

        /** The command line's defaults. */
        public static final Smc DEFAULT = new Smc(8, "difference", 1, "systematic", 1, 1, 1, 0);
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
            case "smc" -> new SmcSearch(s.smc().particles(), SmcSearch.Potential.parse(s.smc().potential()),
                    s.smc().lambda(), Resampling.parse(s.smc().resampling()), s.smc().every(), s.smc().essThreshold(),
                    s.smc().windowFrom(), s.smc().windowTo());
            default -> throw new InvalidRequestException("--algorithm: unknown algorithm '" + name + "' (expected one of "
                    + String.join(", ", NAMES) + ")");
        };
    }
}

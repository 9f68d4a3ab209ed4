package io.noisesearch.search;

import io.noisesearch.InvalidRequestException;

import java.util.List;

/**
/**
 * The search algorithms by the names requests and the command line use: PAPER.md's three, the baseline, pruning,
 * sequential Monte Carlo, beam search, evolution and first-order search.
 */
public final class Algorithms {

    public static final List<String> NAMES = List.of("none", "random", "zero-order", "paths", "prune", "smc", "beam",
            "evolution", "gradient");

    /**
     * Every algorithm's hyperparameters in PAPER.md's symbols; each algorithm reads its own. Zero-order takes either a
     * cosine or a step length lambda (NaN for the other).
     *
     * @param candidates random search's N
     * @param neighbours zero-order's N, the neighbours per iteration; K = {@code iterations}
     * @param paths      search over paths' N, the paths kept; M = {@code width}, L = {@code pathLength}
     * @param pruneAt    early pruning's cut levels (its N is {@code candidates}), each cut keeping 1 in {@code keep}
     * @param smc        sequential Monte Carlo's hyperparameters
     * @param beamEvo    beam search's and evolution's hyperparameters
     * @param gradient   first-order search's step (its restarts are {@code candidates}, its steps {@code iterations})
     */
    public record Settings(int candidates, int neighbours, int iterations, double cosine, double lambda, int paths,
                           int width, double searchStart, double forwardStep, double backwardStep, int pathLength,
                           List<Double> pruneAt, int keep, Smc smc, BeamEvo beamEvo, Gradient gradient) {

        /** Settings with smc's, beam search's, evolution's and first-order search's defaults. */
        public Settings(int candidates, int neighbours, int iterations, double cosine, double lambda, int paths,
                        int width, double searchStart, double forwardStep, double backwardStep, int pathLength,
                        List<Double> pruneAt, int keep) {
            this(candidates, neighbours, iterations, cosine, lambda, paths, width, searchStart, forwardStep,
                    backwardStep, pathLength, pruneAt, keep, Smc.DEFAULT, BeamEvo.DEFAULT, Gradient.DEFAULT);
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

    /**
     * Beam search's B, k, levels, neighbour cosine, mode, dfs threshold (NaN: none) and children's kind (neighbour or
     * step); evolution's population schedule, G, E, mutation cosines at the first and last generation and mutation
     * levels (null: starting noises). The defaults are the command line's.
     */
    public record BeamEvo(int beamWidth, int beamChildren, List<Double> beamAt, double beamCosine, String beamMode,
                          double beamThreshold, List<Integer> population, int generations, int elites,
                          double evoCosineStart, double evoCosineEnd, String beamExpand, List<Double> evoAt) {

        public static final BeamEvo DEFAULT = new BeamEvo(4, 4, List.of(0.75, 0.5, 0.25), 0.95, "bfs", Double.NaN,
                List.of(8), 3, 2, 0.9, 0.98, "neighbour", List.of(1.0));

        /** With neighbour children. */
        public BeamEvo(int beamWidth, int beamChildren, List<Double> beamAt, double beamCosine, String beamMode,
                       double beamThreshold, List<Integer> population, int generations, int elites,
                       double evoCosineStart, double evoCosineEnd) {
            this(beamWidth, beamChildren, beamAt, beamCosine, beamMode, beamThreshold, population, generations, elites,
                    evoCosineStart, evoCosineEnd, DEFAULT_EXPAND, null);
        }
    }

    private static final String DEFAULT_EXPAND = "neighbour";

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
            case "smc" -> new SmcSearch(s.smc().particles(), SmcSearch.Potential.parse(s.smc().potential()),
                    s.smc().lambda(), Resampling.parse(s.smc().resampling()), s.smc().every(), s.smc().essThreshold(),
                    s.smc().windowFrom(), s.smc().windowTo());
            case "beam" -> new BeamSearch(s.beamEvo().beamWidth(), s.beamEvo().beamChildren(), s.beamEvo().beamAt(),
                    s.beamEvo().beamCosine(), s.beamEvo().beamMode(), s.beamEvo().beamThreshold(),
                    s.beamEvo().beamExpand() == null ? DEFAULT_EXPAND : s.beamEvo().beamExpand());
            case "evolution" -> new EvolutionSearch(s.beamEvo().population(), s.beamEvo().generations(),
                    s.beamEvo().elites(), s.beamEvo().evoCosineStart(), s.beamEvo().evoCosineEnd(),
                    s.beamEvo().evoAt() == null ? List.of(1.0) : s.beamEvo().evoAt());
            case "gradient" -> new GradientSearch(s.candidates(), s.iterations(), s.gradient().stepCosine());
            default -> throw new InvalidRequestException("--algorithm: unknown algorithm '" + name + "' (expected one of "
                    + String.join(", ", NAMES) + ")");
        };
    }
}

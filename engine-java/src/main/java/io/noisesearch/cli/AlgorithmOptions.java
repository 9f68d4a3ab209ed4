package io.noisesearch.cli;

import io.noisesearch.search.Algorithms;
import io.noisesearch.search.SearchAlgorithm;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.List;

/** The search algorithm and its hyperparameters in PAPER.md's symbols, for {@code search} and {@code generate}. */
final class AlgorithmOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--algorithm", defaultValue = "random", completionCandidates = Converters.AlgorithmNames.class,
            converter = Converters.Algorithm.class,
            description = "Search algorithm: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    String algorithm;

    @Option(names = "--candidates", defaultValue = "16",
            description = "N of random search and prune, the restarts of gradient: noises drawn; also the default of"
                    + " --neighbours and --paths"
                    + " (default: ${DEFAULT-VALUE}).")
    int candidates;

    @Option(names = "--neighbours", description = "N of zero-order search: neighbours per iteration (default:"
            + " --candidates).")
    Integer neighbours;

    @Option(names = "--iterations", defaultValue = "4",
            description = "K: zero-order iterations, or gradient steps (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--cosine", defaultValue = "0.95",
            description = "Zero-order: cosine between pivot and neighbours (default: ${DEFAULT-VALUE}).")
    double cosine;

    @Option(names = "--lambda",
            description = "Zero-order: L2 step to the neighbours instead of --cosine (default: unset, --cosine is used).")
    Double lambda;

    @Option(names = "--paths", description = "N of search over paths: paths kept (default: --candidates).")
    Integer paths;

    @Option(names = "--paths-width", defaultValue = "2",
            description = "M: paths: fresh noises per path and round (default: ${DEFAULT-VALUE}).")
    int pathsWidth;

    @Option(names = "--search-start", defaultValue = "0.4",
            description = "Paths: level sigma where the search starts (default: ${DEFAULT-VALUE}).")
    double searchStart;

    @Option(names = "--forward-step", defaultValue = "0.05",
            description = "Paths: forward noising per round (default: ${DEFAULT-VALUE}).")
    double forwardStep;

    @Option(names = "--backward-step", defaultValue = "0.1",
            description = "Paths: backward solve per round, must exceed --forward-step (default: ${DEFAULT-VALUE}).")
    double backwardStep;

    @Option(names = "--path-length", defaultValue = "2",
            description = "L: paths: solver steps per backward step (default: ${DEFAULT-VALUE}).")
    int pathLength;

    @Option(names = "--prune-at", split = ",", defaultValue = "0.7,0.4",
            description = "Prune: levels of the cuts, descending in (0, 1), where the candidates are scored on their"
                    + " x-prediction and the worst dropped (default: ${DEFAULT-VALUE}).")
    List<Double> pruneAt;

    @Option(names = "--keep", defaultValue = "4",
            description = "Prune: keep factor, each cut keeps ceil(n / keep) of n candidates (default: ${DEFAULT-VALUE}).")
    int keep;

    // smc: sequential Monte Carlo / Feynman-Kac steering over a (stochastic) search solver

    @Option(names = "--particles", defaultValue = "8", description = "Smc: K, particles (default: ${DEFAULT-VALUE}).")
    int particles;

    @Option(names = "--potential", defaultValue = "difference",
            description = "Smc: potential of a path's rewards: max, difference or sum (default: ${DEFAULT-VALUE}).")
    String potential;

    @Option(names = "--smc-lambda", defaultValue = "1",
            description = "Smc: lambda, inverse temperature of the potentials, in the verifier's units"
                    + " (default: ${DEFAULT-VALUE}).")
    double smcLambda;

    @Option(names = "--resampling", defaultValue = "systematic",
            description = "Smc: resampling scheme: multinomial, systematic or residual (default: ${DEFAULT-VALUE}).")
    String resampling;

    @Option(names = "--resample-every", defaultValue = "1",
            description = "Smc: k, a potential (and a resampling decision) every k steps of the window"
                    + " (default: ${DEFAULT-VALUE}).")
    int resampleEvery;

    @Option(names = "--ess-threshold", defaultValue = "1",
            description = "Smc: tau in (0, 1], resample when ESS / K < tau; 1 resamples at every potential"
                    + " (default: ${DEFAULT-VALUE}).")
    double essThreshold;

    @Option(names = "--steer-window", split = ",", defaultValue = "1,0",
            description = "Smc: levels from,to (1 >= from >= to >= 0) of the steps that score potentials"
                    + " (default: ${DEFAULT-VALUE}).")
    List<Double> steerWindow;

    // beam: beam search over denoising steps; evolution: a population of noises
    @Option(names = "--beam-width", defaultValue = "4",
            description = "B: beam: beams kept at each level (dfs: roots) (default: ${DEFAULT-VALUE}).")
    int beamWidth;

    @Option(names = "--beam-children", defaultValue = "4",
            description = "k: beam: children of a state at each level, the state and k - 1 zero-order neighbours"
                    + " (default: ${DEFAULT-VALUE}).")
    int beamChildren;

    @Option(names = "--beam-at", split = ",", defaultValue = "0.75,0.5,0.25",
            description = "Beam: expansion levels, descending in (0, 1), snapped to the search solver's steps"
                    + " (default: ${DEFAULT-VALUE}).")
    List<Double> beamAt;

    @Option(names = "--beam-cosine", defaultValue = "0.95",
            description = "Beam: cosine between a state and its neighbour children (default: ${DEFAULT-VALUE}).")
    double beamCosine;

    @Option(names = "--beam-mode", defaultValue = "bfs",
            description = "Beam: bfs (prune to B by rank at each level) or dfs (depth first, backtracking below"
                    + " --beam-threshold) (default: ${DEFAULT-VALUE}).")
    String beamMode;

    @Option(names = "--beam-threshold",
            description = "Beam dfs: children scoring below this are not entered; a leaf at or above it wins"
                    + " (default: none, greedy descent).")
    Double beamThreshold;

    @Option(names = "--beam-expand", defaultValue = "neighbour",
            description = "Beam: children of a state: neighbour (the state and k - 1 zero-order neighbours at the"
                    + " level) or step (the state advanced to the next level k times, each with step noise of its own;"
                    + " bfs or dfs, needs a stochastic search solver) (default: ${DEFAULT-VALUE}).")
    String beamExpand;

    @Option(names = "--population", split = ",", defaultValue = "8",
            description = "Evolution: population size, or one size per generation P_0,...,P_G"
                    + " (default: ${DEFAULT-VALUE}).")
    List<Integer> population;

    @Option(names = "--generations", defaultValue = "3",
            description = "G: evolution: generations after the first (default: ${DEFAULT-VALUE}).")
    int generations;

    @Option(names = "--elites", defaultValue = "2",
            description = "E: evolution: the best kept from one generation to the next, the parents of its mutants"
                    + " (default: ${DEFAULT-VALUE}).")
    int elites;

    @Option(names = "--evo-cosine-start", defaultValue = "0.9",
            description = "Evolution: mutation cosine of generation 1, in (-1, 1] (default: ${DEFAULT-VALUE}).")
    double evoCosineStart;

    @Option(names = "--evo-cosine-end", defaultValue = "0.98",
            description = "Evolution: mutation cosine of generation G, annealed linearly from the start"
                    + " (default: ${DEFAULT-VALUE}).")
    double evoCosineEnd;

    @Option(names = "--evo-at", split = ",", defaultValue = "1",
            description = "Evolution: level in (0, 1] where each generation mutates, one for all or one per generation"
                    + " 1..G, non-increasing; 1 mutates starting noises, below 1 the elites' intermediate states"
                    + " (default: ${DEFAULT-VALUE}).")
    List<Double> evoAt;

    // First-order search (gradient): --candidates restarts, --iterations gradient steps each, and its step.
    @Option(names = "--gradient-cosine", defaultValue = "0.9",
            description = "Gradient: cosine between a noise and the next along its gradient projected on the sphere of"
                    + " its norm, i.e. the step's angle (default: ${DEFAULT-VALUE}). Restarts: --candidates; steps:"
                    + " --iterations.")
    double gradientCosine;

    /** The algorithm with these hyperparameters; --lambda replaces the default cosine, and naming both is ambiguous. */
    SearchAlgorithm algorithm() {
        boolean cosineGiven = spec.commandLine().getParseResult().hasMatchedOption("--cosine");
        if (algorithm.equals("zero-order") && lambda != null && cosineGiven) {
            throw new ParameterException(spec.commandLine(), "--cosine and --lambda exclude each other: give one");
        }
        // NaN stands for "not given" inside the zero-order record: a NaN given here must not reach it.
        if (Double.isNaN(cosine) || (lambda != null && Double.isNaN(lambda))) {
            throw new ParameterException(spec.commandLine(), (Double.isNaN(cosine) ? "--cosine" : "--lambda")
                    + " must be a number, got NaN");
        }
        return Algorithms.create(algorithm, new Algorithms.Settings(candidates,
                neighbours != null ? neighbours : candidates, iterations, lambda == null ? cosine : Double.NaN,
                lambda == null ? Double.NaN : lambda, paths != null ? paths : candidates, pathsWidth, searchStart,
                forwardStep, backwardStep, pathLength, pruneAt, keep, smc(), beamEvo(),
                new Algorithms.Gradient(gradientCosine)));
    }

    private Algorithms.Smc smc() {
        if (steerWindow.size() != 2) {
            throw new ParameterException(spec.commandLine(), "--steer-window must be two levels from,to, got "
                    + steerWindow);
        }
        return new Algorithms.Smc(particles, potential, smcLambda, resampling, resampleEvery, essThreshold,
                steerWindow.get(0), steerWindow.get(1));
    }

    /** Beam search's and evolution's hyperparameters; NaN stands for "no threshold", so it cannot be given. */
    private Algorithms.BeamEvo beamEvo() {
        if (beamThreshold != null && Double.isNaN(beamThreshold)) {
            throw new ParameterException(spec.commandLine(), "--beam-threshold must be a number, got NaN");
        }
        return new Algorithms.BeamEvo(beamWidth, beamChildren, beamAt, beamCosine, beamMode,
                beamThreshold == null ? Double.NaN : beamThreshold, population, generations, elites, evoCosineStart,
                evoCosineEnd, beamExpand, evoAt);
    }
}

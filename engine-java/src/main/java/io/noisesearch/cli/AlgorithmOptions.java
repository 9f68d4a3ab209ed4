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
                forwardStep, backwardStep, pathLength, pruneAt, keep, new Algorithms.Gradient(gradientCosine)));
    }
}

package io.noisesearch.profile;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.search.BeamSearch;
import io.noisesearch.search.EvolutionSearch;
import io.noisesearch.search.PruneSearch;
import io.noisesearch.search.RandomSearch;
import io.noisesearch.search.Resampling;
import io.noisesearch.search.SmcSearch;
import io.noisesearch.search.ZeroOrderSearch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Sweep files are read strictly: every mistake is one line that names the file and the key path. */
class SweepReaderTest {

    private static final String HEAD = "models: gmm-image\nverifiers: oracle\n";

    static Sweep parse(String yaml) {
        return SweepReader.parse(yaml, "sweep.yaml");
    }

    @Test
    void aFullSweepReadsEveryAxisWithDefaultsFilledIn() {
        Sweep sweep = parse("""
                name: example
                models: [gmm-image]
                verifiers: [oracle, posterior]
                algorithms:
                  - none
                  - name: random
                    candidates: [2, 4]
                  - name: zero-order
                    neighbours: 3
                    lambda: 0.5
                    finalSteps: 20
                searchSolver: euler
                searchSteps: [5]
                finalSteps: [10]
                budgets: [unlimited, 30]
                guidance: [default, 1.5]
                evaluation: {perClass: 2, firstSeed: 7, classes: [1, 3]}
                """);
        assertThat(sweep.name()).isEqualTo("example");
        assertThat(sweep.verifiers()).containsExactly("oracle", "posterior");
        assertThat(sweep.algorithms()).extracting(AlgorithmAxes::name).containsExactly("none", "random", "zero-order");
        assertThat(sweep.algorithms().get(1).parameters()).isEqualTo(Map.of("candidates", List.of(2, 4)));
        assertThat(sweep.algorithms().get(2).parameters()).containsExactly(Map.entry("neighbours", List.of(3)),
                Map.entry("iterations", List.of(4)), Map.entry("lambda", List.of(0.5)));
        assertThat(sweep.algorithms().get(2).axes().finalSteps()).containsExactly(20);
        assertThat(sweep.axes().searchSolver()).containsExactly(SolverKind.EULER);
        assertThat(sweep.axes().budgets()).containsExactly(Long.MAX_VALUE, 30L);
        assertThat(sweep.guidance()).containsExactly(Double.NaN, 1.5);
        assertThat(sweep.evaluation()).isEqualTo(new EvaluationSet(2, 7, List.of(1, 3)));
    }

    @Test
    void aScalarIsAnAxisOfOneValueAndDefaultsMatchTheSearchCommand() {
        Sweep sweep = parse(HEAD + "algorithms: [random, zero-order, paths]\n");
        assertThat(sweep.models()).containsExactly("gmm-image");
        assertThat(sweep.evaluation()).isEqualTo(new EvaluationSet(10, 0, null));
        List<Configuration> configurations = sweep.configurations();
        assertThat(configurations.get(0).searchAlgorithm()).isEqualTo(new RandomSearch(16));
        assertThat(configurations.get(1).searchAlgorithm()).isEqualTo(new ZeroOrderSearch(16, 4, 0.95, Double.NaN));
        assertThat(configurations.get(2).parameters()).containsExactly(Map.entry("paths", 16), Map.entry("width", 2),
                Map.entry("searchStart", 0.4), Map.entry("forwardStep", 0.05), Map.entry("backwardStep", 0.1),
                Map.entry("pathLength", 2));
    }

    @Test
    void pruneTakesTheSearchCommandsDefaultsAndEachValueOfItsPruneAtAxisIsAListOfLevels() {
        assertThat(parse(HEAD + "algorithms: [prune]\n").configurations().getFirst().searchAlgorithm())
                .isEqualTo(new PruneSearch(16, List.of(0.7, 0.4), 4));
        List<Configuration> configurations = parse(HEAD
                + "algorithms: [{name: prune, candidates: 8, pruneAt: [[0.7, 0.4], 0.5, [0.6]], keep: 2}]\n")
                .configurations();
        assertThat(configurations).extracting(Configuration::searchAlgorithm).containsExactly(
                new PruneSearch(8, List.of(0.7, 0.4), 2), new PruneSearch(8, List.of(0.5), 2),
                new PruneSearch(8, List.of(0.6), 2));
        assertThat(configurations.getFirst().parametersText()).isEqualTo("candidates=8 pruneAt=0.7,0.4 keep=2");
    }

    @Test
    void smcTakesTheSearchCommandsDefaultsAndNamesItsPotentialAndScheme() {
        assertThat(parse(HEAD + "algorithms: [smc]\n").configurations().getFirst().searchAlgorithm())
                .isEqualTo(new SmcSearch(8, SmcSearch.Potential.DIFFERENCE, 1, Resampling.SYSTEMATIC, 1, 1, 1, 0));
        List<Configuration> configurations = parse(HEAD + "algorithms: [{name: smc, particles: [4, 16],"
                + " potential: max, smcLambda: 0.5, resampling: residual, resampleEvery: 2, essThreshold: 0.5,"
                + " steerFrom: 0.9, steerTo: 0.1}]\nsearchSolver: euler-sde\n").configurations();
        assertThat(configurations).extracting(Configuration::searchAlgorithm).containsExactly(
                new SmcSearch(4, SmcSearch.Potential.MAX, 0.5, Resampling.RESIDUAL, 2, 0.5, 0.9, 0.1),
                new SmcSearch(16, SmcSearch.Potential.MAX, 0.5, Resampling.RESIDUAL, 2, 0.5, 0.9, 0.1));
        assertThat(configurations.getFirst().searchSolver().kind()).isEqualTo(SolverKind.EULER_SDE);
    }

    @Test
    void beamAndEvolutionTakeTheSearchCommandsDefaultsAndListValuedAxes() {
        List<Configuration> defaults = parse(HEAD + "algorithms: [beam, evolution]\n").configurations();
        assertThat(defaults).extracting(Configuration::searchAlgorithm).containsExactly(
                new BeamSearch(4, 4, List.of(0.75, 0.5, 0.25), 0.95, "bfs", Double.NaN),
                new EvolutionSearch(List.of(8), 3, 2, 0.9, 0.98));
        List<Configuration> configurations = parse(HEAD
                + "algorithms: [{name: beam, beamWidth: 2, beamChildren: [1, 3], beamAt: [[0.7, 0.4]],"
                + " beamMode: dfs, beamThreshold: -5},"
                + " {name: evolution, population: [[6, 4, 4]], generations: 2, elites: 1, evoCosineEnd: 1}]\n")
                .configurations();
        assertThat(configurations).extracting(Configuration::searchAlgorithm).containsExactly(
                new BeamSearch(2, 1, List.of(0.7, 0.4), 0.95, "dfs", -5),
                new BeamSearch(2, 3, List.of(0.7, 0.4), 0.95, "dfs", -5),
                new EvolutionSearch(List.of(6, 4, 4), 2, 1, 0.9, 1.0));
    }

    /**
     * The noise axes set the noise of every solver of their kind, search and final; a configuration without them keeps
     * its id, and a value that no solver of an entry takes leaves its configurations as they were (not repeated).
     */
    @Test
    void noiseScaleAndEtaAreAxesOfTheSolversOfTheirKind() {
        Configuration plain = parse(HEAD + "algorithms: [random]\nsearchSolver: euler-sde\nfinalSolver: heun\n")
                .configurations().getFirst();
        List<Configuration> configurations = parse(HEAD + "algorithms: [random, {name: beam, beamExpand: step,"
                + " searchSolver: ddim, eta: [0.2, 1]}]\nsearchSolver: euler-sde\nfinalSolver: [heun, euler-sde]\n"
                + "noiseScale: [0.5, 1]\n").configurations();
        SolverSettings heun = new SolverSettings(SolverKind.HEUN, 10);
        assertThat(configurations).extracting(c -> c.searchSolver().resolve(c.finalSolver().resolve(heun)) + " / "
                + c.finalSolver().resolve(heun)).containsExactly(
                "euler-sde x10 noise 0.5 / heun x10", "euler-sde x10 noise 1.0 / heun x10",
                "euler-sde x10 noise 0.5 / euler-sde x10 noise 0.5", "euler-sde x10 noise 1.0 / euler-sde x10 noise 1.0",
                "ddim x10 eta 0.2 / heun x10", "ddim x10 eta 1.0 / heun x10",
                "ddim x10 eta 0.2 / euler-sde x10 noise 0.5", "ddim x10 eta 1.0 / euler-sde x10 noise 0.5",
                "ddim x10 eta 0.2 / euler-sde x10 noise 1.0", "ddim x10 eta 1.0 / euler-sde x10 noise 1.0");
        assertThat(parse(HEAD + "algorithms: [{name: evolution, generations: 2, evoAt: [[0.8, 0.5], 1]}]\n")
                .configurations()).extracting(Configuration::searchAlgorithm).containsExactly(
                new EvolutionSearch(List.of(8), 2, 2, 0.9, 0.98, List.of(0.8, 0.5)),
                new EvolutionSearch(List.of(8), 2, 2, 0.9, 0.98));
        assertThat(configurations.get(4).searchAlgorithm())
                .isEqualTo(new BeamSearch(4, 4, List.of(0.75, 0.5, 0.25), 0.95, "bfs", Double.NaN, "step"));
        // without noise axes nothing changes: same solvers, same id; noise 1 written out is another configuration
        assertThat(plain.searchSolver().toString()).isEqualTo("euler-sde");
        assertThat(configurations.get(1).id()).isNotEqualTo(plain.id());
        assertThat(configurations.get(1).searchSolver().toString()).isEqualTo("euler-sde noise 1.0");
        assertThat(SolverChoice.parse("ddim x20 eta 0.3")).isEqualTo(new SolverChoice(SolverKind.DDIM, 20, 0.3));
        assertThat(SolverChoice.parse("euler-sde noise 0.5")).isEqualTo(new SolverChoice(SolverKind.EULER_SDE, null,
                0.5));
        // the search solver left to the final one takes its noise too
        Configuration inherited = parse(HEAD + "algorithms: [random]\nfinalSolver: euler-sde\nnoiseScale: 0.3\n")
                .configurations().getFirst();
        assertThat(inherited.searchSolver().resolve(inherited.finalSolver().resolve(heun)))
                .isEqualTo(new SolverSettings(SolverKind.EULER_SDE, 10, 0.3));
    }

    @Test
    void theExampleSweepsInBenchSweepsRead() throws IOException {
        Path folder = benchSweeps();
        try (Stream<Path> files = Files.list(folder)) {
            List<Path> sweeps = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
            assertThat(sweeps).extracting(f -> f.getFileName().toString()).contains("quick.yaml");
            for (Path file : sweeps) {
                assertThat(SweepReader.read(file).configurations()).as(file.toString()).isNotEmpty();
            }
        }
    }

    private static Path benchSweeps() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("bench/sweeps"))) {
                return p.resolve("bench/sweeps");
            }
        }
        throw new IllegalStateException("bench/sweeps not found above " + Path.of("").toAbsolutePath());
    }

    static Stream<Arguments> badSweeps() {
        String many = IntStream.rangeClosed(1, 101).mapToObj(String::valueOf).collect(Collectors.joining(", "));
        String steps = IntStream.rangeClosed(1, 100).mapToObj(String::valueOf).collect(Collectors.joining(", "));
        return Stream.of(
                Arguments.of("unknown key", HEAD + "algorithms: [none]\nsamples: 3\n", "sweep.yaml: samples: unknown key"),
                Arguments.of("empty axis", "models: []\nverifiers: oracle\nalgorithms: [none]\n",
                        "sweep.yaml: models: is empty"),
                Arguments.of("missing axis", "models: gmm-image\nalgorithms: [none]\n", "sweep.yaml: verifiers: missing"),
                Arguments.of("axis without a value", HEAD + "algorithms:\n", "sweep.yaml: algorithms: has no value"),
                Arguments.of("bad value", HEAD + "algorithms:\n  - none\n  - name: random\n    candidates: 0\n",
                        "sweep.yaml: algorithms[1].candidates: must be at least 1, got 0"),
                Arguments.of("bad value in a list", HEAD + "algorithms: [none]\nfinalSteps: [10, ten]\n",
                        "sweep.yaml: finalSteps[1]: expected a whole number, got 'ten'"),
                Arguments.of("unknown algorithm", HEAD + "algorithms: [{name: annealing}]\n",
                        "sweep.yaml: algorithms[0].name: unknown algorithm 'annealing'"),
                Arguments.of("another algorithm's parameter", HEAD + "algorithms: [{name: zero-order, candidates: 4}]\n",
                        "sweep.yaml: algorithms[0].candidates: unknown key for algorithm zero-order"),
                Arguments.of("search axis on none", HEAD + "algorithms: [{name: none, budgets: 10}]\n",
                        "sweep.yaml: algorithms[0].budgets: unknown key for algorithm none"),
                Arguments.of("unknown solver", HEAD + "algorithms: [none]\nsearchSolver: rk4\n",
                        "sweep.yaml: searchSolver: unknown solver 'rk4'"),
                Arguments.of("negative budget", HEAD + "algorithms: [random]\nbudgets: [-1]\n",
                        "sweep.yaml: budgets[0]: must be at least 0, got -1"),
                Arguments.of("budget that is not a number", HEAD + "algorithms: [random]\nbudgets: lots\n",
                        "sweep.yaml: budgets: expected a number of search NFEs or 'unlimited', got 'lots'"),
                Arguments.of("budgets in both units", HEAD + "algorithms: [random]\nbudgets: 40\nbudgetGflops: 1\n",
                        "sweep.yaml: budgetGflops: budgets and budgetGflops exclude each other: give one"),
                Arguments.of("budgets in both units in an entry",
                        HEAD + "algorithms: [{name: random, budgets: 40, budgetGflops: 1}]\n",
                        "sweep.yaml: algorithms[0].budgetGflops: budgets and budgetGflops exclude each other"),
                Arguments.of("negative GFLOPs budget", HEAD + "algorithms: [random]\nbudgetGflops: [0.5, -0.1]\n",
                        "sweep.yaml: budgetGflops[1]: must be a finite number of at least 0, got -0.1"),
                Arguments.of("GFLOPs budget that is not a number", HEAD + "algorithms: [random]\nbudgetGflops: lots\n",
                        "sweep.yaml: budgetGflops: expected the search's GFLOPs per sample or 'unlimited', got 'lots'"),
                Arguments.of("GFLOPs budget on none", HEAD + "algorithms: [{name: none, budgetGflops: 1}]\n",
                        "sweep.yaml: algorithms[0].budgetGflops: unknown key for algorithm none"),
                Arguments.of("cosine and lambda", HEAD + "algorithms: [{name: zero-order, cosine: 0.9, lambda: 1}]\n",
                        "sweep.yaml: algorithms[0].lambda: cosine and lambda exclude each other"),
                Arguments.of("cosine out of range", HEAD + "algorithms: [{name: zero-order, cosine: [0.9, 1.0]}]\n",
                        "sweep.yaml: algorithms[0].cosine[1]: must lie strictly between -1 and 1, got 1.0"),
                Arguments.of("paths that make no progress",
                        HEAD + "algorithms: [{name: paths, forwardStep: 0.1, backwardStep: [0.2, 0.1]}]\n",
                        "sweep.yaml: algorithms[0].backwardStep: must exceed forwardStep"),
                Arguments.of("prune levels that do not descend",
                        HEAD + "algorithms: [{name: prune, pruneAt: [[0.7, 0.4], [0.4, 0.7]]}]\n",
                        "sweep.yaml: algorithms[0].pruneAt[1][1]: levels must be strictly descending, got 0.7 after 0.4"),
                Arguments.of("prune level out of range", HEAD + "algorithms: [{name: prune, pruneAt: 1.2}]\n",
                        "sweep.yaml: algorithms[0].pruneAt: must lie strictly between 0 and 1, got 1.2"),
                Arguments.of("prune without levels", HEAD + "algorithms: [{name: prune, pruneAt: [[]]}]\n",
                        "sweep.yaml: algorithms[0].pruneAt[0]: is empty"),
                Arguments.of("smc potential", HEAD + "algorithms: [{name: smc, potential: best}]\n",
                        "sweep.yaml: algorithms[0].potential: unknown potential 'best'"),
                Arguments.of("smc ESS threshold", HEAD + "algorithms: [{name: smc, essThreshold: 0}]\n",
                        "sweep.yaml: algorithms[0].essThreshold: must lie in (0, 1], got 0.0"),
                Arguments.of("smc particles", HEAD + "algorithms: [{name: smc, particles: 0}]\n",
                        "sweep.yaml: algorithms[0].particles: must be at least 1, got 0"),
                Arguments.of("beam mode", HEAD + "algorithms: [{name: beam, beamMode: wide}]\n",
                        "sweep.yaml: algorithms[0].beamMode: expected one of [bfs, dfs], got 'wide'"),
                Arguments.of("beam children", HEAD + "algorithms: [{name: beam, beamExpand: jump}]\n",
                        "sweep.yaml: algorithms[0].beamExpand: expected one of [neighbour, step], got 'jump'"),
                Arguments.of("noise scale out of range", HEAD + "algorithms: [random]\nsearchSolver: euler-sde\n"
                        + "noiseScale: [0.5, -1]\n", "sweep.yaml: noiseScale[1]: must lie in [0, 100], got -1.0"),
                Arguments.of("eta out of range", HEAD + "algorithms: [{name: random, searchSolver: ddim, eta: 1.5}]\n",
                        "sweep.yaml: algorithms[0].eta: must lie in [0, 1], got 1.5"),
                Arguments.of("eta that no entry takes", HEAD + "algorithms: [random, {name: beam, searchSolver: ddim,"
                        + " eta: 0.2}]\neta: 0.7\n", "sweep.yaml: eta: applies only to the ddim solver"),
                Arguments.of("noise scale without euler-sde", HEAD + "algorithms: [random]\nnoiseScale: 0.5\n",
                        "sweep.yaml: noiseScale: applies only to the euler-sde solver"),
                Arguments.of("eta without ddim in its entry", HEAD
                        + "algorithms: [{name: random, searchSolver: heun, eta: 0.5}]\nfinalSolver: euler\n", "sweep.yaml: algorithms[0].eta: applies only to the ddim solver"),
                Arguments.of("evolution population", HEAD + "algorithms: [{name: evolution, population: [[4, 0]]}]\n",
                        "sweep.yaml: algorithms[0].population[0][1]: must be at least 1, got 0"),
                Arguments.of("evolution level", HEAD + "algorithms: [{name: evolution, evoAt: [1, 0]}]\n",
                        "sweep.yaml: algorithms[0].evoAt[1]: must lie in (0, 1], got 0.0"),
                Arguments.of("evolution levels that rise", HEAD
                        + "algorithms: [{name: evolution, generations: 2, evoAt: [[0.5, 0.7]]}]\n",
                        "sweep.yaml: algorithms[0].evoAt[0][1]: levels must not rise, got 0.7 after 0.5"),
                Arguments.of("evolution levels per generation", HEAD
                        + "algorithms: [{name: evolution, generations: 3, evoAt: [[1, 0.5]]}]\n",
                        "sweep.yaml: algorithms[0]: --evo-at must give one level, or one per generation"),
                Arguments.of("evolution cosine", HEAD + "algorithms: [{name: evolution, evoCosineStart: 1.5}]\n",
                        "sweep.yaml: algorithms[0].evoCosineStart: must lie in (-1, 1], got 1.5"),
                Arguments.of("prune keep factor", HEAD + "algorithms: [{name: prune, keep: 0}]\n",
                        "sweep.yaml: algorithms[0].keep: must be at least 1, got 0"),
                Arguments.of("repeated schedule", HEAD + "algorithms: [{name: prune, pruneAt: [[0.5], 0.5]}]\n",
                        "sweep.yaml: algorithms[0].pruneAt[1]: 0.5 appears twice"),
                Arguments.of("repeated value", "models: [gmm-image, gmm-image]\nverifiers: oracle\nalgorithms: none\n",
                        "sweep.yaml: models[1]: 'gmm-image' appears twice"),
                Arguments.of("guidance out of range", HEAD + "algorithms: [none]\nguidance: [1, 2000]\n",
                        "sweep.yaml: guidance[1]: must lie within"),
                Arguments.of("bad evaluation set", HEAD + "algorithms: [none]\nevaluation: {perClass: 0}\n",
                        "sweep.yaml: evaluation.perClass: must be at least 1, got 0"),
                Arguments.of("unknown evaluation key", HEAD + "algorithms: [none]\nevaluation: {seeds: 3}\n",
                        "sweep.yaml: evaluation.seeds: unknown key for the evaluation set"),
                Arguments.of("a mapping where a list belongs", HEAD + "algorithms: [none]\nfinalSteps: {a: 1}\n",
                        "sweep.yaml: finalSteps: expected a value or a list of values, got a mapping"),
                Arguments.of("not a mapping", "- models\n", "sweep.yaml: the sweep must be a mapping of keys, got a list"),
                Arguments.of("empty file", "", "sweep.yaml: the sweep is empty"),
                Arguments.of("duplicate key", HEAD + "models: gmm-2d\nalgorithms: [none]\n",
                        "sweep.yaml: not valid YAML at line 3"),
                Arguments.of("not YAML", "models: [gmm-image\n", "sweep.yaml: not valid YAML at line"),
                Arguments.of("too many configurations", HEAD + "algorithms: [{name: random, candidates: [" + many
                        + "]}]\nfinalSteps: [" + steps + "]\n", "sweep.yaml: the axes multiply to 10100 configurations;"
                        + " at most 10000"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSweeps")
    void aBadSweepIsOneLineNamingTheKey(String name, String yaml, String expected) {
        assertThatThrownBy(() -> parse(yaml)).isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith(expected)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}

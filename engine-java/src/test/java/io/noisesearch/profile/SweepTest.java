package io.noisesearch.profile;

import io.noisesearch.format.Json;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** A sweep expands to its cartesian product in a fixed order, each configuration with a stable id. */
class SweepTest {

    private static List<Configuration> expand(String yaml) {
        return SweepReaderTest.parse(yaml).configurations();
    }

    @Test
    void configurationsAreTheCartesianProductInDeclaredOrderTheLastAxisFastest() {
        List<Configuration> all = expand("""
                models: gmm-image
                verifiers: [oracle, posterior]
                algorithms: [{name: random, candidates: [2, 4]}]
                finalSteps: [5, 10]
                """);
        assertThat(all).extracting(c -> c.verifier() + " " + c.parametersText() + " " + c.finalSolver())
                .containsExactly(
                        "oracle candidates=2 default x5", "oracle candidates=2 default x10",
                        "oracle candidates=4 default x5", "oracle candidates=4 default x10",
                        "posterior candidates=2 default x5", "posterior candidates=2 default x10",
                        "posterior candidates=4 default x5", "posterior candidates=4 default x10");
    }

    @Test
    void noneDropsTheSearchAxesSoTheStepsOnlySeriesHasOneConfigurationPerFinalSteps() {
        List<Configuration> all = expand("""
                models: gmm-image
                verifiers: oracle
                algorithms:
                  - {name: none, finalSteps: [5, 10, 25, 50]}
                  - {name: random, candidates: 4}
                searchSteps: [5, 10]
                budgets: [20, 40]
                finalSteps: 10
                """);
        assertThat(all).filteredOn(c -> c.algorithm().equals("none"))
                .extracting(c -> c.finalSolver().steps(), Configuration::budgetNfe, Configuration::searchSolver)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(5, null, SolverChoice.DEFAULT),
                        org.assertj.core.groups.Tuple.tuple(10, null, SolverChoice.DEFAULT),
                        org.assertj.core.groups.Tuple.tuple(25, null, SolverChoice.DEFAULT),
                        org.assertj.core.groups.Tuple.tuple(50, null, SolverChoice.DEFAULT));
        assertThat(all).filteredOn(c -> c.algorithm().equals("random")).hasSize(4);
    }

    @Test
    void anAlgorithmEntrysOwnAxesReplaceTheSweepsForThatEntryOnly() {
        List<Configuration> all = expand("""
                models: gmm-image
                verifiers: oracle
                algorithms: [{name: random, candidates: 2, finalSolver: euler}, {name: random, candidates: 3}]
                finalSolver: heun
                finalSteps: 8
                """);
        assertThat(all).extracting(c -> c.finalSolver().toString()).containsExactly("euler x8", "heun x8");
    }

    @Test
    void idsAreShortHashesOfTheCanonicalJsonStableAcrossReadsAndIndependentOfOtherAxes() {
        String one = "models: gmm-image\nverifiers: oracle\nalgorithms: [{name: random, candidates: 4}]\n"
                + "evaluation: {perClass: 2}\n";
        String more = "models: gmm-image\nverifiers: [posterior, oracle]\nalgorithms: [none, {name: random, candidates:"
                + " [8, 4]}]\nevaluation: {perClass: 2}\n";
        Configuration c = expand(one).getFirst();
        assertThat(c.canonicalJson()).isEqualTo("{\"model\":\"gmm-image\",\"verifier\":\"oracle\",\"algorithm\":"
                + "\"random\",\"parameters\":{\"candidates\":4},\"searchSolver\":\"default\",\"finalSolver\":"
                + "\"default\",\"budgetNfe\":null,\"guidance\":null,\"evaluation\":{\"perClass\":2,\"firstSeed\":0,"
                + "\"classes\":null}}");
        assertThat(c.id()).hasSize(12).matches("[0-9a-f]+").isEqualTo(expand(one).getFirst().id());
        assertThat(expand(more)).extracting(Configuration::id).contains(c.id()).doesNotHaveDuplicates();
    }

    @Test
    void aBudgetInGflopsIsTheBudgetAxisInAnotherUnitAndAnEntrysBudgetReplacesItInEither() throws Exception {
        List<Configuration> all = expand("""
                models: gmm-image
                verifiers: oracle
                algorithms: [none, {name: random, candidates: 2}, {name: random, candidates: 3, budgets: 40}]
                budgetGflops: [0.5, unlimited]
                """);
        assertThat(all).extracting(Configuration::algorithm, Configuration::budgetNfe, Configuration::budgetGflops)
                .containsExactly(tuple("none", null, null), tuple("random", null, 0.5), tuple("random", null, null),
                        tuple("random", 40L, null));
        assertThat(all.get(1).canonicalJson()).endsWith(",\"budgetGflops\":0.5}");
        assertThat(all.get(1).describe()).endsWith(", budget 0.5 GFLOPs");
        // Unlimited in GFLOPs is the configuration without a budget: the same id as one that never named a budget.
        assertThat(all.get(2).id()).isEqualTo(expand("""
                models: gmm-image
                verifiers: oracle
                algorithms: [{name: random, candidates: 2}]
                """).getFirst().id());
        Configuration back = Json.parse(Json.line(all.get(1)), Configuration.class);
        assertThat(back).isEqualTo(all.get(1));
        assertThat(back.id()).isEqualTo(all.get(1).id());
    }

    @Test
    void aConfigurationReadBackFromItsJsonHasTheSameId() throws Exception {
        for (Configuration c : expand("""
                models: gmm-image
                verifiers: oracle
                algorithms: [none, random, {name: zero-order, lambda: 2}, paths, prune,
                             {name: prune, pruneAt: [[0.8, 0.5, 0.2], 0.6], keep: 2},
                             {name: smc, potential: [max, sum], resampling: residual, essThreshold: 0.5}]
                searchSolver: euler
                budgets: [unlimited, 50]
                guidance: [default, 1.5]
                evaluation: {classes: [2, 4]}
                """)) {
            Configuration back = Json.parse(Json.line(c), Configuration.class);
            assertThat(back).isEqualTo(c);
            assertThat(back.id()).isEqualTo(c.id());
        }
    }
}

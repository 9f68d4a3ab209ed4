package io.noisesearch.profile;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-budget frontier: each algorithm's best value over its settings at each budget, none as a flat line. */
class PlotsTest {

    private static final List<Configuration> CONFIGURATIONS = SweepReaderTest.parse("""
            models: gmm-image
            verifiers: oracle
            algorithms:
              - none
              - {name: random, candidates: [2, 4]}
              - {name: random, candidates: 4, searchSolver: euler-sde}
            budgets: [64, 128]
            """).configurations();

    /** Results of the sweep above with the given oracle log-densities (and FIDs: their negation), in its order. */
    private static List<ProfileResult> results(double... quality) {
        assertThat(quality).hasSize(CONFIGURATIONS.size());
        List<ProfileResult> results = new ArrayList<>();
        for (int i = 0; i < quality.length; i++) {
            Configuration c = CONFIGURATIONS.get(i);
            String search = c.algorithm().equals("none") ? "-"
                    : c.searchSolver().kind() == null ? "heun x10" : c.searchSolver() + " noise 1.0";
            results.add(new ProfileResult(c.id(), i, c, new ProfileResult.Solvers(search, "heun x10"), "fp32", 4,
                    new ProfileResult.Quality(null, null, -quality[i], null, null, null, quality[i], quality[i]),
                    new ProfileResult.Work(19, 76, 0, 76, 4, 0.5, 0.25, 0.75, 0),
                    new ProfileResult.Measured(10, 5, 0, 1, 1 << 20)));
        }
        return results;
    }

    private static Pareto.Point p(double budget, double quality) {
        return new Pareto.Point(budget, quality);
    }

    @Test
    void eachSeriesKeepsItsBestSettingPerBudgetAndSplitsBySearchSolver() {
        // Order: none; random N = 2 at 64, 128; N = 4 at 64, 128; random euler-sde N = 4 at 64, 128.
        assertThat(CONFIGURATIONS).extracting(Configuration::budgetNfe).containsExactly(null, 64L, 128L, 64L, 128L,
                64L, 128L);
        List<ProfileResult> results = results(-5, 10, 30, 20, 25, 1, 2);

        List<Plots.FrontierLine> higher = Plots.bestPerBudget(results, Metric.ORACLE_LOG_DENSITY);
        assertThat(higher).extracting(Plots.FrontierLine::label).containsExactly(
                "steps only (none) / oracle, no search", "random / oracle (search heun)",
                "random / oracle (search euler-sde)");
        assertThat(higher.get(0).none()).isTrue();
        assertThat(higher.get(0).points()).containsExactly(p(64, -5), p(128, -5));
        assertThat(higher.get(1).points()).containsExactly(p(64, 20), p(128, 30));
        assertThat(higher.get(2).points()).containsExactly(p(64, 1), p(128, 2));

        // Lower is better for FID (here minus the density): the least value per budget, the same points negated.
        List<Plots.FrontierLine> lower = Plots.bestPerBudget(results, Metric.FID);
        assertThat(lower.get(1).points()).containsExactly(p(64, -20), p(128, -30));
        assertThat(lower.get(0).points()).containsExactly(p(64, 5), p(128, 5));
    }

    @Test
    void theFrontierPlotIsDrawnOnlyWhereTheSweepHasBudgetsInNfes() {
        assertThat(Plots.draw(results(-5, 10, 30, 20, 25, 1, 2), "test")).extracting(Plots.Plot::file)
                .contains("oracle-log-density-best-vs-budget.png", "oracle-log-density-vs-nfe.png");
        List<ProfileResult> none = results(-5, 10, 30, 20, 25, 1, 2).subList(0, 1);
        assertThat(Plots.bestPerBudget(none, Metric.ORACLE_LOG_DENSITY)).isEmpty();
        assertThat(Plots.draw(none, "test")).extracting(Plots.Plot::file)
                .doesNotContain("oracle-log-density-best-vs-budget.png");
    }

    @Test
    void verifierScoresOfSeveralVerifiersArePlottedApartAndOtherMetricsTogether() {
        List<Configuration> two = SweepReaderTest.parse("""
                models: gmm-image
                verifiers: [oracle, "ssl@0.7"]
                algorithms: [none, {name: random, candidates: 2}]
                budgets: [64, 128]
                """).configurations();
        List<ProfileResult> results = new ArrayList<>();
        for (int i = 0; i < two.size(); i++) {
            Configuration c = two.get(i);
            results.add(new ProfileResult(c.id(), i, c, new ProfileResult.Solvers(
                    c.algorithm().equals("none") ? "-" : "heun x10", "heun x10"), "fp32", 4,
                    new ProfileResult.Quality(0.5, null, 1.0 + i, null, null, null, (double) i, null),
                    new ProfileResult.Work(19, 76, 0, 76, 4, 0.5, 0.25, 0.75, 0),
                    new ProfileResult.Measured(10, 5, 0, 1, 1 << 20)));
        }
        List<Plots.Plot> plots = Plots.draw(results, "two");
        assertThat(plots).extracting(Plots.Plot::file)
                .contains("verifier-score-oracle-vs-nfe.png", "verifier-score-ssl-0.7-vs-nfe.png",
                        "verifier-score-oracle-best-vs-budget.png", "verifier-score-ssl-0.7-best-vs-budget.png",
                        "fid-vs-nfe.png", "accuracy-vs-gflops.png")
                .doesNotContain("verifier-score-vs-nfe.png", "fid-oracle-vs-nfe.png");
        assertThat(plots).extracting(Plots.Plot::title).contains("mean verifier score of ssl@0.7 vs NFEs (two)");
        // Each plot's file name is unique, so none overwrites another in the output folder.
        assertThat(plots).extracting(Plots.Plot::file).doesNotHaveDuplicates();
        assertThat(Plots.fileSafe("ensemble:clip=2,reward")).isEqualTo("ensemble-clip-2-reward");
    }
}

package io.noisesearch.profile;

import io.noisesearch.backend.Backends;
import io.noisesearch.compute.Compute;
import io.noisesearch.engine.Engine;
import io.noisesearch.model.Denoiser;
import io.noisesearch.model.ModelRepository;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.search.RandomSearch;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.SearchResult;
import io.noisesearch.verify.Verifier;
import io.noisesearch.verify.Verifiers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Best-of-N from the first N candidates of a larger pool is best-of-N run alone: the same winner, sample, scores and
 * accounted compute, for single verifiers and rank ensembles, with equal and with different search and final solvers.
 */
class PrefixReuseTest {

    private static Engine engine;

    @BeforeAll
    static void open() {
        engine = Engine.open(Backends.open("host"), 0, 1, new ModelRepository(trainedModels()));
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    /** The committed trained models, in tensorrt-plans/models above the working folder. */
    static Path trainedModels() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("tensorrt-plans/models/mnist-flow-s/model.onnx"))) {
                return p.resolve("tensorrt-plans/models");
            }
        }
        throw new IllegalStateException("tensorrt-plans/models/mnist-flow-s/model.onnx not found above "
                + Path.of("").toAbsolutePath());
    }

    /**
     * {@code rowExact}: the model and verifier compute a row the same whatever rows share its batch, as the engine's
     * own kernels do (exact mixtures). ONNX Runtime's CPU kernels do not quite: the unpaired last row of an odd batch
     * (a batch of one too) is rounded differently, by an ulp. There a searched sample of the pool may differ from the
     * smaller search's in the last bits; final samples (solved alone either way) and the winners do not.
     */
    @ParameterizedTest(name = "{0} / {1}, search {2} x{3}, final x{4}")
    @CsvSource(delimiter = '|', textBlock = """
            gmm-image    | oracle                    | heun  | 5 | 5  | 16 | 10 | 3 | true
            gmm-image    | oracle                    | heun  | 5 | 10 | 16 | 10 | 3 | true
            gmm-image    | ensemble:oracle,posterior | heun  | 5 | 5  | 16 | 10 | 3 | true
            gmm-image    | ensemble:oracle,posterior | heun  | 5 | 10 | 16 | 10 | 3 | true
            mnist-flow-s | classifier                | euler | 2 | 4  | 8  | 10 | 1 | false
            mnist-flow-s | ensemble:classifier,ssl   | euler | 2 | 4  | 8  | 10 | 1 | false
            mnist-flow-s | ensemble:classifier,ssl   | euler | 2 | 2  | 8  | 10 | 1 | false
            """)
    void thePrefixOfAPoolGivesWhatTheSmallerSearchGivesAlone(String model, String verifierName, String solver,
                                                             int searchSteps, int finalSteps, int pool, int classes,
                                                             int perClass, boolean rowExact) {
        SolverSettings search = new SolverSettings(SolverKind.parse(solver), searchSteps);
        SolverSettings last = new SolverSettings(SolverKind.parse(solver), finalSteps);
        Denoiser denoiser = engine.model(model);
        Verifier verifier = Verifiers.create(verifierName, denoiser, role -> engine.auxiliary(denoiser, role));
        Set<Long> winners = new HashSet<>();
        for (int label = 0; label < classes; label++) {
            for (long seed = 0; seed < perClass; seed++) {
                SearchRequest request = SearchRequest.of(model, label, new RandomSearch(pool), verifierName,
                        100 * label + seed).withSolvers(search, last);
                SearchResult whole = engine.search(request);
                Map<Long, SearchResult> solved = new HashMap<>();
                for (int n = 1; n <= pool; n++) {
                    SearchResult derived = PrefixReuse.derive(engine, request, whole, verifier, n, solved).result();
                    SearchResult alone = engine.search(new SearchRequest(model, label, new RandomSearch(n),
                            verifierName, search, last, Double.NaN, SearchRequest.UNLIMITED, request.seed(),
                            SearchRequest.DEFAULT_BATCH_SIZE));
                    String what = "n = " + n + ", label " + label + ", seed " + request.seed();
                    assertSameWinnerAndCompute(derived, alone, what);
                    if (rowExact || !alone.finalReused()) {
                        assertThat(derived.sample()).as(what).containsExactly(alone.sample());
                        assertThat(derived.score()).as(what).isEqualTo(alone.score());
                    } else {
                        assertThat(derived.sample()).as(what).containsExactly(alone.sample(), within(1e-5f));
                        assertThat(derived.score()).as(what).isCloseTo(alone.score(), within(1e-5f));
                    }
                    if (rowExact) {
                        assertThat(derived.memberScores()).as(what).containsExactly(alone.memberScores());
                        assertThat(derived.trace().getFirst().scores()).as(what)
                                .containsExactly(alone.trace().getFirst().scores());
                    } else if (!alone.finalReused()) {
                        assertThat(derived.memberScores()).as(what).containsExactly(alone.memberScores());
                    }
                    winners.add(alone.key());
                }
            }
        }
        assertThat(winners).as("prefixes of different sizes chose different candidates").hasSizeGreaterThan(1);
    }

    private static void assertSameWinnerAndCompute(SearchResult derived, SearchResult alone, String what) {
        assertThat(derived.key()).as(what).isEqualTo(alone.key());
        assertThat(derived.lineage()).as(what).isEqualTo(alone.lineage());
        assertThat(derived.trace().getFirst().keys()).as(what).containsExactly(alone.trace().getFirst().keys());
        assertThat(derived.trace().getFirst().chosenKey()).as(what).isEqualTo(alone.key());
        assertThat(derived.finalReused()).as(what).isEqualTo(alone.finalReused());
        assertThat(derived.budgetExhausted()).as(what).isEqualTo(alone.budgetExhausted());
        assertThat(derived.searchNfePlanned()).as(what).isEqualTo(alone.searchNfePlanned());
        Compute a = derived.compute();
        Compute b = alone.compute();
        assertThat(List.of(a.searchNfe(), a.finalNfe(), a.forwardPasses(), a.flops(), a.verifierCalls())).as(what)
                .isEqualTo(List.of(b.searchNfe(), b.finalNfe(), b.forwardPasses(), b.flops(), b.verifierCalls()));
    }

    @Test
    void pointsWhoseBudgetsLetThemDrawTheirWholePoolFormOneGroupAcrossBudgets() {
        List<Configuration> configurations = SweepReaderTest.parse("""
                models: gmm-image
                verifiers: oracle
                algorithms:
                  - {name: random, candidates: 2, budgets: 18}
                  - {name: random, candidates: 4, budgets: 40}
                  - {name: random, candidates: 8, budgets: [72, unlimited]}
                  - {name: random, candidates: 16, budgets: 64}
                  - {name: random, candidates: 4, budgets: 40, finalSteps: 5}
                searchSolver: heun
                searchSteps: 5
                """).configurations();
        Profiler profiler = new Profiler(engine, "test", Overrides.NONE, null, 1);
        List<List<Integer>> units = PrefixReuse.units(configurations, List.of(0, 1, 2, 3, 4, 5), profiler::plan);
        // N = 16 at 64 NFEs is cut (144 planned), and another final solver is another group.
        assertThat(units).containsExactly(List.of(0, 1, 2, 3), List.of(4), List.of(5));
    }

    @Test
    void aBudgetThatLetsTheWholePoolBeDrawnGivesWhatNoBudgetGives() {
        SolverSettings heun5 = new SolverSettings(SolverKind.HEUN, 5);
        SolverSettings heun10 = new SolverSettings(SolverKind.HEUN, 10);
        Verifier verifier = Verifiers.create("oracle", engine.model("gmm-image"));
        for (long seed = 0; seed < 4; seed++) {
            SearchRequest request = SearchRequest.of("gmm-image", 2, new RandomSearch(8), "oracle", seed)
                    .withSolvers(heun5, heun10);
            SearchResult pool = engine.search(request);
            for (int n : new int[] {2, 5, 8}) {
                SearchResult alone = engine.search(SearchRequest.of("gmm-image", 2, new RandomSearch(n), "oracle",
                        seed).withSolvers(heun5, heun10).withBudget(9L * n));
                SearchResult derived = PrefixReuse.derive(engine, request, pool, verifier, n, new HashMap<>())
                        .result();
                String what = "n = " + n + ", seed " + seed;
                assertSameWinnerAndCompute(derived, alone, what);
                assertThat(derived.sample()).as(what).containsExactly(alone.sample());
                assertThat(derived.score()).as(what).isEqualTo(alone.score());
            }
        }
    }
}

package io.noisesearch.search;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.engine.Engine;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BeamSearchTest extends EngineFixture {

    private static BeamSearch bfs(int beams, int children, List<Double> levels) {
        return new BeamSearch(beams, children, levels, 0.9, "bfs", Double.NaN);
    }

    private static BeamSearch dfs(int beams, int children, List<Double> levels, double threshold) {
        return new BeamSearch(beams, children, levels, 0.9, "dfs", threshold);
    }

    /** Euler and DDIM: 1 NFE a step; Heun: 2 a step, 1 for the step that ends at t = 0. */
    private static long nfe(SolverKind kind, int steps, boolean endsAtZero) {
        return kind != SolverKind.HEUN ? steps : endsAtZero ? 2L * steps - 1 : 2L * steps;
    }

    /**
     * With levels on steps a_1 < ... < a_C of S: bfs B (nfe(a_1) + k) + sum_j B (nfe(a_j - a_j-1) + k) + B nfe(S - a_C);
     * greedy dfs the first level's B solves and B k x-predictions, then one state per level.
     */
    private static long closedForm(SolverKind kind, int steps, int[] at, int beams, int children, boolean greedy) {
        long total = beams * (nfe(kind, at[0], false) + children);
        long entered = greedy ? 1 : beams;
        for (int j = 1; j < at.length; j++) {
            total += entered * (nfe(kind, at[j] - at[j - 1], false) + children);
        }
        return total + entered * nfe(kind, steps - at[at.length - 1], true);
    }

    @Test
    void searchNfesEqualTheClosedFormula() {
        // Euler x10, levels 0.7 and 0.4 on steps 3 and 6: B 4, k 3: 4 (3 + 3) + 4 (3 + 3) + 4 4 = 64.
        assertThat(engine.search(request(bfs(4, 3, List.of(0.7, 0.4)), 2, 1, EULER_10, EULER_10)).compute()
                .searchNfe()).isEqualTo(64);
        Object[][] cases = {
                {SolverKind.EULER, 10, 4, 3, List.of(0.7, 0.4), new int[] {3, 6}},
                {SolverKind.HEUN, 10, 5, 2, List.of(0.75, 0.5, 0.25), new int[] {3, 5, 8}},
                {SolverKind.HEUN, 20, 3, 4, List.of(0.5), new int[] {10}},
                {SolverKind.DDIM, 12, 2, 1, List.of(0.9, 0.33), new int[] {1, 8}},
        };
        for (Object[] c : cases) {
            SolverSettings solver = new SolverSettings((SolverKind) c[0], (int) c[1]);
            @SuppressWarnings("unchecked")
            List<Double> levels = (List<Double>) c[4];
            int[] at = (int[]) c[5];
            for (BeamSearch beam : List.of(bfs((int) c[2], (int) c[3], levels),
                    dfs((int) c[2], (int) c[3], levels, Double.NaN))) {
                long expected = closedForm(solver.kind(), solver.steps(), at, beam.beams(), beam.children(),
                        beam.mode().equals("dfs"));
                SearchResult result = engine.search(request(beam, 1, 3, solver, solver));
                assertThat(result.compute().searchNfe()).as("%s %s", beam, solver).isEqualTo(expected);
                assertThat(result.searchNfePlanned()).as("%s %s", beam, solver).isEqualTo(expected);
                assertThat(result.stoppedBy()).isEqualTo(StopReason.COMPLETED);
            }
        }
    }

    /**
     * With one child per state nothing is pruned and no state is moved: beam search is best-of-B over random search's
     * first B noises, each solved level by level over slices of the same grid, so it returns random search's winner,
     * score and sample bit for bit, also where the final solver re-solves the winner.
     */
    @Test
    void oneChildIsRandomSearchOverTheSameNoisesBitForBit() {
        for (int seed = 0; seed < 4; seed++) {
            for (SolverSettings search : List.of(HEUN_10, EULER_10)) {
                for (SolverSettings last : List.of(search, HEUN_20)) {
                    String what = "seed " + seed + ", " + search + " -> " + last;
                    SearchResult beam = engine.search(request(bfs(8, 1, List.of(0.7, 0.4)), seed, seed, search,
                            last));
                    SearchResult random = engine.search(request(new RandomSearch(8), seed, seed, search, last));
                    assertThat(beam.key()).as(what).isEqualTo(random.key());
                    assertThat(beam.lineage()).as(what).isEqualTo(random.lineage());
                    assertThat(beam.score()).as(what).isEqualTo(random.score());
                    assertThat(beam.memberScores()).as(what).containsExactly(random.memberScores());
                    assertThat(beam.sample()).as(what).containsExactly(random.sample());
                    assertThat(beam.trace().getLast().scores()).as(what)
                            .containsExactly(random.trace().getFirst().scores());
                    assertThat(beam.compute().finalNfe()).as(what).isEqualTo(random.compute().finalNfe());
                }
            }
        }
    }

    @Test
    void eachLevelPrunesToTheBestBOfItsChildrenAndTheLineageNamesTheNeighbours() {
        SearchResult result = engine.search(request(bfs(4, 3, List.of(0.7, 0.4)), 5, 11, HEUN_10, HEUN_10));
        assertThat(result.trace()).extracting(TraceEntry::level).containsExactly(0.7, 0.4, 0.0);
        assertThat(result.trace()).extracting(e -> e.keys().length).containsExactly(12, 12, 4);
        TraceEntry first = result.trace().getFirst();
        // Child 0 of each beam is the beam itself (its key), the others are neighbour directions of stage beam.
        for (int i = 0; i < 12; i++) {
            long expected = i % 3 == 0 ? SearchContext.key(Stage.RANDOM, 0, i / 3)
                    : SearchContext.key(Stage.BEAM, 1, (i / 3) * 2L + i % 3 - 1);
            assertThat(first.keys()[i]).isEqualTo(expected);
            assertThat(first.parents()[i]).isEqualTo(i / 3);
        }
        // The survivors of level 1 are its best four children, in candidate order: their keys end the next lineages.
        int[] top = io.noisesearch.verify.Scores.top(first.scores(), 4);
        java.util.Arrays.sort(top);
        TraceEntry second = result.trace().get(1);
        for (int b = 0; b < 4; b++) {
            assertThat(second.keys()[b * 3]).isEqualTo(first.keys()[top[b]]);
        }
        assertThat(result.lineage().getFirst() >>> 56).isEqualTo(Stage.RANDOM.code());
        assertThat(result.lineage().subList(1, result.lineage().size()))
                .allMatch(key -> key >>> 56 == Stage.BEAM.code());
        assertThat(result.key()).isEqualTo(result.trace().getLast().chosenKey());
    }

    @Test
    void aBudgetIsNeverExceeded() {
        for (BeamSearch beam : List.of(bfs(4, 3, List.of(0.7, 0.4)), dfs(3, 3, List.of(0.7, 0.4), 0.0))) {
            for (long budget = 0; budget <= 140; budget += 7) {
                SearchResult result = engine.search(request(beam, 4, 2, EULER_10, EULER_10).withBudget(budget));
                String what = beam.mode() + " budget " + budget;
                assertThat(result.compute().searchNfe()).as(what).isLessThanOrEqualTo(budget);
                if (result.budgetExhausted()) {
                    assertThat(result.stoppedBy()).as(what).isEqualTo(StopReason.BUDGET);
                }
                for (float v : result.sample()) {
                    assertThat(Float.isFinite(v)).as(what).isTrue();
                }
            }
        }
    }

    @Test
    void winnersDoNotDependOnTheBatchSizeOrTheThreadCount() {
        List<BeamSearch> searches = List.of(bfs(5, 3, List.of(0.8, 0.5, 0.3)), dfs(3, 3, List.of(0.7, 0.4), 0.0));
        try (Engine oneThread = Engine.open("host", 1)) {
            for (BeamSearch beam : searches) {
                SearchRequest request = request(beam, 7, 21, HEUN_10, HEUN_10).withBudget(400);
                SearchResult reference = engine.search(request);
                for (int batch : new int[] {1, 2, 7, 256}) {
                    for (Engine e : List.of(engine, oneThread)) {
                        SearchResult other = e.search(request.withBatchSize(batch));
                        String what = beam.mode() + " batch " + batch;
                        assertThat(other.key()).as(what).isEqualTo(reference.key());
                        assertThat(other.lineage()).as(what).isEqualTo(reference.lineage());
                        assertThat(other.score()).as(what).isEqualTo(reference.score());
                        assertThat(other.sample()).as(what).containsExactly(reference.sample());
                        assertThat(other.compute().searchNfe()).as(what).isEqualTo(reference.compute().searchNfe());
                    }
                }
            }
        }
    }

    /**
     * Depth first with a threshold: every leaf before the last one scored below it (backtracking), the last one is the
     * winner if it reached the threshold, else the best leaf wins; no search NFE past the budget.
     */
    @Test
    void depthFirstBacktracksBelowTheThreshold() {
        int backtracked = 0;
        for (int seed = 0; seed < 6; seed++) {
            SearchResult greedy = engine.search(request(dfs(3, 3, List.of(0.7, 0.4), Double.NaN), seed, seed,
                    EULER_10, EULER_10));
            // Above the greedy leaf: the greedy path's leaf is no longer good enough.
            double threshold = greedy.score() + 0.5;
            SearchResult result = engine.search(request(dfs(3, 3, List.of(0.7, 0.4), threshold), seed, seed,
                    EULER_10, EULER_10).withBudget(600));
            List<TraceEntry> leaves = result.trace().stream().filter(e -> e.stage().equals("beam-dfs-leaf")).toList();
            String what = "seed " + seed + " threshold " + threshold;
            assertThat(result.compute().searchNfe()).as(what).isLessThanOrEqualTo(600);
            assertBacktracking(result, leaves, threshold, what);
            long expansions = result.trace().stream().filter(e -> e.stage().equals("beam-dfs")).count();
            backtracked += leaves.size() > 1 || expansions > 2 ? 1 : 0;
        }
        assertThat(backtracked).as("searches that backtracked").isGreaterThan(0);
    }

    /**
     * A budget that pays for the first level alone: no state can be entered, so the top child of the first expansion
     * is completed (final NFEs: its remaining 7 Euler steps, or a full final solve of a drawn noise).
     */
    @Test
    void depthFirstStoppedBeforeAnyLeafCompletesTheTopChildOfItsLastExpansion() {
        for (int seed = 0; seed < 4; seed++) {
            SearchResult result = engine.search(request(dfs(2, 3, List.of(0.7, 0.4), Double.NaN), 1, seed, EULER_10,
                    EULER_10).withBudget(12));
            String what = "seed " + seed;
            assertThat(result.compute().searchNfe()).as(what).isEqualTo(12);
            assertThat(result.stoppedBy()).as(what).isEqualTo(StopReason.BUDGET);
            assertThat(result.trace()).as(what).extracting(TraceEntry::stage).containsExactly("beam-dfs");
            assertThat(result.key()).as(what).isEqualTo(result.trace().getFirst().chosenKey());
            boolean drawn = result.key() >>> 56 == Stage.RANDOM.code();
            assertThat(result.compute().finalNfe()).as(what).isEqualTo(drawn ? 10 : 7);
        }
    }

    @Test
    void withoutAThresholdDepthFirstIsGreedyDescent() {
        SearchResult greedy = engine.search(request(dfs(3, 3, List.of(0.7, 0.4), Double.NaN), 2, 8, EULER_10,
                EULER_10));
        assertThat(greedy.trace()).extracting(TraceEntry::stage).containsExactly("beam-dfs", "beam-dfs", "beam-dfs-leaf");
        // Each expansion enters its best child: the child named by the next expansion's first key.
        TraceEntry first = greedy.trace().getFirst();
        TraceEntry second = greedy.trace().get(1);
        assertThat(second.keys()[0]).isEqualTo(first.chosenKey());
        assertThat(greedy.key()).isEqualTo(greedy.trace().getLast().chosenKey());
        assertThat(greedy.trace().getLast().rejected()).isFalse();
    }

    @Test
    void levelsThatShareASolverStepAreOneLineNamingBeamAt() {
        assertThatThrownBy(() -> engine.search(request(bfs(2, 2, List.of(0.71, 0.7)), 0, 0, EULER_10, EULER_10)))
                .isInstanceOf(InvalidRequestException.class).hasMessageStartingWith("--beam-at 0.7 falls on step 3");
        assertThatThrownBy(() -> bfs(0, 2, List.of(0.5))).hasMessageStartingWith("--beam-width");
        assertThatThrownBy(() -> bfs(2, 0, List.of(0.5))).hasMessageStartingWith("--beam-children");
        assertThatThrownBy(() -> bfs(2, 2, List.of(0.4, 0.5))).hasMessageStartingWith("--beam-at");
        assertThatThrownBy(() -> new BeamSearch(2, 2, List.of(0.5), 1.0, "bfs", Double.NaN))
                .hasMessageStartingWith("--beam-cosine");
        assertThatThrownBy(() -> new BeamSearch(2, 2, List.of(0.5), 0.9, "bfs", 1.0))
                .hasMessageStartingWith("--beam-threshold");
        assertThatThrownBy(() -> new BeamSearch(2, 2, List.of(0.5), 0.9, "best", Double.NaN))
                .hasMessageStartingWith("--beam-mode");
    }

    private static final SolverSettings SDE_10 = new SolverSettings(SolverKind.EULER_SDE, 10, 0.7);

    private static BeamSearch stepping(int beams, int children, List<Double> levels) {
        return new BeamSearch(beams, children, levels, 0.9, "bfs", Double.NaN, "step");
    }

    /**
     * Step children, with levels on steps a_1 < ... < a_C of S (a_C+1 = S): B nfe(a_1) + sum_j B k (nfe(a_j+1 - a_j)
     * + 1 above 0). Euler-Maruyama x10, levels on steps 3 and 6, B 4, k 3: 4 3 + 4 3 (3 + 1) + 4 3 4 = 108.
     */
    @Test
    void stepChildrenCostTheClosedFormula() {
        SearchResult result = engine.search(request(stepping(4, 3, List.of(0.7, 0.4)), 2, 1, SDE_10, SDE_10));
        assertThat(result.compute().searchNfe()).isEqualTo(108);
        assertThat(result.searchNfePlanned()).isEqualTo(108);
        assertThat(result.compute().finalNfe()).isZero();
        SolverSettings ddpm = new SolverSettings(SolverKind.DDPM, 12);
        // levels 0.75, 0.5, 0.25 on steps 3, 6, 9 of 12: 2 3 + 2 2 (3 + 1) + 2 2 (3 + 1) + 2 2 3 = 50
        SearchResult vp = engine.search(SearchRequest.of("gmm-image-vp", 1, stepping(2, 2, List.of(0.75, 0.5, 0.25)),
                "oracle", 4).withSolvers(ddpm, ddpm));
        assertThat(vp.compute().searchNfe()).isEqualTo(50);
        assertThat(vp.searchNfePlanned()).isEqualTo(50);
    }

    /**
     * With one step child per state, each state keeps its own step noise all the way: beam search is best-of-B over
     * random search's stochastic solves, whose steps draw (seed, key, step), so it returns random search's winner and
     * sample bit for bit, also where a final solver re-solves it.
     */
    @Test
    void oneStepChildIsThePlainStochasticSolveBitForBit() {
        SolverSettings ddim = new SolverSettings(SolverKind.DDIM, 10, 0.5);
        for (int seed = 0; seed < 3; seed++) {
            for (SolverSettings search : List.of(SDE_10, ddim)) {
                for (SolverSettings last : List.of(search, HEUN_20)) {
                    String what = "seed " + seed + ", " + search + " -> " + last;
                    SearchResult beam = engine.search(request(stepping(6, 1, List.of(0.7, 0.4)), seed, seed, search,
                            last));
                    SearchResult random = engine.search(request(new RandomSearch(6), seed, seed, search, last));
                    assertThat(beam.key()).as(what).isEqualTo(random.key());
                    assertThat(beam.lineage()).as(what).isEqualTo(random.lineage());
                    assertThat(beam.score()).as(what).isEqualTo(random.score());
                    assertThat(beam.sample()).as(what).containsExactly(random.sample());
                    assertThat(beam.trace().getLast().scores()).as(what)
                            .containsExactly(random.trace().getFirst().scores());
                }
            }
        }
    }

    @Test
    void stepChildrenAreNamedByTheirOwnKeysAndPrunedAtTheNextLevel() {
        SearchResult result = engine.search(request(stepping(4, 3, List.of(0.7, 0.4)), 5, 11, SDE_10, SDE_10));
        // the first level's children are scored at the second level, the last level's at 0, where the best wins
        assertThat(result.trace()).extracting(TraceEntry::level).containsExactly(0.4, 0.0);
        assertThat(result.trace()).extracting(e -> e.keys().length).containsExactly(12, 12);
        TraceEntry first = result.trace().getFirst();
        for (int i = 0; i < 12; i++) {
            long expected = i % 3 == 0 ? SearchContext.key(Stage.RANDOM, 0, i / 3)
                    : SearchContext.key(Stage.BEAM_STEP, 1, (i / 3) * 2L + i % 3 - 1);
            assertThat(first.keys()[i]).isEqualTo(expected);
            assertThat(first.parents()[i]).isEqualTo(i / 3);
        }
        // children of one state part by their step noise alone: no two children score the same
        assertThat(new java.util.HashSet<>(java.util.Arrays.asList(box(first.scores())))).hasSize(12);
        assertThat(result.lineage().getFirst() >>> 56).isEqualTo(Stage.RANDOM.code());
        assertThat(result.lineage().subList(1, result.lineage().size()))
                .allMatch(key -> key >>> 56 == Stage.BEAM_STEP.code());
        assertThat(result.key()).isEqualTo(result.trace().getLast().chosenKey());
        assertThat(result.score()).isEqualTo(max(result.trace().getLast().scores()));
    }

    private static Float[] box(float[] values) {
        Float[] out = new Float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    private static float max(float[] values) {
        float best = Float.NEGATIVE_INFINITY;
        for (float v : values) {
            best = Math.max(best, v);
        }
        return best;
    }

    /**
     * A depth-first search's leaves against its threshold: a leaf is rejected exactly when its best score is below it,
     * every leaf but the last is rejected, and the last wins if accepted, else the best leaf of all.
     */
    private static void assertBacktracking(SearchResult result, List<TraceEntry> leaves, double threshold,
                                           String what) {
        for (int i = 0; i < leaves.size(); i++) {
            TraceEntry leaf = leaves.get(i);
            assertThat(leaf.rejected()).as(what).isEqualTo(max(leaf.scores()) < threshold);
            if (i < leaves.size() - 1) {
                assertThat(leaf.rejected()).as(what).isTrue();
            }
        }
        if (!leaves.isEmpty() && !leaves.getLast().rejected()) {
            assertThat(result.score()).as(what).isGreaterThanOrEqualTo((float) threshold);
            assertThat(result.key()).as(what).isEqualTo(leaves.getLast().chosenKey());
        } else if (!leaves.isEmpty()) {
            float best = Float.NEGATIVE_INFINITY;
            for (TraceEntry leaf : leaves) {
                best = Math.max(best, max(leaf.scores()));
            }
            assertThat(result.score()).as(what).isEqualTo(best);
        }
    }

    @Test
    void stepChildrenKeepTheBudgetAndDoNotDependOnBatchSizeOrThreads() {
        BeamSearch beam = stepping(4, 3, List.of(0.7, 0.4));
        for (long budget = 0; budget <= 120; budget += 6) {
            SearchResult result = engine.search(request(beam, 4, 2, SDE_10, SDE_10).withBudget(budget));
            String what = "budget " + budget;
            assertThat(result.compute().searchNfe()).as(what).isLessThanOrEqualTo(budget);
            for (float v : result.sample()) {
                assertThat(Float.isFinite(v)).as(what).isTrue();
            }
        }
        SearchRequest request = request(stepping(5, 3, List.of(0.8, 0.5, 0.3)), 7, 21, SDE_10, SDE_10);
        SearchResult reference = engine.search(request);
        try (Engine oneThread = Engine.open("host", 1)) {
            for (int batch : new int[] {1, 2, 7, 256}) {
                for (Engine e : List.of(engine, oneThread)) {
                    SearchResult other = e.search(request.withBatchSize(batch));
                    String what = "batch " + batch;
                    assertThat(other.key()).as(what).isEqualTo(reference.key());
                    assertThat(other.lineage()).as(what).isEqualTo(reference.lineage());
                    assertThat(other.sample()).as(what).containsExactly(reference.sample());
                }
            }
        }
    }

    @Test
    void stepChildrenNeedAStochasticSearchSolver() {
        assertThatThrownBy(() -> engine.search(request(stepping(2, 2, List.of(0.5)), 0, 0, EULER_10, EULER_10)))
                .isInstanceOf(InvalidRequestException.class).hasMessageStartingWith("--beam-expand step needs a"
                        + " stochastic search solver");
        assertThatThrownBy(() -> engine.search(request(steppingDfs(2, 2, List.of(0.5), Double.NaN), 0, 0, EULER_10,
                EULER_10))).isInstanceOf(InvalidRequestException.class).hasMessageStartingWith("--beam-expand step"
                        + " needs a stochastic search solver");
        assertThatThrownBy(() -> engine.search(request(bfs(2, 2, List.of(0.5)), 0, 0, SDE_10, SDE_10)))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("--beam-expand step");
        assertThatThrownBy(() -> new BeamSearch(2, 2, List.of(0.5), 0.9, "bfs", Double.NaN, "jump"))
                .hasMessageStartingWith("--beam-expand");
    }

    private static BeamSearch steppingDfs(int beams, int children, List<Double> levels, double threshold) {
        return new BeamSearch(beams, children, levels, 0.9, "dfs", threshold, "step");
    }

    /**
     * Greedy dfs with step children, levels on steps 3 and 6 of Euler-Maruyama x10, B 4, k 3: the roots 4 x 3, the
     * first expansion 4 x 3 (3 + 1), then one state's 3 children to 0, 3 x 4: 72, spent whole.
     */
    @Test
    void depthFirstStepChildrenCostTheClosedFormulaAndDescendGreedily() {
        SearchResult result = engine.search(request(steppingDfs(4, 3, List.of(0.7, 0.4), Double.NaN), 2, 1, SDE_10,
                SDE_10));
        assertThat(result.compute().searchNfe()).isEqualTo(72);
        assertThat(result.searchNfePlanned()).isEqualTo(72);
        assertThat(result.compute().finalNfe()).isZero();
        assertThat(result.trace()).extracting(TraceEntry::level).containsExactly(0.4, 0.0);
        TraceEntry first = result.trace().getFirst();
        TraceEntry second = result.trace().get(1);
        // The second expansion is of the first one's best child: its child 0 keeps that child's key.
        assertThat(second.keys()[0]).isEqualTo(first.chosenKey());
        for (int c = 1; c < 3; c++) {
            assertThat(second.keys()[c]).isEqualTo(SearchContext.key(Stage.BEAM_STEP, 2, c - 1));
        }
        assertThat(result.key()).isEqualTo(second.chosenKey());
        assertThat(result.score()).isEqualTo(max(second.scores()));
        // The whole tree with a threshold: 4 x 3 + 4 x 3 (3 + 1) + 12 x 3 x 4 = 204, an upper bound.
        BeamSearch whole = steppingDfs(4, 3, List.of(0.7, 0.4), 1e9);
        SearchResult bounded = engine.search(request(whole, 2, 1, SDE_10, SDE_10));
        assertThat(bounded.searchNfePlanned()).isEqualTo(204);
        assertThat(bounded.compute().searchNfe()).isLessThanOrEqualTo(204);
    }

    /** One root with one step child: the plain stochastic solve of random search's first noise, bit for bit. */
    @Test
    void depthFirstWithOneRootAndOneStepChildIsThePlainStochasticSolve() {
        for (int seed = 0; seed < 3; seed++) {
            for (SolverSettings last : List.of(SDE_10, HEUN_20)) {
                String what = "seed " + seed + " -> " + last;
                SearchResult beam = engine.search(request(steppingDfs(1, 1, List.of(0.7, 0.4), Double.NaN), seed,
                        seed, SDE_10, last));
                SearchResult random = engine.search(request(new RandomSearch(1), seed, seed, SDE_10, last));
                assertThat(beam.key()).as(what).isEqualTo(random.key());
                assertThat(beam.lineage()).as(what).isEqualTo(random.lineage());
                assertThat(beam.score()).as(what).isEqualTo(random.score());
                assertThat(beam.sample()).as(what).containsExactly(random.sample());
            }
        }
    }

    /**
     * With a threshold above the greedy leaf: every expansion at 0 but the last is rejected (its best leaf below the
     * threshold), the last wins if its best reaches it, else the best leaf of all; never past the budget.
     */
    @Test
    void depthFirstStepChildrenBacktrackBelowTheThreshold() {
        int backtracked = 0;
        for (int seed = 0; seed < 6; seed++) {
            SearchResult greedy = engine.search(request(steppingDfs(3, 3, List.of(0.7, 0.4), Double.NaN), seed, seed,
                    SDE_10, SDE_10));
            double threshold = greedy.score() + 0.5;
            SearchResult result = engine.search(request(steppingDfs(3, 3, List.of(0.7, 0.4), threshold), seed, seed,
                    SDE_10, SDE_10).withBudget(300));
            String what = "seed " + seed + " threshold " + threshold;
            assertThat(result.compute().searchNfe()).as(what).isLessThanOrEqualTo(300);
            List<TraceEntry> leaves = result.trace().stream().filter(e -> e.level() == 0).toList();
            assertBacktracking(result, leaves, threshold, what);
            backtracked += leaves.size() > 1 ? 1 : 0;
        }
        assertThat(backtracked).as("searches that backtracked").isGreaterThan(0);
    }

    @Test
    void depthFirstStepChildrenKeepTheBudgetAndDoNotDependOnBatchSizeOrThreads() {
        // A threshold that few leaves reach: the search backtracks through the tree until the budget stops it.
        BeamSearch beam = steppingDfs(4, 3, List.of(0.7, 0.4), 80);
        int backtracked = 0;
        for (long budget = 0; budget <= 210; budget += 6) {
            SearchResult result = engine.search(request(beam, 4, 2, SDE_10, SDE_10).withBudget(budget));
            String what = "budget " + budget;
            assertThat(result.compute().searchNfe()).as(what).isLessThanOrEqualTo(budget);
            for (float v : result.sample()) {
                assertThat(Float.isFinite(v)).as(what).isTrue();
            }
            backtracked += result.trace().size() > 2 ? 1 : 0;
        }
        assertThat(backtracked).as("budgets under which the search backtracked").isGreaterThan(0);
        SearchRequest request = request(steppingDfs(3, 3, List.of(0.8, 0.5, 0.3), 80), 7, 21, SDE_10, SDE_10)
                .withBudget(150);
        SearchResult reference = engine.search(request);
        try (Engine oneThread = Engine.open("host", 1)) {
            for (int batch : new int[] {1, 7, 256}) {
                for (Engine e : List.of(engine, oneThread)) {
                    SearchResult other = e.search(request.withBatchSize(batch));
                    String what = "batch " + batch;
                    assertThat(other.key()).as(what).isEqualTo(reference.key());
                    assertThat(other.lineage()).as(what).isEqualTo(reference.lineage());
                    assertThat(other.sample()).as(what).containsExactly(reference.sample());
                }
            }
        }
    }
}

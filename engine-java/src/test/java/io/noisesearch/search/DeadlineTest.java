package io.noisesearch.search;

import io.noisesearch.sampling.GuidedDenoiser;
import io.noisesearch.schedule.Schedule;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Deadlines make every search anytime: on a clock the test drives (one tick per reading, no sleeping), a search
 * stopped by its deadline returns what the same search returns under the budget of the work it completed, and
 * without a deadline nothing changes; one whose deadline passed before it began is not run.
 */
class DeadlineTest extends EngineFixture {

    private static final long TICK = 1_000_000;
    private static final long NEVER = Duration.ofHours(1).toNanos() / TICK;
    /** A control whose clock moves one tick at every reading; the deadline comes at the given reading. */
    private static SearchControl ticking(long deadlineTicks) {
        AtomicLong now = new AtomicLong();
        return SearchControl.startingNow(Duration.ofNanos(deadlineTicks * TICK), () -> now.addAndGet(TICK));
    }

    private static SearchRequest request(SearchAlgorithm algorithm) {
        return SearchRequest.of("gmm-image", 3, algorithm, "oracle", 8).withBatchSize(8);
    }

    private static final List<SearchAlgorithm> ALGORITHMS = List.of(new RandomSearch(40),
            new ZeroOrderSearch(6, 8, 0.9, Double.NaN), new PathSearch(4, 3, 0.5, 0.05, 0.1, 2),
            new PruneSearch(40, List.of(0.7, 0.4), 3), new BeamSearch(4, 3, List.of(0.7, 0.4), 0.9, "bfs", Double.NaN),
            new EvolutionSearch(List.of(10, 6, 6, 6, 6, 6), 5, 2, 0.85, 0.97), new GradientSearch(6, 8, 0.98));

    @Test
    void aDeadlineResultIsTheResultOfTheBudgetOfTheWorkItCompleted() {
        for (SearchAlgorithm algorithm : ALGORITHMS) {
            for (SolverSettings search : List.of(new SolverSettings(SolverKind.HEUN, 10),
                    new SolverSettings(SolverKind.EULER, 6))) {
                SearchRequest request = request(algorithm).withSolvers(search, null);
                int reached = 0;
                for (long ticks : new long[] {2, 3, 8, 15, 30, 45, 60, 90}) {
                    SearchResult stopped = engine.search(request, ticking(ticks));
                    String what = algorithm.id() + " " + search + " deadline " + ticks;
                    if (!stopped.deadlineReached()) {
                        continue;
                    }
                    reached++;
                    assertThat(stopped.budgetExhausted()).as(what).isFalse();
                    SearchResult budgeted = engine.search(request.withBudget(completedBudget(algorithm, stopped)));
                    assertThat(stopped.key()).as(what).isEqualTo(budgeted.key());
                    assertThat(stopped.lineage()).as(what).isEqualTo(budgeted.lineage());
                    assertThat(stopped.score()).as(what).isEqualTo(budgeted.score());
                    assertThat(stopped.sample()).as(what).containsExactly(budgeted.sample());
                    assertThat(stopped.compute().finalNfe()).as(what).isEqualTo(budgeted.compute().finalNfe());
                    assertThat(stopped.trace()).as(what).hasSameSizeAs(budgeted.trace());
                }
                assertThat(reached).as(algorithm.id() + " stopped by a deadline").isGreaterThanOrEqualTo(4);
            }
        }
    }

    /**
     * The search NFEs of the work a stopped search completed, counted from its trace with the papers' formulas: random
     * search the candidates it scored, zero-order its pivot and whole iterations, paths its first solve and whole
     * rounds, pruning its first segment and the stages up to its last cut, first-order search its whole climbs. No
     * candidate scored: no budget.
     */
    static long completedBudget(SearchAlgorithm algorithm, SearchResult stopped) {
        if (stopped.key() == SearchContext.key(Stage.RANDOM, 0, 0) && stopped.trace().isEmpty()) {
            return 0;
        }
        SolverSettings solver = stopped.searchSolver();
        Schedule schedule = stopped.model().schedule();
        int entries = stopped.trace().size();
        return switch (algorithm) {
            case RandomSearch r -> stopped.trace().getFirst().keys().length * solver.fullNfe();
            // smc returns its particles only once they reach t = 0: a trace means the whole solve of its particles
            case SmcSearch s -> stopped.trace().getLast().keys().length * solver.fullNfe();
            case ZeroOrderSearch z -> (1 + (long) z.neighbours() * (entries - 1)) * solver.fullNfe();
            case PathSearch p -> {
                long total = p.paths() * solver.nfe(p.initialSteps(solver), schedule.timeOf(p.searchStart()));
                double level = p.searchStart();
                for (int round = 0; round < entries; round++) {
                    double down = p.nextLevel(level);
                    total += (long) p.paths() * p.width()
                            * (solver.nfe(p.pathLength(), schedule.timeOf(down)) + (down > 0 ? 1 : 0));
                    level = down;
                }
                yield total;
            }
            case PruneSearch p -> {
                // Stage j: segment j and the x-prediction at cut j + 1, for the candidates alive; cut j is entry j - 1.
                double[] levels = new double[p.pruneAt().size() + 2];
                levels[0] = 1;
                for (int i = 0; i < p.pruneAt().size(); i++) {
                    levels[i + 1] = p.pruneAt().get(i);
                }
                long total = 0;
                long alive = p.candidates();
                for (int j = 0; j < entries; j++) {
                    int steps = (int) Math.max(1, Math.round((levels[j] - levels[j + 1]) * solver.steps()));
                    total += alive * (solver.nfe(steps, schedule.timeOf(levels[j + 1])) + (levels[j + 1] > 0 ? 1 : 0));
                    alive = p.survivors(alive);
                }
                yield total;
            }
            case BeamSearch b -> {
                // The first segment and level, then a segment and a level per further level scored (bfs).
                int[] at = b.levelSteps(solver.steps());
                double[] grid = schedule.grid(1, 0, solver.steps());
                long total = 0;
                for (int j = 0; j < Math.min(entries, at.length); j++) {
                    double[] segment = Arrays.copyOfRange(grid, j == 0 ? 0 : at[j - 1], at[j] + 1);
                    total += (long) b.beams() * (solver.nfe(segment) + b.children());
                }
                yield total;
            }
            case EvolutionSearch e -> {
                long individuals = e.size(0);
                for (int g = 1; g < entries; g++) {
                    individuals += e.size(g) - e.elites();
                }
                yield individuals * solver.fullNfe();
            }
            // the climbs before its last entry (R solves with their reverse pass each), then R solves scored: the
            // gradients of the last entry's points were never followed, and a budget keeps no climb it cannot follow
            case GradientSearch g -> ((entries - 1) * (1L + GuidedDenoiser.BACKWARD_NFE) + 1) * g.candidates()
                    * solver.fullNfe();
            case NoSearch n -> 0;
        };
    }

    @Test
    void aStoppedRandomSearchSpentAtMostOneSolverBatchBeyondWhatItScored() {
        SearchRequest request = request(new RandomSearch(80));
        for (long ticks : new long[] {50, 70, 91, 117}) {
            SearchResult stopped = engine.search(request, ticking(ticks));
            int scored = stopped.trace().getFirst().keys().length;
            assertThat(scored).isLessThan(80);
            assertThat(stopped.compute().searchNfe()).isBetween(scored * 19L, (scored + 8) * 19L);
            assertThat(stopped.compute().verifierCalls()).isEqualTo(scored);
        }
    }

    @Test
    void beforeAnyCandidateIsScoredTheFallbacksFinalSolveIsReserved() {
        // A batch of 8 takes over 20 readings (a check and 19 calls, a tick or more each) and the fallback's final
        // solve is reserved at 19 calls' time: with the deadline 30 readings away the first batch cannot end before
        // the deadline less that reserve, so the search stops in it and answers with no search's sample.
        SearchResult stopped = engine.search(request(new RandomSearch(40)), ticking(30));
        assertThat(stopped.deadlineReached()).isTrue();
        assertThat(stopped.trace()).isEmpty();
        assertThat(stopped.compute().searchNfe()).isLessThan(8 * 19);
        assertThat(stopped.compute().finalNfe()).isEqualTo(19);
    }

    @Test
    void aDeadlineBeforeAnyCandidateReturnsTheUnsearchedNoise() {
        SearchResult none = engine.search(request(new NoSearch()));
        for (SearchAlgorithm algorithm : ALGORITHMS) {
            // The search begins one reading before its deadline and stops at its first check.
            SearchResult stopped = engine.search(request(algorithm), ticking(2));
            assertThat(stopped.deadlineReached()).as(algorithm.id()).isTrue();
            assertThat(stopped.sample()).as(algorithm.id()).containsExactly(none.sample());
            assertThat(stopped.compute().finalNfe()).as(algorithm.id()).isEqualTo(19);
            assertThat(stopped.trace()).as(algorithm.id()).isEmpty();
        }
    }

    @Test
    void aDeadlinePassedBeforeTheSearchBeginsRunsNothing() {
        for (SearchAlgorithm algorithm : ALGORITHMS) {
            // The deadline comes at the reading before the search's first: it passed while the request waited.
            assertThatThrownBy(() -> engine.search(request(algorithm), ticking(1))).as(algorithm.id())
                    .isInstanceOf(DeadlineExceededException.class).hasMessageContaining("--deadline-ms")
                    .hasMessageContaining("before the search could begin");
        }
        AtomicLong now = new AtomicLong();
        SearchControl queued = SearchControl.startingNow(Duration.ofMillis(10), now::get);
        now.addAndGet(Duration.ofMillis(25).toNanos());
        assertThatThrownBy(() -> engine.search(request(new RandomSearch(4)), queued))
                .isInstanceOf(DeadlineExceededException.class).hasMessageContaining("passed 15 ms before");
        // the engine serves the next request as before
        assertThat(engine.search(request(new RandomSearch(4))).deadlineReached()).isFalse();
    }

    @Test
    void aSearchDoesNotStartACallItCannotFinishBeforeItsDeadline() {
        // One tick per reading, about one reading per call: the search's last reading comes before the deadline,
        // since at one tick left the next call (one tick at the measured rate) would end on or past it.
        for (long ticks : new long[] {50, 70, 91, 117}) {
            AtomicLong now = new AtomicLong();
            SearchControl control = SearchControl.startingNow(Duration.ofNanos(ticks * TICK),
                    () -> now.addAndGet(TICK));
            long deadline = TICK + ticks * TICK;
            SearchResult stopped = engine.search(request(new RandomSearch(80)), control);
            assertThat(stopped.deadlineReached()).as("deadline %d", ticks).isTrue();
            assertThat(stopped.compute().finalNfe()).as("deadline %d", ticks).isZero();
            assertThat(now.get()).as("deadline %d: the last reading", ticks).isLessThan(deadline);
        }
    }

    @Test
    void theTimeKeptForTheAnswerEndsTheSearchThatMuchEarlier() {
        // The request arrived 10 ticks before the control was made and keeps 20 ticks for its answer: the search's
        // last reading comes before arrival + deadline - 20 ticks, and it spends less than the search keeping none.
        for (long ticks : new long[] {91, 117, 150}) {
            AtomicLong now = new AtomicLong(10 * TICK);
            SearchControl control = SearchControl.startingAt(0, Duration.ofNanos(ticks * TICK), 20 * TICK,
                    () -> now.addAndGet(TICK));
            assertThat(control.answerNanos()).isEqualTo(20 * TICK);
            SearchResult stopped = engine.search(request(new RandomSearch(80)), control);
            assertThat(stopped.deadlineReached()).as("deadline %d", ticks).isTrue();
            assertThat(now.get()).as("deadline %d: the last reading", ticks).isLessThan((ticks - 20) * TICK);
            SearchResult keepingNone = engine.search(request(new RandomSearch(80)), ticking(ticks));
            assertThat(stopped.compute().searchNfe()).as("deadline %d", ticks)
                    .isLessThan(keepingNone.compute().searchNfe());
        }
    }

    @Test
    void aRequestWhoseSearchTimeWentInTheQueueIsNotRun() {
        // 10 ms deadline, 4 ms kept for the answer, 7 ms spent waiting: the search's 6 ms are gone.
        AtomicLong now = new AtomicLong(Duration.ofMillis(7).toNanos());
        SearchControl control = SearchControl.startingAt(0, Duration.ofMillis(10), Duration.ofMillis(4).toNanos(),
                now::get);
        assertThat(control.remainingNanos()).isEqualTo(Duration.ofMillis(-1).toNanos());
        assertThatThrownBy(() -> engine.search(request(new RandomSearch(4)), control))
                .isInstanceOf(DeadlineExceededException.class)
                .hasMessageContaining("less the 4.0 ms kept for the answer").hasMessageContaining("passed 1 ms before");
        assertThat(SearchControl.startingAt(0, null, 5, now::get).answerNanos()).isZero();
        assertThatThrownBy(() -> SearchControl.startingAt(0, Duration.ofMillis(10), -1, now::get))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aDeadlineThatIsNotReachedChangesNothing() {
        for (SearchAlgorithm algorithm : ALGORITHMS) {
            SearchResult free = engine.search(request(algorithm));
            SearchResult timed = engine.search(request(algorithm), ticking(NEVER));
            SearchResult wallClock = engine.search(request(algorithm).withDeadline(Duration.ofHours(1)));
            for (SearchResult result : List.of(timed, wallClock)) {
                assertThat(result.deadlineReached()).as(algorithm.id()).isFalse();
                assertThat(result.key()).as(algorithm.id()).isEqualTo(free.key());
                assertThat(result.sample()).as(algorithm.id()).containsExactly(free.sample());
                assertThat(result.compute().searchNfe()).as(algorithm.id()).isEqualTo(free.compute().searchNfe());
            }
            assertThat(free.deadlineReached()).isFalse();
        }
    }

    @Test
    void theFinalSolveIsReservedWhenTheWinnerIsSolvedAgain() {
        // Search with 4 Euler steps, finish with 10 Heun steps (19 calls): the deadline check keeps 19 calls' time.
        SearchRequest request = request(new RandomSearch(400))
                .withSolvers(new SolverSettings(SolverKind.EULER, 4), new SolverSettings(SolverKind.HEUN, 10));
        SearchRequest same = request(new RandomSearch(400))
                .withSolvers(new SolverSettings(SolverKind.EULER, 4), new SolverSettings(SolverKind.EULER, 4));
        SearchResult reserving = engine.search(request, ticking(200));
        SearchResult keeping = engine.search(same, ticking(200));
        assertThat(reserving.deadlineReached()).isTrue();
        assertThat(keeping.deadlineReached()).isTrue();
        assertThat(reserving.trace().getFirst().keys().length)
                .isLessThan(keeping.trace().getFirst().keys().length);
    }

    @Test
    void noSearchHasNothingToStop() {
        SearchResult result = engine.search(request(new NoSearch()), ticking(2));
        assertThat(result.deadlineReached()).isFalse();
        assertThat(result.compute().finalNfe()).isEqualTo(19);
    }
}

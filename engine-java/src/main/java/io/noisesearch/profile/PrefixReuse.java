package io.noisesearch.profile;

import io.noisesearch.backend.Transfers;
import io.noisesearch.compute.Compute;
import io.noisesearch.engine.Engine;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.SearchResult;
import io.noisesearch.search.SolveCache;
import io.noisesearch.search.TraceEntry;
import io.noisesearch.verify.Scores;
import io.noisesearch.verify.Verifier;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * Best-of-N for several N from one pool. Candidates are named by (seed, key), so the pool of random search with N
 * candidates is the first N candidates of a larger pool: its winner is the argmax of the prefix's combined scores
 * (an ensemble ranks the prefix again from its members' raw scores), ties to the lowest index. The winner's sample
 * is the pool's returned one when the pool chose the same candidate, else its key solved again with the final solver
 * ({@link Engine#solve}; where the search and final solvers are equal that is the searched sample again).
 */
final class PrefixReuse {

    /**
     * A point's result as the search of N alone returns it (its compute too), and the final solve this run spent on
     * it: null when the pool's result or an earlier point's solve of the same key served.
     */
    record Derived(SearchResult result, SearchResult solved) {
    }

    private PrefixReuse() {
    }

    /**
     * The sweep's configurations at {@code indices} in units that run together, ordered by their first member: a
     * group of random searches that differ only in N and in a budget that lets each draw its whole pool (no budget,
     * or one of at least N search solves: the search is then the same as without it), with at least two members, or
     * a single configuration.
     */
    static List<List<Integer>> units(List<Configuration> configurations, List<Integer> indices,
                                     Function<Configuration, Profiler.Plan> plans) {
        Map<Object, List<Integer>> units = new LinkedHashMap<>();
        for (int k : indices) {
            Configuration c = configurations.get(k);
            Object key = reusable(c, plans.apply(c)) ? withoutCandidatesAndBudget(c) : k;
            units.computeIfAbsent(key, x -> new ArrayList<>()).add(k);
        }
        return List.copyOf(units.values());
    }

    /** A budget below the pool's NFEs cuts the pool (a prefix, but marked exhausted): such points run alone. */
    private static boolean reusable(Configuration c, Profiler.Plan plan) {
        return c.algorithm().equals("random") && (plan.budgetNfe() == null || plan.searchNfe() <= plan.budgetNfe());
    }

    private static Configuration withoutCandidatesAndBudget(Configuration c) {
        Map<String, Object> others = new LinkedHashMap<>(c.parameters());
        others.remove("candidates");
        return new Configuration(c.model(), c.verifier(), c.algorithm(), others, c.searchSolver(), c.finalSolver(),
                null, c.guidance(), c.evaluation(), null);
    }

    /**
     * The result of best-of-{@code candidates} for the sample that {@code request} made {@code pool} (its search with
     * at least as many candidates), as {@link Engine#search} returns it alone, apart from the wall times and
     * transfers. {@code solved} holds this sample's winners solved so far, by key; a new one is added.
     */
    static Derived derive(Engine engine, SearchRequest request, SearchResult pool, Verifier verifier, int candidates,
                          Map<Long, SearchResult> solved) {
        return derive(engine, request, pool, verifier, candidates, solved, null);
    }

    /** {@link #derive} with the winners' final solves through {@code cache} (null: none). */
    static Derived derive(Engine engine, SearchRequest request, SearchResult pool, Verifier verifier, int candidates,
                          Map<Long, SearchResult> solved, SolveCache cache) {
        TraceEntry entry = pool.trace().getFirst();
        if (entry.memberScores() == null || entry.keys().length < candidates || pool.budgetExhausted()) {
            throw new IllegalStateException("a pool of " + entry.keys().length + " candidates for best of "
                    + candidates);
        }
        int[] prefix = IntStream.range(0, candidates).toArray();
        Scores members = entry.memberScores().select(prefix);
        float[] combined = verifier.combine(members);
        int best = Scores.argmax(combined);
        long key = entry.keys()[best];
        SearchResult finalSample = key == pool.key() ? pool : solved.get(key);
        SearchResult resolved = null;
        if (finalSample == null) {
            resolved = engine.solve(request, key, cache);
            solved.put(key, resolved);
            finalSample = resolved;
        }
        // As RandomSearch and SearchContext.finish: a single verifier's score is the final sample's, an ensemble's the
        // winner's combined score in its pool.
        boolean reused = pool.finalReused();
        float score = !reused && members.members() == 1 ? finalSample.score() : combined[best];
        float[] memberScores = reused ? members.column(best) : finalSample.memberScores();
        TraceEntry trace = new TraceEntry(entry.stage(), 0, 0, Arrays.copyOf(entry.keys(), candidates), combined,
                null, key, false, members);
        SearchResult alone = new SearchResult(pool.model(), pool.label(), pool.algorithm(), pool.verifier(),
                pool.members(), pool.seed(), finalSample.sample(), key, List.of(key), score, memberScores, reused,
                false, (long) candidates * pool.searchSolver().fullNfe(), pool.searchSolver(), pool.finalSolver(),
                pool.guidance(), accounted(pool, verifier, candidates, resolved), List.of(trace), pool.backend(),
                Transfers.NONE);
        return new Derived(alone, resolved);
    }

    /**
     * The compute of best-of-{@code candidates} alone (docs/architecture.md, compute accounting): N search solves
     * and N verifier calls, plus a final solve and its score where the solvers differ; forward passes per NFE as the
     * pool's (2 with guidance). Wall times are those of the solve this run spent, if any.
     */
    private static Compute accounted(SearchResult pool, Verifier verifier, int candidates, SearchResult resolved) {
        Compute used = pool.compute();
        long passesPerNfe = used.forwardPasses() / used.totalNfe();
        long searchNfe = (long) candidates * pool.searchSolver().fullNfe();
        long finalNfe = pool.finalReused() ? 0 : pool.finalSolver().fullNfe();
        long passes = (searchNfe + finalNfe) * passesPerNfe;
        long calls = candidates + (pool.finalReused() ? 0 : 1);
        long flops = passes * pool.model().flopsPerSample() + calls * verifier.flopsPerSample();
        Compute spent = resolved == null ? new Compute(0, 0, 0, 0, 0, 0, 0, 0) : resolved.compute();
        return new Compute(searchNfe, finalNfe, passes, flops, calls, spent.wallMillis(), spent.searchMillis(),
                spent.finalMillis());
    }
}

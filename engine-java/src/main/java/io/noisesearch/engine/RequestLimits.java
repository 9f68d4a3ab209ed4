package io.noisesearch.engine;

import io.noisesearch.LimitExceededException;
import io.noisesearch.Limit;
import io.noisesearch.backend.Batch;
import io.noisesearch.model.ModelInfo;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.search.SearchAlgorithm;
import io.noisesearch.search.SearchContext;
import io.noisesearch.search.SearchPlan;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.verify.Verifier;

import java.util.function.LongSupplier;

/**
 * What one search may hold and do, checked before anything of it is allocated (docs/architecture.md, trust and
 * limits). Memory: the algorithm's candidate batches and the sampler workspace of {@code --batch-size} rows on the
 * backend, its time grids and trace on the heap. Work: the NFEs it plans (the search as far as its budget lets it,
 * plus a final solve), and their FLOPs, which must fit the meter's long.
 *
 * @param maxSearchBytes memory one search may hold
 * @param maxRequestNfe  NFEs one request may plan
 */
record RequestLimits(long maxSearchBytes, long maxRequestNfe) {

    static final Limit SEARCH_MEMORY = new Limit("noisesearch.maxSearchMiB", 8192, true);
    static final Limit REQUEST_NFE = new Limit("noisesearch.maxRequestNfe", 1_000_000_000L, false);

    /** Sampler.Workspace: five batches of --batch-size rows, and two more when solves are recorded as graphs. */
    static final long WORKSPACE_BATCHES = 7;
    /** Heap per scored candidate: its key, score and parent in the trace, and its hex key in result.json. */
    static final long TRACE_BYTES_PER_CANDIDATE = 96;
    /** Heap per trace entry besides its candidates: the entry, its arrays and its step in result.json. */
    static final long TRACE_BYTES_PER_ENTRY = 256;

    /** The limits the system properties set now, else the defaults. */
    static RequestLimits current() {
        return new RequestLimits(SEARCH_MEMORY.value(), REQUEST_NFE.value());
    }

    /**
     * Refuses, with one line naming the option that drives it, a request that plans more NFEs than the limit or than
     * a long counts, more FLOPs than a long counts, or more memory than the limit.
     *
     * @param guided whether every evaluation runs a second, null-class forward pass
     */
    void check(SearchRequest request, ModelInfo info, SolverSettings searchSolver, SolverSettings finalSolver,
               boolean guided, Verifier verifier) {
        SearchAlgorithm algorithm = request.algorithm();
        SearchPlan plan = new SearchPlan(info.schedule(), searchSolver);
        String searchDriver = algorithm.sizeOptions() + " with --search-steps " + searchSolver.steps();
        String finalDriver = "--steps " + finalSolver.steps();
        long finalNfe = finalSolver.fullNfe();
        if (finalNfe > maxRequestNfe) {
            throw new LimitExceededException(finalDriver + ": the final solve (" + finalSolver + ") plans " + finalNfe
                    + " NFEs, over " + REQUEST_NFE.describe(maxRequestNfe));
        }
        long searchNfe = exact(() -> algorithm.plannedSearchNfe(plan));
        if (searchNfe == Long.MAX_VALUE) {
            throw new LimitExceededException(searchDriver + ": the search plans more NFEs than a long counts");
        }
        long spent = Math.min(searchNfe, request.budgetNfe());
        String driver = spent >= finalNfe ? searchDriver : finalDriver;
        if (spent > maxRequestNfe - finalNfe) {
            throw new LimitExceededException(driver + ": the request plans " + spent + " search NFEs and " + finalNfe
                    + " final NFEs, over " + REQUEST_NFE.describe(maxRequestNfe));
        }
        long nfe = spent + finalNfe;
        long scored = Math.min(algorithm.plannedCandidates(), request.budgetNfe()) + 1;
        long passes = exact(() -> Math.multiplyExact(nfe, guided ? 2 : 1));
        long flops = exact(() -> Math.addExact(Math.multiplyExact(passes, info.flopsPerSample()),
                Math.multiplyExact(scored, verifier.flopsPerSample())));
        if (flops == Long.MAX_VALUE) {
            throw new LimitExceededException(driver + ": the request plans " + nfe + " NFEs of " + info.name()
                    + " at " + info.flopsPerSample() + " FLOPs a forward pass"
                    + (guided ? ", two passes each with guidance" : "") + ": more FLOPs than a long counts");
        }
        checkMemory(request, info, plan, finalSolver, verifier);
    }

    private void checkMemory(SearchRequest request, ModelInfo info, SearchPlan plan, SolverSettings finalSolver,
                             Verifier verifier) {
        boolean captures = !Double.isNaN(verifier.captureTime());
        SearchAlgorithm algorithm = request.algorithm();
        long budget = request.budgetNfe();
        long rowBytes = info.dim() * Batch.FLOAT_BYTES;
        int chunk = SearchContext.poolChunkRows(request.batchSize(), verifier, info.dim());
        long candidates = exact(() -> Math.multiplyExact(algorithm.peakRows(plan, budget, captures, chunk),
                rowBytes));
        long workspace = exact(() -> Math.multiplyExact(WORKSPACE_BATCHES * request.batchSize(), rowBytes));
        int searchSteps = plan.searchSolver().steps();
        long grids = Long.BYTES * ((long) searchSteps + finalSolver.steps() + 2);
        long trace = exact(() -> Math.addExact(
                Math.multiplyExact(Math.min(algorithm.plannedCandidates(), budget), TRACE_BYTES_PER_CANDIDATE),
                Math.multiplyExact(Math.min(algorithm.plannedTraceEntries(), budget), TRACE_BYTES_PER_ENTRY)));
        long total = exact(() -> Math.addExact(Math.addExact(candidates, workspace), Math.addExact(grids, trace)));
        if (total <= maxSearchBytes) {
            return;
        }
        long largest = Math.max(Math.max(candidates, workspace), Math.max(grids, trace));
        String driver = largest == workspace ? "--batch-size " + request.batchSize()
                : largest == grids ? (searchSteps > finalSolver.steps() ? "--search-steps " + searchSteps
                        : "--steps " + finalSolver.steps())
                : algorithm.sizeOptions();
        throw new LimitExceededException(driver + ": the search would hold "
                + (total == Long.MAX_VALUE ? "more than 8 EiB" : Limit.bytes(total)) + " of candidates, solver batches,"
                + " time grids and trace, over " + SEARCH_MEMORY.describe(maxSearchBytes));
    }

    /** The value, or {@link Long#MAX_VALUE} where exact arithmetic overflowed on the way. */
    private static long exact(LongSupplier value) {
        try {
            return value.getAsLong();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}

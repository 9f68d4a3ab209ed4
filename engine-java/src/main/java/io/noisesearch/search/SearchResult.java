package io.noisesearch.search;

import io.noisesearch.backend.Transfers;
import io.noisesearch.compute.Compute;
import io.noisesearch.model.ModelInfo;
import io.noisesearch.schedule.SolverSettings;

import java.util.List;

/**
 * The answer to a {@link SearchRequest}: the returned sample (flattened [channels, height, width]), the
 * winning key and its lineage, its scores, the compute used and the trace of the search.
 *
 * @param score        the winner's combined score (single verifiers: its raw score; ensembles: minus its mean rank)
 * @param memberScores raw score of the returned sample under each verifier member
 * @param searchNfePlanned what the algorithm would spend without a budget (its closed formula)
 * @param backend      where the kernels ran ("java", "host", "cuda")
 * @param transfers    the host-device copies of this request (all zero on host backends)
 * @param served       the part of {@code compute} a {@link SolveCache} served instead of running (counts only)
 * @param deadlineReached the search stopped proposing at its deadline and returned its best so far
 * @param stoppedBy    what ended the search: completed, budget, deadline, or a stopping rule (target, plateau)
 */
public record SearchResult(ModelInfo model, int label, String algorithm, String verifier, List<String> members,
                           long seed, float[] sample, long key, List<Long> lineage, float score,
                           float[] memberScores, boolean finalReused, boolean budgetExhausted,
                           long searchNfePlanned, SolverSettings searchSolver, SolverSettings finalSolver,
                           double guidance, Compute compute, List<TraceEntry> trace, String backend,
                           Transfers transfers, Compute served, boolean deadlineReached, StopReason stoppedBy) {

    /** A result whose stop is read from its flags: budget, deadline or completed (no stopping rule fired). */
    public SearchResult(ModelInfo model, int label, String algorithm, String verifier, List<String> members,
                        long seed, float[] sample, long key, List<Long> lineage, float score,
                        float[] memberScores, boolean finalReused, boolean budgetExhausted,
                        long searchNfePlanned, SolverSettings searchSolver, SolverSettings finalSolver,
                        double guidance, Compute compute, List<TraceEntry> trace, String backend,
                        Transfers transfers, Compute served, boolean deadlineReached) {
        this(model, label, algorithm, verifier, members, seed, sample, key, lineage, score, memberScores, finalReused,
                budgetExhausted, searchNfePlanned, searchSolver, finalSolver, guidance, compute, trace, backend,
                transfers, served, deadlineReached, budgetExhausted ? StopReason.BUDGET
                        : deadlineReached ? StopReason.DEADLINE : StopReason.COMPLETED);
    }

    /** A result whose search ran to its end (no deadline reached). */
    public SearchResult(ModelInfo model, int label, String algorithm, String verifier, List<String> members,
                        long seed, float[] sample, long key, List<Long> lineage, float score,
                        float[] memberScores, boolean finalReused, boolean budgetExhausted,
                        long searchNfePlanned, SolverSettings searchSolver, SolverSettings finalSolver,
                        double guidance, Compute compute, List<TraceEntry> trace, String backend,
                        Transfers transfers, Compute served) {
        this(model, label, algorithm, verifier, members, seed, sample, key, lineage, score, memberScores, finalReused,
                budgetExhausted, searchNfePlanned, searchSolver, finalSolver, guidance, compute, trace, backend,
                transfers, served, false);
    }

    /** A result that no cache served. */
    public SearchResult(ModelInfo model, int label, String algorithm, String verifier, List<String> members,
                        long seed, float[] sample, long key, List<Long> lineage, float score,
                        float[] memberScores, boolean finalReused, boolean budgetExhausted,
                        long searchNfePlanned, SolverSettings searchSolver, SolverSettings finalSolver,
                        double guidance, Compute compute, List<TraceEntry> trace, String backend,
                        Transfers transfers) {
        this(model, label, algorithm, verifier, members, seed, sample, key, lineage, score, memberScores, finalReused,
                budgetExhausted, searchNfePlanned, searchSolver, finalSolver, guidance, compute, trace, backend,
                transfers, Compute.ZERO);
    }

    /** The compute that ran: {@code compute} less what a cache served. */
    public Compute spent() {
        return compute.minus(served);
    }
}

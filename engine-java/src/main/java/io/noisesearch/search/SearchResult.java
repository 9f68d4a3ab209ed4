package io.noisesearch.search;

import io.noisesearch.compute.Compute;
import io.noisesearch.model.ModelInfo;
import io.noisesearch.sampling.SolverSettings;

import java.util.List;

/**
 * The answer to a {@link SearchRequest}: the returned sample (flattened [channels, height, width]), the
 * winning key and its lineage, its scores, the compute used and the trace of the search.
 *
 * @param score        the winner's combined score (single verifiers: its raw score; ensembles: minus its mean rank)
 * @param memberScores raw score of the returned sample under each verifier member
 * @param searchNfePlanned what the algorithm would spend without a budget (its closed formula)
 */
public record SearchResult(ModelInfo model, int label, String algorithm, String verifier, List<String> members,
                           long seed, float[] sample, long key, List<Long> lineage, float score,
                           float[] memberScores, boolean finalReused, boolean budgetExhausted,
                           long searchNfePlanned, SolverSettings searchSolver, SolverSettings finalSolver,
                           double guidance, Compute compute, List<TraceEntry> trace) {
}

package io.noisesearch.search;

import io.noisesearch.verify.Scores;

/**
 * One step of a search as it happened: the pool of candidates it scored (their keys and combined scores),
 * the candidate it kept, and for search over paths the noise level and each candidate's parent path.
 *
 * @param stage     the algorithm stage
 * @param iteration iteration (zero-order), round (paths) or cut (prune; C + 1 for its final pick); 0 for random search
 * @param level     the grid level the candidates were scored at (paths, prune); 0 for clean samples
 * @param keys      candidate keys, in pool order
 * @param scores    combined verifier scores, in pool order
 * @param parents   for paths, the index of each candidate's parent among the previous survivors; else null
 * @param chosenKey the key kept after this step (the pivot for zero-order, the best survivor for paths and prune)
 * @param rejected  zero-order only: no neighbour beat the pivot, which was kept
 * @param memberScores random search only (else null): the pool's raw member scores, so that the best of any prefix
 *                     of the pool can be found again (an ensemble's ranks depend on the pool); not in result.json
 */
public record TraceEntry(String stage, int iteration, double level, long[] keys, float[] scores, int[] parents,
                         long chosenKey, boolean rejected, Scores memberScores) {

    /** An entry without member scores. */
    public TraceEntry(String stage, int iteration, double level, long[] keys, float[] scores, int[] parents,
                      long chosenKey, boolean rejected) {
        this(stage, iteration, level, keys, scores, parents, chosenKey, rejected, null);
    }
}

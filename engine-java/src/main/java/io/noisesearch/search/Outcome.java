package io.noisesearch.search;

import java.util.List;

/**
 * What an algorithm hands back: the returned sample (host copy), its key and lineage (the keys that
 * regenerate it from the seed), its scores.
 *
 * @param sample       the clean sample, flattened
 * @param key          the key of the candidate that won
 * @param lineage      keys from the first noise to the winner (one key for random search)
 * @param score        the combined score of the winner in its final pool (single verifiers: its raw score)
 * @param memberScores raw member scores of the returned sample
 * @param finalReused  the search sample was returned as is (search and final solver settings were equal)
 */
public record Outcome(float[] sample, long key, List<Long> lineage, float score, float[] memberScores,
                      boolean finalReused) {
}

package io.noisesearch.profile;

import io.noisesearch.compute.Compute;
import io.noisesearch.search.SearchResult;

/**
 * One sample of a configuration's evaluation set, with all that its {@link ProfileResult} is computed from: a
 * configuration's result is a function of its samples in seed order, so samples generated apart (a work unit per
 * class and seed range, on other machines) and gathered give the result of one run.
 *
 * @param key           the returned sample's candidate key
 * @param score         the configuration's verifier's score of the returned sample
 * @param memberScores  its raw score under each verifier member
 * @param compute       what the sample costs as if its configuration ran alone
 * @param spent         what this run spent on it (less than {@code compute} where a best-of-N point shared a pool;
 *                      null where it spent nothing)
 * @param ran           what of {@code spent} ran (less what the solve cache served; null where nothing was spent)
 * @param probabilities the evaluation network's class probabilities of the sample (trained models; else null)
 * @param features      the evaluation network's features of the sample (trained models; else null)
 * @param oracleLogDensity exact mixtures: log p(x | class) of the sample (else null)
 */
public record ProfileSample(int label, long seed, long key, float score, float[] memberScores, Counts compute,
                            Counts spent, Counts ran, long searchMillis, long finalMillis, float[] probabilities,
                            float[] features, Double oracleLogDensity) {

    /**
     * The counts of a sample's compute (docs/architecture.md, compute accounting).
     *
     * @param exhausted the search stopped at its budget
     */
    public record Counts(long searchNfe, long finalNfe, long forwardPasses, long verifierCalls, long flops,
                         boolean exhausted) {

        static Counts of(Compute c, boolean exhausted) {
            return new Counts(c.searchNfe(), c.finalNfe(), c.forwardPasses(), c.verifierCalls(), c.flops(), exhausted);
        }

        static Counts of(SearchResult r) {
            return of(r.compute(), r.budgetExhausted());
        }

        /** What ran of the result: its compute less what a cache served. */
        static Counts ran(SearchResult r) {
            return of(r.spent(), r.budgetExhausted());
        }
    }
}

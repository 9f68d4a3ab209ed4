package io.noisesearch.report;

import io.noisesearch.format.Json;
import io.noisesearch.search.SearchResult;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * The {@code summary.json} of {@code generate}: what made the samples (from the first request; every request of a
 * run shares them), the mean verifier score and the compute summed over every sample.
 *
 * @param budgetExhausted how many searches the budget stopped
 */
public record GenerateSummary(String model, String precision, String algorithm, String verifier, int samples, long firstSeed,
                              String searchSolver, String finalSolver, double guidance, double meanScore,
                              long budgetExhausted, Totals compute) {

    public record Totals(long searchNfe, long finalNfe, long forwardPasses, long flops, long wallMillis) {
    }

    public static GenerateSummary of(List<SearchResult> results, long firstSeed) {
        SearchResult first = results.getFirst();
        Totals totals = new Totals(sum(results, r -> r.compute().searchNfe()),
                sum(results, r -> r.compute().finalNfe()), sum(results, r -> r.compute().forwardPasses()),
                sum(results, r -> r.compute().flops()), sum(results, r -> r.compute().wallMillis()));
        return new GenerateSummary(first.model().name(), first.model().precision().id(), first.algorithm(), first.verifier(), results.size(),
                firstSeed, first.searchSolver().toString(), first.finalSolver().toString(), first.guidance(),
                results.stream().mapToDouble(SearchResult::score).average().orElse(Double.NaN),
                results.stream().filter(SearchResult::budgetExhausted).count(), totals);
    }

    public void write(Path file) throws IOException {
        Json.write(file, this);
    }

    private static long sum(List<SearchResult> results, ToLongFunction<SearchResult> count) {
        return results.stream().mapToLong(count).sum();
    }
}

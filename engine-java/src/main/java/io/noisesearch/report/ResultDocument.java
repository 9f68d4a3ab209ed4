package io.noisesearch.report;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.noisesearch.backend.TransferMeter.Direction;
import io.noisesearch.backend.TransferMeter.Payload;
import io.noisesearch.backend.Transfers;
import io.noisesearch.compute.Compute;
import io.noisesearch.compute.Phase;
import io.noisesearch.format.Json;
import io.noisesearch.noise.CandidateKeys;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.search.SearchAlgorithm;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.SearchResult;
import io.noisesearch.search.StopRules;
import io.noisesearch.search.TraceEntry;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code result.json} of one search (DESIGN.md, command line), written in component order. Keys are written both
 * as numbers and as hex strings: JSON readers that hold numbers as doubles (JavaScript, jq) lose the low bits of a
 * 64-bit key, and the hex form shows the stage | iteration | index fields at a glance.
 *
 * @param precision  the precision the denoiser ran in ({@code --precision}: fp32, or int8 from its variant file)
 * @param parameters the algorithm record, its components being its hyperparameters ({@code {}} for none)
 * @param budgetNfe  null when the search had no budget
 * @param prompt     a text-conditioned model's caption (absent for class-conditional models)
 * @param deadlineMs null when the request had no deadline
 * @param deadlineReached the search stopped proposing at its deadline and returned its best so far
 * @param stopRules  the request's stopping rules (absent when it had none)
 * @param stoppedBy  what ended the search: completed, budget, deadline, target or plateau
 * @param transfers  host-device copies per phase and direction; null where batches are host memory
 */
public record ResultDocument(long seed, String model, String precision, @JsonProperty("class") int label,
                             @JsonInclude(JsonInclude.Include.NON_NULL) String prompt, String algorithm,
                             SearchAlgorithm parameters, String verifier, List<String> verifierMembers,
                             double guidance, Long budgetNfe, boolean budgetExhausted, Long deadlineMs,
                             boolean deadlineReached,
                             @JsonInclude(JsonInclude.Include.NON_NULL) Stop stopRules, String stoppedBy,
                             boolean finalReused,
                             long searchNfePlanned, Best best, Solvers solvers, Counts compute, String device,
                             Map<String, Map<String, Copies>> transfers, List<Step> trace) {

    /**
     * The returned candidate. Scores are floats, written with a float's digits.
     *
     * @param sample the sample itself, for models of points; images go to best.png instead
     */
    public record Best(long key, String keyHex, CandidateKeys.Parts keyParts, float score, float[] memberScores,
                       List<String> lineage, @JsonInclude(JsonInclude.Include.NON_NULL) float[] sample) {
    }

    /**
     * A request's stopping rules as the command line names them: {@code --stop-at-score} (null: none),
     * {@code --stop-patience} and {@code --stop-margin} (null: no plateau rule).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Stop(Double atScore, Integer patience, Double margin) {

        static Stop of(StopRules rules) {
            if (!rules.any()) {
                return null;
            }
            boolean plateau = rules.patience() > 0;
            return new Stop(Double.isNaN(rules.targetScore()) ? null : rules.targetScore(),
                    plateau ? rules.patience() : null, plateau ? rules.margin() : null);
        }
    }

    public record Solvers(Solver search, @JsonProperty("final") Solver last) {
    }

    /**
     * @param nfe   NFEs of one full solve
     * @param noise euler-sde's noise scale or ddim's eta (absent for the other solvers)
     */
    public record Solver(String solver, int steps, long nfe, @JsonInclude(JsonInclude.Include.NON_NULL) Double noise) {

        static Solver of(SolverSettings settings) {
            return new Solver(settings.kind().id(), settings.steps(), settings.fullNfe(),
                    settings.kind().noiseOption() == null ? null : settings.noise());
        }
    }

    public record Counts(long searchNfe, long finalNfe, long totalNfe, long forwardPasses, long flops,
                         long verifierCalls, long wallMillis, long searchMillis, long finalMillis) {

        static Counts of(Compute c) {
            return new Counts(c.searchNfe(), c.finalNfe(), c.totalNfe(), c.forwardPasses(), c.flops(),
                    c.verifierCalls(), c.wallMillis(), c.searchMillis(), c.finalMillis());
        }
    }

    /**
     * Copies of one phase and direction: tensors (batches: model parameters, the returned sample) and arguments (the
     * Java arrays of kernel calls: indices in, scores out).
     */
    public record Copies(long tensorBytes, long tensorCopies, long argumentBytes, long argumentCopies) {
    }

    /** @param parents written for search over paths only */
    public record Step(String stage, int iteration, double level, List<String> keys, float[] scores,
                       @JsonInclude(JsonInclude.Include.NON_NULL) int[] parents, String chosenKey,
                       boolean rejected) {

        static Step of(TraceEntry entry) {
            return new Step(entry.stage(), entry.iteration(), entry.level(), hex(entry.keys()), entry.scores(),
                    entry.parents(), hex(entry.chosenKey()), entry.rejected());
        }
    }

    public static ResultDocument of(SearchRequest request, SearchResult result) {
        return new ResultDocument(result.seed(), result.model().name(), result.model().precision().id(),
                result.label(), request.prompt(), result.algorithm(),
                request.algorithm(), result.verifier(), result.members(), result.guidance(),
                request.budgetNfe() == SearchRequest.UNLIMITED ? null : request.budgetNfe(),
                result.budgetExhausted(), request.deadline() == null ? null : request.deadline().toMillis(),
                result.deadlineReached(), Stop.of(request.stop()), result.stoppedBy().id(), result.finalReused(), result.searchNfePlanned(), best(result),
                new Solvers(Solver.of(result.searchSolver()), Solver.of(result.finalSolver())),
                Counts.of(result.compute()), result.backend(), transfers(result.transfers()),
                result.trace().stream().map(Step::of).toList());
    }

    public void write(Path file) throws IOException {
        Json.write(file, this);
    }

    /** A key as 16 hex digits: stage (2) | iteration (6) | index (8). */
    public static String hex(long key) {
        return String.format(Locale.ROOT, "0x%016x", key);
    }

    private static List<String> hex(long[] keys) {
        return Arrays.stream(keys).mapToObj(ResultDocument::hex).toList();
    }

    private static Best best(SearchResult result) {
        return new Best(result.key(), hex(result.key()), CandidateKeys.decode(result.key()), result.score(),
                result.memberScores(), result.lineage().stream().map(ResultDocument::hex).toList(),
                result.model().isImage() ? null : result.sample());
    }

    private static Map<String, Map<String, Copies>> transfers(Transfers transfers) {
        if (!transfers.device()) {
            return null;
        }
        Map<String, Map<String, Copies>> phases = new LinkedHashMap<>();
        for (Phase phase : Phase.values()) {
            Map<String, Copies> directions = new LinkedHashMap<>();
            for (Direction d : Direction.values()) {
                directions.put(d.name().toLowerCase(Locale.ROOT), new Copies(
                        transfers.bytes(phase, d, Payload.TENSOR), transfers.copies(phase, d, Payload.TENSOR),
                        transfers.bytes(phase, d, Payload.ARGUMENT), transfers.copies(phase, d, Payload.ARGUMENT)));
            }
            phases.put(phase.name().toLowerCase(Locale.ROOT), directions);
        }
        return phases;
    }
}

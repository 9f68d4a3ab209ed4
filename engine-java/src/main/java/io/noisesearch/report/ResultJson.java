package io.noisesearch.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.noisesearch.backend.TransferMeter.Direction;
import io.noisesearch.backend.TransferMeter.Payload;
import io.noisesearch.backend.Transfers;
import io.noisesearch.compute.Compute;
import io.noisesearch.compute.Phase;
import io.noisesearch.format.Json;
import io.noisesearch.noise.CandidateKeys;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.SearchResult;
import io.noisesearch.search.TraceEntry;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The {@code result.json} of one search (DESIGN.md, command line). Keys are written both as numbers and as hex
 * strings: JSON readers that hold numbers as doubles (JavaScript, jq) lose the low bits of a 64-bit key, and the
 * hex form shows the stage | iteration | index fields at a glance.
 */
public final class ResultJson {

    /** Algorithm records have no components for "none"; an empty object is the right answer there. */
    static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private ResultJson() {
    }

    public static void write(Path file, SearchRequest request, SearchResult result) throws IOException {
        Json.write(file, toJson(request, result));
    }

    public static ObjectNode toJson(SearchRequest request, SearchResult result) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("seed", result.seed());
        root.put("model", result.model().name());
        root.put("class", result.label());
        root.put("algorithm", result.algorithm());
        root.set("parameters", MAPPER.valueToTree(request.algorithm()));
        root.put("verifier", result.verifier());
        root.set("verifierMembers", MAPPER.valueToTree(result.members()));
        root.put("guidance", result.guidance());
        if (request.budgetNfe() == SearchRequest.UNLIMITED) {
            root.putNull("budgetNfe");
        } else {
            root.put("budgetNfe", request.budgetNfe());
        }
        root.put("budgetExhausted", result.budgetExhausted());
        root.put("finalReused", result.finalReused());
        root.put("searchNfePlanned", result.searchNfePlanned());
        root.set("best", best(result));
        ObjectNode solvers = root.putObject("solvers");
        solvers.set("search", solver(result.searchSolver()));
        solvers.set("final", solver(result.finalSolver()));
        root.set("compute", compute(result.compute()));
        root.put("device", result.backend());
        root.set("transfers", transfers(result.transfers()));
        ArrayNode trace = root.putArray("trace");
        result.trace().forEach(entry -> trace.add(traceEntry(entry)));
        return root;
    }

    /** A key as 16 hex digits: stage (2) | iteration (6) | index (8). */
    public static String hex(long key) {
        return String.format(Locale.ROOT, "0x%016x", key);
    }

    private static ObjectNode best(SearchResult result) {
        ObjectNode best = MAPPER.createObjectNode();
        best.put("key", result.key());
        best.put("keyHex", hex(result.key()));
        CandidateKeys.Parts parts = CandidateKeys.decode(result.key());
        best.putObject("keyParts").put("stage", parts.stage()).put("iteration", parts.iteration())
                .put("index", parts.index());
        best.put("score", result.score());
        best.set("memberScores", floats(result.memberScores()));
        best.set("lineage", keys(result.lineage()));
        // Points are small enough to read in the JSON; images go to best.png instead.
        if (!result.model().isImage()) {
            best.set("sample", floats(result.sample()));
        }
        return best;
    }

    private static ObjectNode solver(SolverSettings settings) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("solver", settings.kind().id());
        node.put("steps", settings.steps());
        node.put("nfe", settings.fullNfe());
        return node;
    }

    private static ObjectNode compute(Compute compute) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("searchNfe", compute.searchNfe());
        node.put("finalNfe", compute.finalNfe());
        node.put("totalNfe", compute.totalNfe());
        node.put("forwardPasses", compute.forwardPasses());
        node.put("flops", compute.flops());
        node.put("verifierCalls", compute.verifierCalls());
        node.put("wallMillis", compute.wallMillis());
        node.put("searchMillis", compute.searchMillis());
        node.put("finalMillis", compute.finalMillis());
        return node;
    }

    /**
     * Host-device copies per phase and direction: tensors (batches: model parameters, the returned sample) and
     * arguments (the Java arrays of kernel calls: indices in, scores out). Null where batches are host memory.
     */
    private static JsonNode transfers(Transfers transfers) {
        if (!transfers.device()) {
            return NullNode.getInstance();
        }
        ObjectNode node = MAPPER.createObjectNode();
        for (Phase phase : Phase.values()) {
            ObjectNode p = node.putObject(phase.name().toLowerCase(Locale.ROOT));
            for (Direction direction : Direction.values()) {
                ObjectNode d = p.putObject(direction.name().toLowerCase(Locale.ROOT));
                d.put("tensorBytes", transfers.bytes(phase, direction, Payload.TENSOR));
                d.put("tensorCopies", transfers.copies(phase, direction, Payload.TENSOR));
                d.put("argumentBytes", transfers.bytes(phase, direction, Payload.ARGUMENT));
                d.put("argumentCopies", transfers.copies(phase, direction, Payload.ARGUMENT));
            }
        }
        return node;
    }

    private static ObjectNode traceEntry(TraceEntry entry) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("stage", entry.stage());
        node.put("iteration", entry.iteration());
        node.put("level", entry.level());
        ArrayNode keys = node.putArray("keys");
        for (long key : entry.keys()) {
            keys.add(hex(key));
        }
        node.set("scores", floats(entry.scores()));
        if (entry.parents() != null) {
            ArrayNode parents = node.putArray("parents");
            for (int parent : entry.parents()) {
                parents.add(parent);
            }
        }
        node.put("chosenKey", hex(entry.chosenKey()));
        node.put("rejected", entry.rejected());
        return node;
    }

    private static ArrayNode keys(List<Long> keys) {
        ArrayNode array = MAPPER.createArrayNode();
        keys.forEach(key -> array.add(hex(key)));
        return array;
    }

    private static ArrayNode floats(float[] values) {
        ArrayNode array = MAPPER.createArrayNode();
        for (float value : values) {
            array.add(value);
        }
        return array;
    }
}

package io.noisesearch.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.noisesearch.backend.TransferMeter.Direction;
import io.noisesearch.backend.TransferMeter.Payload;
import io.noisesearch.backend.Transfers;
import io.noisesearch.compute.Compute;
import io.noisesearch.compute.Phase;
import io.noisesearch.format.Json;
import io.noisesearch.model.BuiltinModels;
import io.noisesearch.noise.CandidateKeys;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.search.NoSearch;
import io.noisesearch.search.PathSearch;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.SearchResult;
import io.noisesearch.search.TraceEntry;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ResultDocumentTest {

    private static final long KEY = CandidateKeys.encode(5, 3, 17);

    @Test
    void hexShowsStageIterationAndIndexFields() {
        assertThat(ResultDocument.hex(KEY)).isEqualTo("0x0500000300000011");
        assertThat(ResultDocument.hex(-1L)).isEqualTo("0xffffffffffffffff");
    }

    @Test
    void keysSurviveAsNumberAndHexAndTheTraceKeepsParents() throws IOException {
        SearchRequest request = SearchRequest.of("gmm-image", 4, new PathSearch(2, 2, 0.4, 0.05, 0.1, 2), "oracle", 9)
                .withBudget(500);
        TraceEntry round = new TraceEntry("paths", 3, 0.25, new long[] {KEY - 1, KEY}, new float[] {1.5f, 2.5f},
                new int[] {0, 1}, KEY, false);
        SolverSettings heun = new SolverSettings(SolverKind.HEUN, 10);
        SearchResult result = new SearchResult(BuiltinModels.info("gmm-image"), 4, "paths", "oracle",
                List.of("oracle"), 9, new float[256], KEY, List.of(KEY - 20, KEY), 2.5f, new float[] {2.5f}, true,
                false, 1000, heun, heun, 1.0, new Compute(400, 0, 400, 1234, 12, 7, 6, 1), List.of(round),
                "cuda", transfers());

        JsonNode json = written(ResultDocument.of(request, result));

        assertThat(json.path("best").path("key").asLong()).isEqualTo(KEY);
        assertThat(json.path("best").path("keyHex").asText()).isEqualTo("0x0500000300000011");
        assertThat(json.path("best").path("keyParts").path("index").asLong()).isEqualTo(17);
        assertThat(json.path("best").has("sample")).as("images go to PNG").isFalse();
        assertThat(json.path("budgetNfe").asLong()).isEqualTo(500);
        assertThat(json.path("parameters").path("width").asInt()).isEqualTo(2);
        assertThat(json.path("compute").path("totalNfe").asLong()).isEqualTo(400);
        JsonNode entry = json.path("trace").get(0);
        assertThat(entry.path("parents")).hasSize(2);
        assertThat(entry.path("level").asDouble()).isEqualTo(0.25);
        assertThat(entry.path("chosenKey").asText()).isEqualTo("0x0500000300000011");
        assertThat(json.path("solvers").path("final").path("nfe").asInt()).isEqualTo(19);
        assertThat(json.path("device").asText()).isEqualTo("cuda");
        JsonNode searchDownload = json.path("transfers").path("search").path("download");
        assertThat(searchDownload.path("argumentBytes").asLong()).isEqualTo(64);
        assertThat(searchDownload.path("argumentCopies").asLong()).isEqualTo(2);
        assertThat(searchDownload.path("tensorBytes").asLong()).isZero();
        assertThat(json.path("transfers").path("final").path("download").path("tensorBytes").asLong()).isEqualTo(1024);
        assertThat(json.path("transfers").path("final").path("upload").path("tensorCopies").asLong()).isZero();
    }

    @Test
    void hostRunsHaveNoTransfers() throws IOException {
        SearchRequest request = SearchRequest.of("gmm-image", 4, new NoSearch(), "oracle", 9);
        SolverSettings heun = new SolverSettings(SolverKind.HEUN, 10);
        SearchResult result = new SearchResult(BuiltinModels.info("gmm-image"), 4, "none", "oracle",
                List.of("oracle"), 9, new float[256], KEY, List.of(KEY), 2.5f, new float[] {2.5f}, true,
                false, 0, heun, heun, 1.0, new Compute(0, 19, 19, 1234, 1, 7, 0, 7), List.of(), "host",
                Transfers.NONE);

        JsonNode json = written(ResultDocument.of(request, result));

        assertThat(json.path("device").asText()).isEqualTo("host");
        assertThat(json.has("transfers")).isTrue();
        assertThat(json.path("transfers").isNull()).isTrue();
    }

    /** The document as result.json holds it. */
    private static JsonNode written(ResultDocument document) throws IOException {
        return new ObjectMapper().readTree(Json.text(document));
    }

    /** A device run: two score downloads while searching, the winner's 1 KiB download in the final phase. */
    private static Transfers transfers() {
        long[] bytes = new long[Transfers.SLOTS];
        long[] copies = new long[Transfers.SLOTS];
        bytes[Transfers.slot(Phase.SEARCH, Direction.DOWNLOAD, Payload.ARGUMENT)] = 64;
        copies[Transfers.slot(Phase.SEARCH, Direction.DOWNLOAD, Payload.ARGUMENT)] = 2;
        bytes[Transfers.slot(Phase.FINAL, Direction.DOWNLOAD, Payload.TENSOR)] = 1024;
        copies[Transfers.slot(Phase.FINAL, Direction.DOWNLOAD, Payload.TENSOR)] = 1;
        return new Transfers(true, bytes, copies);
    }
}

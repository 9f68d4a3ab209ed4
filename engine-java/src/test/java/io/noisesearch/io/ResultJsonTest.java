package io.noisesearch.io;

import com.fasterxml.jackson.databind.JsonNode;
import io.noisesearch.compute.Compute;
import io.noisesearch.model.BuiltinModels;
import io.noisesearch.noise.CandidateKeys;
import io.noisesearch.sampling.SolverKind;
import io.noisesearch.sampling.SolverSettings;
import io.noisesearch.search.PathSearch;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.SearchResult;
import io.noisesearch.search.TraceEntry;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ResultJsonTest {

    private static final long KEY = CandidateKeys.encode(5, 3, 17);

    @Test
    void hexShowsStageIterationAndIndexFields() {
        assertThat(ResultJson.hex(KEY)).isEqualTo("0x0500000300000011");
        assertThat(ResultJson.hex(-1L)).isEqualTo("0xffffffffffffffff");
    }

    @Test
    void keysSurviveAsNumberAndHexAndTheTraceKeepsParents() {
        SearchRequest request = SearchRequest.of("gmm-image", 4, new PathSearch(2, 2, 0.4, 0.05, 0.1, 2), "oracle", 9)
                .withBudget(500);
        TraceEntry round = new TraceEntry("paths", 3, 0.25, new long[] {KEY - 1, KEY}, new float[] {1.5f, 2.5f},
                new int[] {0, 1}, KEY, false);
        SolverSettings heun = new SolverSettings(SolverKind.HEUN, 10);
        SearchResult result = new SearchResult(BuiltinModels.info("gmm-image"), 4, "paths", "oracle",
                List.of("oracle"), 9, new float[256], KEY, List.of(KEY - 20, KEY), 2.5f, new float[] {2.5f}, true,
                false, 1000, heun, heun, 1.0, new Compute(400, 0, 400, 1234, 12, 7, 6, 1), List.of(round));

        JsonNode json = ResultJson.toJson(request, result);

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
    }
}

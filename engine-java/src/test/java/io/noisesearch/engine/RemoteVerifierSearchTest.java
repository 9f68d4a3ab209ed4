package io.noisesearch.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.noisesearch.backend.Backends;
import io.noisesearch.format.PngWriter;
import io.noisesearch.model.ModelRepository;
import io.noisesearch.search.RandomSearch;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.SearchResult;
import io.noisesearch.verify.RemoteVerifier;
import io.noisesearch.verify.ScoringServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Searches scored by {@code remote:URL} on a local server: a text model's decoded images and caption reach the server,
 * the winner is the candidate the server scored highest, and a server that breaks the protocol ends the search in one
 * error while the engine goes on serving.
 */
class RemoteVerifierSearchTest {

    private ScoringServer server;
    private final List<Double> returned = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean wrongCount;

    @BeforeEach
    void start() throws IOException {
        // Scores each candidate by how red its image is; one score too many while wrongCount is set.
        server = ScoringServer.start((exchange, call, request) -> {
            List<String> scores = new ArrayList<>();
            for (JsonNode candidate : request.get("candidates")) {
                double score = redness(Base64.getDecoder().decode(candidate.get("image").asText()));
                returned.add(score);
                scores.add(Double.toString(score));
            }
            if (wrongCount) {
                scores.add("0");
            }
            ScoringServer.sendScores(exchange, scores);
        });
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String verifier() {
        return "remote:" + server.url();
    }

    /** Mean red level minus mean green and blue of a PNG: how red the image is. */
    private static double redness(byte[] png) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        double sum = 0;
        int bands = image.getRaster().getNumBands();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                double r = image.getRaster().getSample(x, y, 0);
                sum += bands == 1 ? r : r - (image.getRaster().getSample(x, y, 1)
                        + image.getRaster().getSample(x, y, 2)) / 2.0;
            }
        }
        return sum / (image.getWidth() * image.getHeight());
    }

    @Test
    void aTextModelsDecodedCandidatesAndCaptionReachTheServerAndItsBestScoreWins() throws IOException {
        try (Engine engine = Engine.open(Backends.open("java"), 1, 1, new ModelRepository(Path.of(
                "src/test/resources/shapes-models")))) {
            SearchRequest request = SearchRequest.of("tiny-shapes-flow", 0, new RandomSearch(5), verifier(), 3)
                    .withPrompt("a red circle").withBatchSize(2);

            SearchResult result = engine.search(request);

            assertThat(returned).hasSize(5);
            assertThat(server.requests()).allSatisfy(q -> {
                assertThat(q.get("prompt").asText()).isEqualTo("a red circle");
                assertThat(q.get("width").asInt()).isEqualTo(32);
                assertThat(q.get("model").asText()).isEqualTo("tiny-shapes-flow");
            });
            assertThat(result.verifier()).isEqualTo(verifier());
            assertThat((double) result.score()).isEqualTo((double) (float) returned.stream()
                    .mapToDouble(Double::doubleValue).max().orElseThrow());
            // the returned image is the one the server gave that score: the scores were read in order
            byte[] png = PngWriter.encode(result.sample(), result.model().layout(), 1);
            assertThat((float) redness(png)).isEqualTo(result.score());
            assertThat(result.compute().verifierCalls()).isPositive();
        }
    }

    @Test
    void aServerThatBreaksTheProtocolEndsTheSearchAndTheEngineGoesOn() {
        try (Engine engine = Engine.open("host", 1)) {
            SearchRequest request = SearchRequest.of("gmm-image", 2, new RandomSearch(4), verifier(), 0);
            wrongCount = true;

            assertThatThrownBy(() -> engine.search(request)).isInstanceOf(RemoteVerifier.RemoteVerifierException.class)
                    .hasMessageContaining("'scores' holds 5 values for 4 images");

            wrongCount = false;
            SearchResult again = engine.search(request);
            SearchResult oracle = engine.search(SearchRequest.of("gmm-image", 2, new RandomSearch(4), "oracle", 0));
            try (Engine fresh = Engine.open("host", 1)) {
                assertThat(oracle.sample()).containsExactly(fresh.search(
                        SearchRequest.of("gmm-image", 2, new RandomSearch(4), "oracle", 0)).sample());
            }
            assertThat(server.requests().getLast().get("class").asInt()).isEqualTo(2);
            assertThat(server.requests().getLast().get("prompt").isNull()).isTrue();
            assertThat(again.score()).isEqualTo((float) returned.subList(returned.size() - 4, returned.size()).stream()
                    .mapToDouble(Double::doubleValue).max().orElseThrow());
        }
    }

    @Test
    void aModelWithoutImagesIsRefusedInOneLine() {
        try (Engine engine = Engine.open("host", 1)) {
            assertThatThrownBy(() -> engine.search(SearchRequest.of("gmm-2d", 0, new RandomSearch(2), verifier(), 0)))
                    .hasMessageContaining("makes no 1- or 3-channel images");
        }
    }
}

package io.noisesearch.verify;

import com.fasterxml.jackson.databind.JsonNode;
import io.noisesearch.InvalidRequestException;
import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Backends;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import io.noisesearch.format.ImageLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static io.noisesearch.verify.ScoringServer.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code remote:URL} against a local server (the JDK's): the protocol's request, scores in order, batches split at
 * the limit, retries on 5xx and timeouts only, and one-line errors for answers that break the protocol.
 */
class RemoteVerifierTest {

    /** Grey 4x4 images with values in [-1, 1]: PNG level round((v + 1) * 127.5). */
    private static final ImageLayout LAYOUT = new ImageLayout("test-model", 1, 4, 4, -1f, 1f);

    private ScoringServer server;
    private Backend backend;
    private Kernels kernels;

    @BeforeEach
    void start() throws IOException {
        server = ScoringServer.startConcurrent((exchange, call, request) -> send(exchange, 500, ""));
        backend = Backends.open("java");
        kernels = backend.openStream(1);
    }

    @AfterEach
    void stop() {
        server.close();
        kernels.close();
        backend.close();
    }

    private URI url() {
        return URI.create(server.url());
    }

    private RemoteVerifier verifier(int maxBatch, int attempts, Duration timeout) {
        return new RemoteVerifier(url(), new ImageAccess(backend, LAYOUT), "test-model",
                new RemoteVerifier.Settings(timeout, attempts, Duration.ofMillis(1), maxBatch, null));
    }

    /** The mean PNG level of a candidate's image, as the server sees it. */
    private static double meanLevel(JsonNode candidate) throws IOException {
        byte[] png = Base64.getDecoder().decode(candidate.get("image").asText());
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        double sum = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                sum += image.getRaster().getSample(x, y, 0);
            }
        }
        return sum / (image.getWidth() * image.getHeight());
    }

    /** Answers every call with each image's mean PNG level, echoing the ids. */
    private void scoreByBrightness() {
        server.answerWith((exchange, call, request) -> {
            StringBuilder scores = new StringBuilder();
            StringBuilder ids = new StringBuilder();
            for (JsonNode candidate : request.get("candidates")) {
                scores.append(scores.isEmpty() ? "" : ",").append(meanLevel(candidate));
                ids.append(ids.isEmpty() ? "" : ",").append(candidate.get("id").asInt());
            }
            send(exchange, 200, "{\"scores\": [" + scores + "], \"ids\": [" + ids + "]}");
        });
    }

    /** Rows of constant value: row r is {@code values[r]} everywhere. */
    private float[][] score(RemoteVerifier verifier, float[] values, String prompt, int offset) {
        float[] rows = new float[values.length * LAYOUT.dim()];
        for (int r = 0; r < values.length; r++) {
            java.util.Arrays.fill(rows, r * LAYOUT.dim(), (r + 1) * LAYOUT.dim(), values[r]);
        }
        float[][] out = new float[1][offset + values.length];
        try (Arena arena = Arena.ofConfined()) {
            Batch batch = backend.upload(arena, rows, values.length, LAYOUT.dim());
            verifier.score(kernels, new VerifierInput(batch, null, 0, prompt), out, offset);
        }
        return out;
    }

    @Test
    void scoresComeBackInOrderAndLargeBatchesAreSplitAtTheLimit() {
        scoreByBrightness();
        float[] values = {-1f, 1f, 0f, 0.5f, -0.5f, 1f, -1f};

        float[][] out = score(verifier(3, 1, Duration.ofSeconds(10)), values, "a red circle", 2);

        for (int r = 0; r < values.length; r++) {
            double level = Math.round((values[r] + 1) * 127.5);
            assertThat(out[0][2 + r]).as("candidate %d", r).isEqualTo((float) level);
        }
        assertThat(server.requests()).extracting(q -> q.get("candidates").size()).containsExactly(3, 3, 1);
        List<Integer> ids = new ArrayList<>();
        server.requests().forEach(q -> q.get("candidates").forEach(c -> ids.add(c.get("id").asInt())));
        assertThat(ids).as("the pool's indices, offset included").containsExactly(2, 3, 4, 5, 6, 7, 8);
        JsonNode first = server.requests().getFirst();
        assertThat(first.get("protocol").asText()).isEqualTo(RemoteVerifier.PROTOCOL);
        assertThat(first.get("prompt").asText()).isEqualTo("a red circle");
        assertThat(first.get("class").isNull()).isTrue();
        assertThat(first.get("model").asText()).isEqualTo("test-model");
        assertThat(first.get("width").asInt()).isEqualTo(4);
        assertThat(first.get("height").asInt()).isEqualTo(4);
    }

    @Test
    void aClassRequestSendsItsClassAndNoPrompt() {
        scoreByBrightness();

        score(verifier(8, 1, Duration.ofSeconds(10)), new float[] {0f}, null, 0);

        assertThat(server.requests().getFirst().get("prompt").isNull()).isTrue();
        assertThat(server.requests().getFirst().get("class").asInt()).isZero();
    }

    @Test
    void aServerErrorIsTriedAgainAndTheSecondAnswerCounts() {
        server.answerWith((exchange, call, request) -> {
            if (call == 0) {
                send(exchange, 503, "{\"error\": \"warming up\"}");
            } else {
                send(exchange, 200, "{\"scores\": [0.25, -3]}");
            }
        });

        float[][] out = score(verifier(8, 3, Duration.ofSeconds(10)), new float[] {0f, 0f}, "a red circle", 0);

        assertThat(out[0]).containsExactly(0.25f, -3f);
        assertThat(server.calls().get()).isEqualTo(2);
    }

    @Test
    void serverErrorsOnEveryAttemptEndInOneLine() {
        server.answerWith((exchange, call, request) -> send(exchange, 500, ""));

        assertThatThrownBy(() -> score(verifier(8, 3, Duration.ofSeconds(10)), new float[] {0f}, "a", 0))
                .isInstanceOf(RemoteVerifier.RemoteVerifierException.class)
                .hasMessage("verifier remote:" + url() + ": HTTP 500 on each of 3 attempts"
                        + " (-Dnoisesearch.remote.attempts)");
        assertThat(server.calls().get()).isEqualTo(3);
    }

    @Test
    void aClientErrorIsNotTriedAgain() {
        server.answerWith((exchange, call, request) -> send(exchange, 404, ""));

        assertThatThrownBy(() -> score(verifier(8, 3, Duration.ofSeconds(10)), new float[] {0f}, "a", 0))
                .hasMessageContaining("HTTP 404").hasMessageContaining("not tried again");
        assertThat(server.calls().get()).isEqualTo(1);
    }

    @Test
    void aServerTooSlowTimesOutOnEachAttempt() {
        server.answerWith((exchange, call, request) -> {
            Thread.sleep(3_000);
            send(exchange, 200, "{\"scores\": [1]}");
        });

        assertThatThrownBy(() -> score(verifier(8, 2, Duration.ofMillis(200)), new float[] {0f}, "a", 0))
                .isInstanceOf(RemoteVerifier.RemoteVerifierException.class)
                .hasMessageContaining("no answer within 200 ms").hasMessageContaining("each of 2 attempts");
        assertThat(server.calls().get()).isEqualTo(2);
    }

    @Test
    void answersThatBreakTheProtocolAreOneLineErrorsAndNotTriedAgain() {
        String[][] cases = {
                {"scores: [1]", "not JSON"},
                {"[1, 2]", "not a JSON object with a 'scores' array"},
                {"{\"score\": [1, 2]}", "not a JSON object with a 'scores' array"},
                {"{\"scores\": [1]}", "'scores' holds 1 values for 2 images"},
                {"{\"scores\": [1, 2, 3]}", "'scores' holds 3 values for 2 images"},
                {"{\"scores\": [1, 1e999]}", "score 1 (candidate 1) is not a finite number"},
                {"{\"scores\": [1e39, 1]}", "score 0 (candidate 0) is not a finite number"},
                {"{\"scores\": [\"NaN\", 1]}", "score 0 (candidate 0) is not a finite number"},
                {"{\"scores\": [NaN, 1]}", "not JSON"},
                {"{\"scores\": [null, 1]}", "score 0 (candidate 0) is not a finite number"},
                {"{\"scores\": [1, 2], \"ids\": [1, 0]}", "'ids' is not the request's candidate ids in order"},
        };
        for (String[] c : cases) {
            server.calls().set(0);
            server.answerWith((exchange, call, request) -> send(exchange, 200, c[0]));

            assertThatThrownBy(() -> score(verifier(8, 3, Duration.ofSeconds(10)), new float[] {0f, 0f}, "a", 0))
                    .as(c[0]).isInstanceOf(RemoteVerifier.RemoteVerifierException.class)
                    .hasMessage("verifier remote:" + url() + ": " + (c[1].startsWith("not") ? "the answer is " : "")
                            + c[1]);
            assertThat(server.calls().get()).as(c[0]).isEqualTo(1);
        }
    }

    @Test
    void anAnswerLargerThanTheLimitIsRefused() {
        String huge = "{\"scores\": [1, 2], \"padding\": \"" + "x".repeat((int) RemoteVerifier.MAX_ANSWER_BYTES) + "\"}";
        server.answerWith((exchange, call, request) -> send(exchange, 200, huge));

        assertThatThrownBy(() -> score(verifier(8, 3, Duration.ofSeconds(10)), new float[] {0f, 0f}, "a", 0))
                .hasMessageContaining("larger than 1.0 MiB");
        assertThat(server.calls().get()).isEqualTo(1);
    }

    @Test
    void anUnreachableServerIsTriedAgainThenReported() {
        server.close();

        assertThatThrownBy(() -> score(verifier(8, 2, Duration.ofSeconds(5)), new float[] {0f}, "a", 0))
                .isInstanceOf(RemoteVerifier.RemoteVerifierException.class)
                .hasMessageContaining("cannot reach it").hasMessageContaining("each of 2 attempts");
    }

    @Test
    void onlyHttpUrlsWithAHostAndNoUserInformationAreAccepted() {
        assertThat(RemoteVerifier.endpoint("remote:https://grader.example/v1/score?model=x").getHost())
                .isEqualTo("grader.example");
        for (String bad : List.of("remote:ftp://h/x", "remote:file:///etc/passwd", "remote:localhost:8080",
                "remote:http:///x", "remote:http://h/ x", "remote:")) {
            assertThatThrownBy(() -> RemoteVerifier.endpoint(bad)).as(bad)
                    .isInstanceOf(InvalidRequestException.class).hasMessageStartingWith("--verifier remote:");
        }
        assertThatThrownBy(() -> RemoteVerifier.endpoint("remote:http://me:secret@h/x"))
                .hasMessageContaining(RemoteVerifier.TOKEN_VARIABLE).message().doesNotContain("secret");
    }

    @Test
    void itsScoresAreNeverCachedAndCostNoEngineFlops() {
        RemoteVerifier verifier = verifier(8, 1, Duration.ofSeconds(1));
        assertThat(verifier.identity()).isNull();
        assertThat(verifier.flopsPerSample()).isZero();
        assertThat(verifier.name()).isEqualTo("remote:" + url());
    }
}

package io.noisesearch.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.noisesearch.backend.Backends;
import io.noisesearch.engine.Engine;
import io.noisesearch.model.ModelRepository;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static io.noisesearch.service.SearchServiceTest.awaitReady;
import static io.noisesearch.service.SearchServiceTest.get;
import static io.noisesearch.service.SearchServiceTest.json;
import static io.noisesearch.service.SearchServiceTest.post;
import static io.noisesearch.service.SearchServiceTest.settings;
import static io.noisesearch.service.SearchServiceTest.unchecked;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deadlines and cancellation through the service: deadlineMs reaches the search and its answer, a client that closes
 * its connection cancels its search (running or queued), and the end of a shutdown's grace period cancels the
 * searches still running. Waits are for conditions, bounded; nothing asserts on time.
 */
class ServiceDeadlinesTest {

    /** A search far longer than any test: only a deadline or a cancellation ends it. */
    private static final String ENDLESS = "{\"candidates\": 20000000, \"batchSize\": 8}";

    private static Engine engine;

    @BeforeAll
    static void open() {
        engine = Engine.open(Backends.open("host"), 1, 2, new ModelRepository(SearchServiceTest.trainedModels()));
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 6000 && !condition.getAsBoolean(); i++) {
            Thread.sleep(10);
        }
        assertThat(condition.getAsBoolean()).as(what).isTrue();
    }

    /** Sends a search request on a raw connection and leaves it open; the caller closes it. */
    private static Socket sendAndKeepOpen(SearchService service, String body) throws Exception {
        Socket socket = new Socket("127.0.0.1", service.port());
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v1/search HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
        return socket;
    }

    @Test
    void theDeadlineReachesTheSearchAndItsAnswer() throws Exception {
        try (SearchService service = SearchService.start(engine, settings(1, 4, List.of("gmm-image")))) {
            awaitReady(service);
            // long enough that a loaded machine still starts the search before it, far too short for the pool
            HttpResponse<String> stopped = post(service, "{\"candidates\": 20000000, \"batchSize\": 8,"
                    + " \"deadlineMs\": 1000}");
            assertThat(stopped.statusCode()).as(stopped.body()).isEqualTo(200);
            JsonNode document = json(stopped);
            assertThat(document.get("deadlineMs").asLong()).isEqualTo(1000);
            assertThat(document.get("deadlineReached").asBoolean()).isTrue();
            assertThat(document.get("compute").get("searchNfe").asLong()).isLessThan(20_000_000L * 19);

            JsonNode free = json(post(service, "{\"candidates\": 4, \"deadlineMs\": 3600000}"));
            assertThat(free.get("deadlineReached").asBoolean()).isFalse();
            assertThat(free.get("best").get("key").asLong())
                    .isEqualTo(json(post(service, "{\"candidates\": 4}")).get("best").get("key").asLong());

            assertThat(get(service, "/metrics").body()).contains(
                    "noisesearch_deadlines_reached_total{algorithm=\"random\",model=\"gmm-image\"} 1.0");
        }
    }

    @Test
    void aDeadlineThatPassesInTheQueueIsRefusedWithoutRunningTheSearch() throws Exception {
        try (SearchService service = SearchService.start(engine, settings(1, 4, List.of("gmm-image")))) {
            awaitReady(service);
            CompletableFuture<HttpResponse<String>> late;
            try (Admission.Permit held = service.admission().enter(false)) {
                late = CompletableFuture.supplyAsync(() -> unchecked(() -> post(service,
                        "{\"candidates\": 4, \"deadlineMs\": 200}")));
                assertThat(service.admission().awaitQueued(1, 60, TimeUnit.SECONDS)).isTrue();
                // the deadline of 200 ms (far above gmm-image's minimal answer at admission) passes while the slot
                // is held
                Thread.sleep(400);
            }
            HttpResponse<String> answer = late.get(60, TimeUnit.SECONDS);
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
            assertThat(json(answer).get("reason").asText()).isEqualTo("deadline_exceeded");
            String metrics = get(service, "/metrics").body();
            assertThat(metrics).contains("noisesearch_rejections_total{reason=\"deadline_exceeded\"} 1.0");
            assertThat(metrics).doesNotContain("noisesearch_deadlines_reached_total");
            HttpResponse<String> next = post(service, "{\"candidates\": 2, \"deadlineMs\": 60000}");
            assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
        }
    }

    @Test
    void everyAnswerSaysWhereItsServerTimeWent() throws Exception {
        try (SearchService service = SearchService.start(engine, settings(1, 4, List.of("gmm-image")))) {
            awaitReady(service);
            List<String> spans = List.of("receive", "queue", "search", "handoff", "encode");
            HttpResponse<String> answer = post(service, "{\"candidates\": 4}");
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            Map<String, Double> timing = serverTiming(answer);
            assertThat(timing).containsOnlyKeys(concat(spans, "total"));
            assertThat(timing.values()).allSatisfy(ms -> assertThat(ms).isNotNegative());
            // consecutive spans from arrival to the answer written: their sum is the total, up to the rounding of each
            assertThat(spans.stream().mapToDouble(timing::get).sum())
                    .isCloseTo(timing.get("total"), org.assertj.core.data.Offset.offset(0.005));
            // A deadline search keeps time for its answer once an answer of its kind (model, sample format) was
            // timed: the first answer above; the reserve is no span of the sum.
            HttpResponse<String> timed = post(service, "{\"candidates\": 4, \"deadlineMs\": 60000}");
            assertThat(timed.statusCode()).as(timed.body()).isEqualTo(200);
            Map<String, Double> deadline = serverTiming(timed);
            assertThat(deadline).containsOnlyKeys(concat(spans, "reserve", "total"));
            assertThat(deadline.get("reserve")).isPositive();
            assertThat(spans.stream().mapToDouble(deadline::get).sum())
                    .isCloseTo(deadline.get("total"), org.assertj.core.data.Offset.offset(0.005));
            HttpResponse<String> png = post(service, "{\"candidates\": 4, \"deadlineMs\": 60000,"
                    + " \"sample\": \"png\"}");
            assertThat(png.statusCode()).as(png.body()).isEqualTo(200);
            assertThat(serverTiming(png)).as("no PNG answer was timed yet").containsOnlyKeys(concat(spans, "total"));
            HttpResponse<String> refused = post(service, "{\"candidates\": -1}");
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(serverTiming(refused)).containsOnlyKeys("total");
        }
    }

    private static List<String> concat(List<String> names, String... more) {
        return java.util.stream.Stream.concat(names.stream(), java.util.Arrays.stream(more)).toList();
    }

    /** The Server-Timing header's entries, name to milliseconds. */
    private static Map<String, Double> serverTiming(HttpResponse<String> response) {
        Map<String, Double> entries = new java.util.LinkedHashMap<>();
        for (String entry : response.headers().firstValue("Server-Timing").orElseThrow().split(",\\s*")) {
            String[] parts = entry.split(";dur=");
            entries.put(parts[0], Double.parseDouble(parts[1]));
        }
        return entries;
    }

    @Test
    void aClientThatDisconnectsCancelsItsRunningSearch() throws Exception {
        try (SearchService service = SearchService.start(engine, settings(1, 4, List.of("gmm-image")))) {
            awaitReady(service);
            try (Socket socket = sendAndKeepOpen(service, ENDLESS)) {
                await("the search runs", () -> service.admission().running() == 1);
            }
            await("the cancelled search gave its slot back", () -> service.admission().running() == 0);
            assertThat(get(service, "/metrics").body())
                    .contains("noisesearch_cancellations_total{reason=\"client_disconnected\"} 1.0");
            HttpResponse<String> next = post(service, "{\"candidates\": 2}");
            assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
        }
    }

    @Test
    void aClientThatDisconnectsWhileQueuedLeavesTheQueue() throws Exception {
        try (SearchService service = SearchService.start(engine, settings(1, 4, List.of("gmm-image")))) {
            awaitReady(service);
            try (Admission.Permit held = service.admission().enter(false)) {
                try (Socket socket = sendAndKeepOpen(service, "{\"candidates\": 2}")) {
                    assertThat(service.admission().awaitQueued(1, 60, TimeUnit.SECONDS)).isTrue();
                }
                await("the request left the queue", () -> service.admission().queued() == 0);
                assertThat(service.admission().running()).isEqualTo(1);
            }
            assertThat(get(service, "/metrics").body())
                    .contains("noisesearch_cancellations_total{reason=\"client_disconnected\"} 1.0");
        }
    }

    @Test
    void priorityHighQueuesAheadOfNormal() throws Exception {
        try (SearchService service = SearchService.start(engine, settings(1, 4, List.of("gmm-image")))) {
            awaitReady(service);
            List<CompletableFuture<HttpResponse<String>>> answers;
            try (Admission.Permit held = service.admission().enter(false)) {
                var normal = CompletableFuture.supplyAsync(() -> unchecked(() -> post(service,
                        "{\"candidates\": 2, \"priority\": \"normal\"}")));
                assertThat(service.admission().awaitQueued(1, 60, TimeUnit.SECONDS)).isTrue();
                var high = CompletableFuture.supplyAsync(() -> unchecked(() -> post(service,
                        "{\"candidates\": 2, \"priority\": \"high\"}")));
                assertThat(service.admission().awaitQueued(2, 60, TimeUnit.SECONDS)).isTrue();
                // Admission grants the high queue first (AdmissionTest): the field puts the request there.
                assertThat(service.admission().queuedHigh()).isEqualTo(1);
                answers = List.of(normal, high);
            }
            for (var answer : answers) {
                assertThat(answer.get(5, TimeUnit.MINUTES).statusCode()).isEqualTo(200);
            }
        }
    }

    @Test
    void theEndOfTheGracePeriodCancelsTheSearchesStillRunning() throws Exception {
        SearchService service = SearchService.start(engine, new SearchService.Settings("127.0.0.1", 0, 1, 4,
                Duration.ZERO, SearchService.DEFAULT_MAX_BODY_BYTES, List.of("gmm-image")));
        awaitReady(service);
        CompletableFuture<HttpResponse<String>> running =
                CompletableFuture.supplyAsync(() -> unchecked(() -> post(service, ENDLESS)));
        await("the search runs", () -> service.admission().running() == 1);
        service.close();
        HttpResponse<String> answer = running.get(5, TimeUnit.MINUTES);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
        assertThat(json(answer).get("reason").asText()).isEqualTo("shut_down");
        assertThat(service.admission().running()).isZero();
    }

    /**
     * Where the estimated minimal answer (gmm-image's Heun 10 final solve, 19 calls of one row, here injected at
     * 100 ms a call) does not fit in the time left, the request is refused with 503 deadline_unmeetable naming
     * deadlineMs: at admission, and when a queued request is taken up; counted by reason; the service stays healthy.
     */
    @Test
    void aDeadlineBelowTheEstimatedMinimalAnswerIsRefusedAtAdmissionAndWhenTakenUp() throws Exception {
        try (Engine own = Engine.open(Backends.open("host"), 1, 2,
                new ModelRepository(SearchServiceTest.trainedModels()));
             SearchService service = SearchService.start(own, settings(1, 4, List.of("gmm-image")))) {
            awaitReady(service);
            for (int i = 0; i < 64; i++) {
                own.callTimes().recordCall("gmm-image", 1, Duration.ofMillis(100).toNanos(), System.nanoTime());
            }
            HttpResponse<String> refused = post(service, "{\"candidates\": 4, \"deadlineMs\": 1000}");
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
            JsonNode error = json(refused);
            assertThat(error.get("reason").asText()).isEqualTo("deadline_unmeetable");
            assertThat(error.get("field").asText()).isEqualTo("deadlineMs");
            assertThat(error.get("message").asText()).startsWith("deadlineMs: ").contains("1900.0 ms estimated");

            // admitted with 4 s left, taken up once less than the 1.9 s of its minimal answer is left
            CompletableFuture<HttpResponse<String>> queued;
            try (Admission.Permit held = service.admission().enter(false)) {
                queued = CompletableFuture.supplyAsync(() -> unchecked(() -> post(service,
                        "{\"candidates\": 4, \"deadlineMs\": 4000}")));
                assertThat(service.admission().awaitQueued(1, 60, TimeUnit.SECONDS)).isTrue();
                Thread.sleep(2500);
            }
            HttpResponse<String> late = queued.get(60, TimeUnit.SECONDS);
            assertThat(late.statusCode()).as(late.body()).isEqualTo(503);
            assertThat(json(late).get("reason").asText()).isEqualTo("deadline_unmeetable");
            assertThat(json(late).get("field").asText()).isEqualTo("deadlineMs");

            String metrics = get(service, "/metrics").body();
            assertThat(metrics).contains("noisesearch_rejections_total{reason=\"deadline_unmeetable\"} 2.0");
            assertThat(own.callTimes().recorded("gmm-image", 4)).as("nothing ran").isZero();
            HttpResponse<String> next = post(service, "{\"candidates\": 2, \"deadlineMs\": 60000}");
            assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
            assertThat(get(service, "/healthz").statusCode()).isEqualTo(200);
        }
    }
}

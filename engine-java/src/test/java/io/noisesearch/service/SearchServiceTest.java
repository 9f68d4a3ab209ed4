package io.noisesearch.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.noisesearch.backend.Backends;
import io.noisesearch.engine.Engine;
import io.noisesearch.format.Json;
import io.noisesearch.format.PngWriter;
import io.noisesearch.model.ModelRepository;
import io.noisesearch.report.ResultDocument;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.search.Algorithms;
import io.noisesearch.search.BeamSearch;
import io.noisesearch.search.EvolutionSearch;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.SearchResult;
import io.noisesearch.search.StopRules;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The service in-process on a free port, on the host backend, asked over loopback HTTP. */
class SearchServiceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Engine engine;
    private static SearchService service;
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();

    @BeforeAll
    static void start() throws InterruptedException {
        engine = Engine.open(Backends.open("host"), 1, 1, new ModelRepository(trainedModels()));
        service = SearchService.start(engine, settings(2, 8, List.of("gmm-image")));
        awaitReady(service);
    }

    @AfterAll
    static void stop() {
        service.close();
        engine.close();
    }

    static SearchService.Settings settings(int concurrency, int queue, List<String> preload) {
        return new SearchService.Settings("127.0.0.1", 0, concurrency, queue, Duration.ofSeconds(60),
                SearchService.DEFAULT_MAX_BODY_BYTES, preload);
    }

    static void awaitReady(SearchService s) throws InterruptedException {
        for (int i = 0; i < 6000 && !s.ready(); i++) {
            Thread.sleep(10);
        }
        assertThat(s.ready()).as("ready after preloading").isTrue();
    }

    static Path trainedModels() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("tensorrt-plans/models"))) {
                return p.resolve("tensorrt-plans/models");
            }
        }
        throw new IllegalStateException("tensorrt-plans/models not found above " + Path.of("").toAbsolutePath());
    }

    static HttpResponse<String> post(SearchService s, String body) throws IOException, InterruptedException {
        return send(s, HttpRequest.newBuilder(uri(s, "/v1/search")).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    static HttpResponse<String> get(SearchService s, String path) throws IOException, InterruptedException {
        return send(s, HttpRequest.newBuilder(uri(s, path)).GET());
    }

    static HttpResponse<String> send(SearchService s, HttpRequest.Builder request)
            throws IOException, InterruptedException {
        return CLIENT.send(request.timeout(Duration.ofMinutes(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static URI uri(SearchService s, String path) {
        return URI.create("http://127.0.0.1:" + s.port() + path);
    }

    static JsonNode json(HttpResponse<String> response) throws IOException {
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        return JSON.readTree(response.body());
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "{bad                                          | 400 | invalid_request | ",
            "[1, 2]                                        | 400 | invalid_request | ",
            "`\"gmm-image\"`                               | 400 | invalid_request | ",
            "null                                          | 400 | invalid_request | ",
            "{} {}                                         | 400 | invalid_request | ",
            "{\"candidates\": \"16\"}                      | 400 | invalid_request | candidates",
            "{\"candidates\": 1.5}                         | 400 | invalid_request | candidates",
            "{\"candidates\": 99999999999}                 | 400 | invalid_request | candidates",
            "{\"candidates\": -1}                          | 400 | invalid_request | candidates",
            "{\"candidates\": 0}                           | 400 | invalid_request | candidates",
            "{\"candidates\": 2000000000}                  | 422 | limit_exceeded  | candidates",
            "{\"batchSize\": 2000000000}                   | 422 | limit_exceeded  | batchSize",
            "{\"batchSize\": 0}                            | 400 | invalid_request | batchSize",
            "{\"seed\": 1e30}                              | 400 | invalid_request | seed",
            "{\"seed\": true}                              | 400 | invalid_request | seed",
            "{\"budgetNfe\": -5}                           | 400 | invalid_request | budgetNfe",
            "{\"class\": 10}                               | 400 | invalid_request | class",
            "{\"class\": -1}                               | 400 | invalid_request | class",
            "{\"steps\": 0}                                | 400 | invalid_request | steps",
            "{\"searchSteps\": -3}                         | 400 | invalid_request | searchSteps",
            "{\"solver\": \"rk4\"}                         | 400 | invalid_request | solver",
            "{\"cfg\": 1e308}                              | 400 | invalid_request | cfg",
            "{\"algorithm\": \"zero-order\", \"cosine\": 2} | 400 | invalid_request | cosine",
            "{\"verifier\": true}                         | 400 | invalid_request | verifier",
            "{\"algorithm\": \"zero-order\", \"cosine\": 0.9, \"lambda\": 0.1} | 400 | invalid_request | lambda",
            "{\"algorithm\": \"annealing\"}                | 400 | invalid_request | algorithm",
            "{\"algorithm\": \"beam\", \"beamWidth\": 0}   | 400 | invalid_request | beamWidth",
            "{\"algorithm\": \"beam\", \"beamAt\": [0.4, 0.7]} | 400 | invalid_request | beamAt",
            "{\"algorithm\": \"beam\", \"beamMode\": \"wide\"} | 400 | invalid_request | beamMode",
            "{\"algorithm\": \"evolution\", \"population\": [0]} | 400 | invalid_request | population",
            "{\"algorithm\": \"beam\", \"beamExpand\": \"jump\"} | 400 | invalid_request | beamExpand",
            "{\"algorithm\": \"beam\", \"beamExpand\": \"step\"} | 400 | invalid_request | beamExpand",
            "{\"algorithm\": \"smc\", \"particles\": 0}  | 400 | invalid_request | particles",
            "{\"algorithm\": \"smc\", \"potential\": \"best\"} | 400 | invalid_request | potential",
            "{\"algorithm\": \"smc\", \"smcLambda\": -1} | 400 | invalid_request | smcLambda",
            "{\"algorithm\": \"smc\", \"resampling\": \"stratified\"} | 400 | invalid_request | resampling",
            "{\"algorithm\": \"smc\", \"resampleEvery\": 0} | 400 | invalid_request | resampleEvery",
            "{\"algorithm\": \"smc\", \"essThreshold\": 0} | 400 | invalid_request | essThreshold",
            "{\"algorithm\": \"smc\", \"essThreshold\": 1.5} | 400 | invalid_request | essThreshold",
            "{\"algorithm\": \"smc\", \"steerFrom\": 1.5} | 400 | invalid_request | steerFrom",
            "{\"algorithm\": \"smc\", \"steerFrom\": 0.3, \"steerTo\": 0.6} | 400 | invalid_request | steerTo",
            "{\"algorithm\": \"gradient\", \"gradientCosine\": 1} | 400 | invalid_request | gradientCosine",
            "{\"noiseScale\": 0.5}                       | 400 | invalid_request | noiseScale",
            "{\"solver\": \"euler-sde\", \"noiseScale\": -1} | 400 | invalid_request | noiseScale",
            "{\"solver\": \"heun\", \"eta\": 0.3}       | 400 | invalid_request | eta",
            "{\"model\": \"gmm-image-vp\", \"solver\": \"ddim\", \"eta\": 2} | 400 | invalid_request | eta",
            "{\"algorithm\": \"evolution\", \"elites\": 8} | 400 | invalid_request | elites",
            "{\"algorithm\": \"evolution\", \"evoAt\": [0.5, 0.7, 0.9]} | 400 | invalid_request | evoAt",
            "{\"algorithm\": \"evolution\", \"evoAt\": [null]} | 400 | invalid_request | evoAt",
            "{\"stopPatience\": 0}                        | 400 | invalid_request | stopPatience",
            "{\"stopMargin\": 0.5}                        | 400 | invalid_request | stopMargin",
            "{\"verifier\": \"ensemble:oracle,posterior\", \"stopAtScore\": 1} | 400 | invalid_request | stopAtScore",
            "{\"algorithm\": \"prune\", \"pruneAt\": [0.4, 0.7]} | 400 | invalid_request | pruneAt",
            "{\"pruneAt\": [0.5, \"x\"]}                   | 400 | invalid_request | pruneAt",
            "{\"pruneAt\": [0.5, null]}                    | 400 | invalid_request | pruneAt",
            "{\"pruneAt\": [[[[[[[[[0.5]]]]]]]]]}          | 400 | invalid_request | pruneAt",
            "{\"model\": \"nope\"}                         | 400 | unknown_model   | model",
            "{\"model\": \"../x\"}                         | 400 | unknown_model   | model",
            "{\"model\": \"/etc\"}                         | 400 | unknown_model   | model",
            "{\"model\": \"/etc/passwd\"}                  | 400 | unknown_model   | model",
            "{\"model\": \"mnist-flow-s/../mnist-eval\"}   | 400 | unknown_model   | model",
            "{\"model\": \"mnist-classifier\"}             | 400 | unknown_model   | model",
            "{\"model\": 3}                                | 400 | invalid_request | model",
            "{\"verifier\": \"nope\"}                      | 400 | invalid_request | verifier",
            "{\"verifier\": \"classifier\"}                | 400 | invalid_request | verifier",
            "{\"model\": \"mnist-flow-s\"}                 | 400 | invalid_request | verifier",
            "{\"verifier\": \"ensemble:oracle,ensemble:oracle\"} | 400 | invalid_request | verifier",
            "{\"verifier\": \"remote:http://127.0.0.1:9/s\"}   | 400 | invalid_request | verifier",
            "{\"verifier\": \"ensemble:oracle,remote:http://127.0.0.1:9/s\"} | 400 | invalid_request | verifier",
            "{\"verifier\": \"ensemble:oracle=2,posterior=0\"} | 400 | invalid_request | verifier",
            "{\"unknown\": 1}                              | 400 | invalid_request | unknown",
            "{\"Candidates\": 16}                          | 400 | invalid_request | Candidates",
            "{\"seed\": 1, \"seed\": 2}                    | 400 | invalid_request | seed",
            "{\"priority\": \"urgent\"}                    | 400 | invalid_request | priority",
            "{\"priority\": 1}                           | 400 | invalid_request | priority",
            "{\"deadlineMs\": 0}                         | 400 | invalid_request | deadlineMs",
            "{\"deadlineMs\": -200}                      | 400 | invalid_request | deadlineMs",
            "{\"deadlineMs\": 3600001}                   | 400 | invalid_request | deadlineMs",
            "{\"deadlineMs\": \"200\"}                   | 400 | invalid_request | deadlineMs",
            "{\"deadlineMs\": 2.5}                       | 400 | invalid_request | deadlineMs",
            "{\"sample\": \"jpeg\"}                        | 400 | invalid_request | sample",
            "{\"model\": \"gmm-2d\", \"sample\": \"png\"}  | 400 | invalid_request | sample",
    })
    void badRequestsGetA4xxNamingTheFieldAndLeaveTheServerHealthy(String body, int status, String reason,
                                                                 String field) throws Exception {
        HttpResponse<String> response = post(service, body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode error = json(response);
        assertThat(error.get("status").asInt()).isEqualTo(status);
        assertThat(error.get("reason").asText()).isEqualTo(reason);
        assertThat(error.path("field").asText(null)).isEqualTo(field);
        assertThat(error.get("message").asText()).isNotBlank().doesNotContain("\n").doesNotContain("Exception")
                .doesNotContain("at io.");
        assertThat(get(service, "/healthz").statusCode()).isEqualTo(200);
        assertThat(get(service, "/readyz").statusCode()).isEqualTo(200);
    }

    @Test
    void emptyAndOversizedBodiesAreRefused() throws Exception {
        assertThat(post(service, "").statusCode()).isEqualTo(400);
        String huge = "{\"model\": \"" + "x".repeat(SearchService.DEFAULT_MAX_BODY_BYTES) + "\"}";
        HttpResponse<String> declared = post(service, huge);
        assertThat(declared.statusCode()).isEqualTo(413);
        assertThat(json(declared).get("reason").asText()).isEqualTo("body_too_large");
        // Without a Content-Length (chunked), the bytes themselves are counted.
        HttpResponse<String> chunked = send(service, HttpRequest.newBuilder(uri(service, "/v1/search"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(huge.getBytes()))));
        assertThat(chunked.statusCode()).isEqualTo(413);
        // Under the body limit but over the string limit: still one clear 400.
        String longName = "{\"verifier\": \"" + "y".repeat(RequestReader.MAX_STRING + 1) + "\"}";
        assertThat(post(service, longName).statusCode()).isEqualTo(400);
        assertThat(get(service, "/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void unknownRoutesAndMethodsAreJsonErrors() throws Exception {
        HttpResponse<String> missing = get(service, "/v1/nothing");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(json(missing).get("reason").asText()).isEqualTo("not_found");
        HttpResponse<String> method = get(service, "/v1/search");
        assertThat(method.statusCode()).isEqualTo(405);
        assertThat(json(method).get("reason").asText()).isEqualTo("method_not_allowed");
    }

    @Test
    void beamEvolutionAndStoppingRulesAnswerTheEnginesResultDocument() throws Exception {
        HttpResponse<String> response = post(service, """
                {"model": "gmm-image", "class": 4, "algorithm": "beam", "beamWidth": 3, "beamChildren": 2,
                 "beamAt": [0.6, 0.3], "seed": 2, "stopPatience": 2, "stopMargin": 0.5}""");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        SearchRequest beam = SearchRequest.of("gmm-image", 4, new BeamSearch(3, 2, List.of(0.6, 0.3), 0.95, "bfs",
                Double.NaN), "oracle", 2).withStop(new StopRules(Double.NaN, 2, 0.5));
        assertThat(withoutTimes(json(response)))
                .isEqualTo(withoutTimes(JSON.readTree(Json.line(ResultDocument.of(beam, engine.search(beam))))));
        assertThat(json(response).path("stoppedBy").asText()).isIn("plateau", "completed");

        HttpResponse<String> evolved = post(service, """
                {"class": 1, "algorithm": "evolution", "population": [6, 4], "generations": 1, "elites": 2,
                 "evoCosineStart": 0.8, "seed": 3}""");
        assertThat(evolved.statusCode()).as(evolved.body()).isEqualTo(200);
        SearchRequest evolution = SearchRequest.of("gmm-image", 1, new EvolutionSearch(List.of(6, 4), 1, 2, 0.8,
                0.98), "oracle", 3);
        assertThat(withoutTimes(json(evolved))).isEqualTo(withoutTimes(JSON.readTree(Json.line(
                ResultDocument.of(evolution, engine.search(evolution))))));
    }

    /** Smc with every one of its fields and a noise scale: the service answers the command line's result.json. */
    @Test
    void anSmcRequestIsAnsweredAsTheCommandLineAnswersIt(@TempDir Path out) throws Exception {
        HttpResponse<String> response = post(service, """
                {"class": 3, "algorithm": "smc", "particles": 4, "potential": "max", "smcLambda": 0.5,
                 "resampling": "residual", "resampleEvery": 2, "essThreshold": 0.8, "steerFrom": 0.9, "steerTo": 0.1,
                 "solver": "euler-sde", "steps": 10, "noiseScale": 0.6, "seed": 7}""");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        int exit = io.noisesearch.cli.Main.commandLine().execute("search", "--device", "host", "--model", "gmm-image",
                "--class", "3", "--algorithm", "smc", "--particles", "4", "--potential", "max", "--smc-lambda", "0.5",
                "--resampling", "residual", "--resample-every", "2", "--ess-threshold", "0.8", "--steer-window",
                "0.9,0.1", "--solver", "euler-sde", "--steps", "10", "--noise-scale", "0.6", "--seed", "7",
                "--verifier", "oracle", "--out", out.toString());
        assertThat(exit).isZero();
        JsonNode cli = JSON.readTree(out.resolve("result.json").toFile());
        JsonNode answer = json(response);
        assertThat(answer.at("/solvers")).isEqualTo(cli.at("/solvers"));
        assertThat(answer.at("/parameters")).isEqualTo(cli.at("/parameters"));
        assertThat(withoutTimes(answer)).isEqualTo(withoutTimes(cli));

        HttpResponse<String> gradient = post(service, """
                {"class": 2, "algorithm": "gradient", "candidates": 2, "iterations": 2, "gradientCosine": 0.8,
                 "seed": 4}""");
        assertThat(gradient.statusCode()).as(gradient.body()).isEqualTo(200);
        SearchRequest request = SearchRequest.of("gmm-image", 2, new io.noisesearch.search.GradientSearch(2, 2, 0.8),
                "oracle", 4);
        assertThat(withoutTimes(json(gradient)))
                .isEqualTo(withoutTimes(JSON.readTree(Json.line(ResultDocument.of(request, engine.search(request))))));
    }

    @Test
    void theAnswerIsTheEnginesResultDocument() throws Exception {
        HttpResponse<String> response = post(service, """
                {"model": "gmm-image", "class": 3, "algorithm": "zero-order", "candidates": 6, "iterations": 2,
                 "lambda": 0.2, "steps": 6, "searchSteps": 4, "searchSolver": "euler", "budgetNfe": 40, "seed": 11,
                 "batchSize": 5, "priority": "high"}""");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        SearchRequest request = new SearchRequest("gmm-image", 3, Algorithms.create("zero-order",
                new Algorithms.Settings(6, 6, 2, Double.NaN, 0.2, 6, 2, 0.4, 0.05, 0.1, 2, List.of(0.7, 0.4), 4)),
                "oracle", new SolverSettings(SolverKind.EULER, 4), new SolverSettings(SolverKind.HEUN, 6),
                Double.NaN, 40, 11, 5);
        SearchResult expected = engine.search(request);
        assertThat(withoutTimes(json(response)))
                .isEqualTo(withoutTimes(JSON.readTree(Json.line(ResultDocument.of(request, expected)))));
    }

    @Test
    void defaultsAreTheCommandLinesAndTheSampleComesInlineOnRequest() throws Exception {
        HttpResponse<String> floats = post(service, "{\"class\": 2, \"seed\": 5, \"sample\": \"floats\"}");
        assertThat(floats.statusCode()).as(floats.body()).isEqualTo(200);
        SearchRequest request = new SearchRequest("gmm-image", 2, Algorithms.create("random",
                new Algorithms.Settings(16, 16, 4, 0.95, Double.NaN, 16, 2, 0.4, 0.05, 0.1, 2, List.of(0.7, 0.4), 4)),
                "oracle", null, null, Double.NaN, SearchRequest.UNLIMITED, 5, SearchRequest.DEFAULT_BATCH_SIZE);
        SearchResult expected = engine.search(request);
        JsonNode answer = json(floats);
        JsonNode sample = answer.get("sample");
        assertThat(sample.get("format").asText()).isEqualTo("floats");
        assertThat(JSON.convertValue(sample.get("shape"), int[].class)).containsExactly(1, 16, 16);
        assertThat(JSON.convertValue(sample.get("values"), float[].class)).containsExactly(expected.sample());
        ((ObjectNode) answer).remove("sample");
        assertThat(withoutTimes(answer))
                .isEqualTo(withoutTimes(JSON.readTree(Json.line(ResultDocument.of(request, expected)))));

        HttpResponse<String> png = post(service, "{\"class\": 2, \"seed\": 5, \"sample\": \"png\"}");
        assertThat(png.statusCode()).isEqualTo(200);
        JsonNode image = json(png).get("sample");
        assertThat(image.get("format").asText()).isEqualTo("png");
        assertThat(Base64.getDecoder().decode(image.get("base64").asText()))
                .isEqualTo(PngWriter.encode(expected.sample(), engine.model("gmm-image").info().layout(), 1));
    }

    @Test
    void pointModelsCarryTheirSampleInTheDocument() throws Exception {
        HttpResponse<String> response = post(service, "{\"model\": \"gmm-2d\", \"class\": 1, \"candidates\": 4}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(json(response).at("/best/sample").size()).isEqualTo(2);
    }

    @Test
    void modelsListsTheRegistryAndNoVerifierModels() throws Exception {
        JsonNode models = json(get(service, "/v1/models")).get("models");
        List<String> names = new ArrayList<>();
        models.forEach(m -> names.add(m.get("name").asText()));
        assertThat(names).contains("gmm-2d", "gmm-image", "gmm-image-vp", "mnist-flow-s")
                .doesNotContain("mnist-classifier", "mnist-eval");
        JsonNode image = models.get(names.indexOf("gmm-image"));
        assertThat(JSON.convertValue(image.get("shape"), int[].class)).containsExactly(1, 16, 16);
        assertThat(image.get("classes").asInt()).isEqualTo(10);
    }

    @Test
    void metricsAreExposedInPrometheusText() throws Exception {
        HttpResponse<String> searched = post(service, "{\"model\": \"gmm-image-vp\", \"candidates\": 3}");
        assertThat(searched.statusCode()).isEqualTo(200);
        long nfe = json(searched).at("/compute/totalNfe").asLong();
        assertThat(post(service, "{\"nope\": 1}").statusCode()).isEqualTo(400);
        HttpResponse<String> metrics = get(service, "/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.headers().firstValue("content-type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/plain"));
        String text = metrics.body();
        assertThat(text).contains("noisesearch_queue_depth ", "noisesearch_in_flight ",
                "noisesearch_search_latency_seconds_bucket{algorithm=\"random\",model=\"gmm-image-vp\"",
                "noisesearch_rejections_total{reason=\"invalid_request\"}", "noisesearch_queue_wait_seconds_bucket");
        assertThat(text).contains("noisesearch_search_nfe_total{algorithm=\"random\",model=\"gmm-image-vp\"} "
                + (double) nfe);
    }

    @Test
    void garbageCollectionPausesAreExposed() throws Exception {
        // A pause is reported by the JVM's notification after the collection: the meter appears once it is delivered.
        System.gc();
        String text = "";
        for (int i = 0; i < 600 && !text.contains("jvm_gc_pause_seconds_count{"); i++) {
            Thread.sleep(10);
            text = get(service, "/metrics").body();
        }
        assertThat(text).contains("jvm_gc_pause_seconds_count{", "jvm_gc_pause_seconds_sum{");
    }

    @Test
    void aBatchingEngineReportsRowsAndRequestsPerModelCall() throws Exception {
        try (Engine batching = Engine.open(Backends.open("host"), 1, 1, new ModelRepository(trainedModels()),
                io.noisesearch.batching.BatchingOptions.on(100, 64));
             SearchService s = SearchService.start(batching, settings(2, 8, List.of()))) {
            awaitReady(s);
            assertThat(post(s, "{\"model\": \"gmm-image\", \"candidates\": 4, \"batchSize\": 4}").statusCode())
                    .isEqualTo(200);
            String text = get(s, "/metrics").body();
            assertThat(text).contains("noisesearch_batching_enabled 1.0",
                    "noisesearch_batch_rows_bucket{model=\"gmm-image\",le=\"4.0\"}",
                    "noisesearch_batch_requests_count{model=\"gmm-image\"}");
        }
    }

    @Test
    void aFullQueueRefusesAtOnceWith429() throws Exception {
        try (SearchService small = SearchService.start(engine, settings(1, 1, List.of()))) {
            awaitReady(small);
            CompletableFuture<HttpResponse<String>> queued;
            try (Admission.Permit held = small.admission().enter(false)) {
                queued = CompletableFuture.supplyAsync(() -> unchecked(() -> post(small, "{\"candidates\": 2}")));
                assertThat(small.admission().awaitQueued(1, 60, TimeUnit.SECONDS)).isTrue();
                HttpResponse<String> refused = post(small, "{\"candidates\": 2, \"priority\": \"high\"}");
                assertThat(refused.statusCode()).isEqualTo(429);
                assertThat(json(refused).get("reason").asText()).isEqualTo("queue_full");
                assertThat(get(small, "/metrics").body()).contains("noisesearch_rejections_total{reason=\"queue_full\"} 1.0",
                        "noisesearch_queue_depth 1.0", "noisesearch_in_flight 1.0");
            }
            assertThat(queued.get(5, TimeUnit.MINUTES).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void closingDrainsFinishingAdmittedSearchesAndRefusingNewOnes() throws Exception {
        SearchService draining = SearchService.start(engine, settings(1, 4, List.of()));
        awaitReady(draining);
        CompletableFuture<HttpResponse<String>> queued;
        CompletableFuture<Void> closed;
        try (Admission.Permit held = draining.admission().enter(false)) {
            queued = CompletableFuture.supplyAsync(() -> unchecked(() -> post(draining, "{\"candidates\": 2}")));
            assertThat(draining.admission().awaitQueued(1, 60, TimeUnit.SECONDS)).isTrue();
            closed = CompletableFuture.runAsync(draining::close);
            for (int i = 0; i < 6000 && !draining.admission().draining(); i++) {
                Thread.sleep(10);
            }
            HttpResponse<String> ready = get(draining, "/readyz");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(json(ready).get("reason").asText()).isEqualTo("draining");
            HttpResponse<String> refused = post(draining, "{\"candidates\": 2}");
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(json(refused).get("reason").asText()).isEqualTo("draining");
            assertThat(get(draining, "/healthz").statusCode()).isEqualTo(200);
            assertThat(closed).isNotDone();
        }
        HttpResponse<String> finished = queued.get(5, TimeUnit.MINUTES);
        assertThat(finished.statusCode()).as(finished.body()).isEqualTo(200);
        assertThat(json(finished).get("model").asText()).isEqualTo("gmm-image");
        closed.get(5, TimeUnit.MINUTES);
    }

    @Test
    void theGracePeriodEndsWithTheQueuedSearchesRefused() throws Exception {
        SearchService impatient = SearchService.start(engine, new SearchService.Settings("127.0.0.1", 0, 1, 4,
                Duration.ZERO, SearchService.DEFAULT_MAX_BODY_BYTES, List.of()));
        awaitReady(impatient);
        try (Admission.Permit held = impatient.admission().enter(false)) {
            CompletableFuture<HttpResponse<String>> queued =
                    CompletableFuture.supplyAsync(() -> unchecked(() -> post(impatient, "{\"candidates\": 2}")));
            assertThat(impatient.admission().awaitQueued(1, 60, TimeUnit.SECONDS)).isTrue();
            impatient.close();
            HttpResponse<String> refused = queued.get(5, TimeUnit.MINUTES);
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(json(refused).get("reason").asText()).isEqualTo("shut_down");
        }
    }

    @Test
    void everyServedRouteIsInTheOpenApiDescriptionAndNoOther() throws IOException {
        Path file = trainedModels().getParent().getParent().resolve("docs/openapi.yaml");
        JsonNode api = new YAMLMapper().readTree(file.toFile());
        assertThat(api.get("openapi").asText()).startsWith("3.");
        List<String> described = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = api.get("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            path.getValue().fieldNames().forEachRemaining(method ->
                    described.add(method.toUpperCase(java.util.Locale.ROOT) + " " + path.getKey()));
        }
        assertThat(described).containsExactlyInAnyOrderElementsOf(SearchService.ROUTES);
        JsonNode properties = api.at("/components/schemas/SearchRequest/properties");
        List<String> fields = new ArrayList<>();
        properties.fieldNames().forEachRemaining(fields::add);
        List<String> bodyFields = new ArrayList<>();
        for (var component : SearchBody.class.getRecordComponents()) {
            var property = component.getAccessor().getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
            bodyFields.add(property != null ? property.value() : component.getName());
        }
        assertThat(fields).containsExactlyInAnyOrderElementsOf(bodyFields);
    }

    @Test
    void aModelThatCannotBeOpenedIsAGeneric500AndTheServerStaysHealthy(@TempDir Path models) throws Exception {
        Path broken = Files.createDirectories(models.resolve("mnist-flow-s"));
        Files.copy(trainedModels().resolve("mnist-flow-s/manifest.json"), broken.resolve("manifest.json"));
        Files.writeString(broken.resolve("model.onnx"), "not an ONNX model");
        try (Engine other = Engine.open(Backends.open("host"), 1, 1, new ModelRepository(models));
             SearchService s = SearchService.start(other, settings(1, 2, List.of()))) {
            awaitReady(s);
            HttpResponse<String> failed = post(s, "{\"model\": \"mnist-flow-s\", \"verifier\": \"classifier\"}");
            assertThat(failed.statusCode()).isEqualTo(500);
            JsonNode error = json(failed);
            assertThat(error.get("reason").asText()).isEqualTo("internal");
            assertThat(error.get("message").asText()).doesNotContain(models.toString()).doesNotContain("onnx")
                    .doesNotContain("Exception");
            assertThat(get(s, "/healthz").statusCode()).isEqualTo(200);
            assertThat(get(s, "/readyz").statusCode()).isEqualTo(200);
            assertThat(post(s, "{\"candidates\": 2}").statusCode()).isEqualTo(200);
            assertThat(get(s, "/metrics").body()).contains("noisesearch_rejections_total{reason=\"internal\"} 1.0");
        }
    }

    /** Wall times differ from run to run; everything else must be equal. */
    private static JsonNode withoutTimes(JsonNode document) {
        ObjectNode copy = document.deepCopy();
        ObjectNode compute = (ObjectNode) copy.get("compute");
        compute.remove(List.of("wallMillis", "searchMillis", "finalMillis"));
        return copy;
    }

    interface Call<T> {
        T call() throws Exception;
    }

    static <T> T unchecked(Call<T> call) {
        try {
            return call.call();
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }
}

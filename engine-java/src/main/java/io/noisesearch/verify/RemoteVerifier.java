package io.noisesearch.verify;

import com.fasterxml.jackson.databind.JsonNode;
import io.noisesearch.InvalidRequestException;
import io.noisesearch.Limit;
import io.noisesearch.NoiseSearchException;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import io.noisesearch.format.ImageLayout;
import io.noisesearch.format.Json;
import io.noisesearch.format.PngWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code remote:URL}: scores images on an HTTP endpoint (a VLM grader, a reward model behind an API). Each call POSTs
 * at most {@code maxBatch} candidates as PNG (base64) with their caption or class and reads one score per image back,
 * in order (the protocol: docs/remote-verifier.md). Timeouts, refused connections, 429 and 5xx answers are tried again after
 * a doubling pause; any other answer that is not 200 with exactly one finite number per image ends the search with
 * one line naming the endpoint and the fault. Its scores depend on the server, so its identity is null (never cached).
 */
public final class RemoteVerifier implements Verifier {

    public static final String PREFIX = "remote:";
    /** The protocol's name and version, sent with every request. */
    public static final String PROTOCOL = "noisesearch.remote-verifier.v1";

    public static final Limit TIMEOUT_MS = new Limit("noisesearch.remote.timeoutMs", 30_000, false);
    public static final Limit ATTEMPTS = new Limit("noisesearch.remote.attempts", 4, false);
    public static final Limit BACKOFF_MS = new Limit("noisesearch.remote.backoffMs", 500, false);
    public static final Limit MAX_BATCH = new Limit("noisesearch.remote.maxBatch", 32, false);
    /** An answer's body is read up to this size: a few numbers per image need far less. */
    static final long MAX_ANSWER_BYTES = 1 << 20;
    /** The bearer token sent in {@code Authorization} where this environment variable is set (never logged). */
    public static final String TOKEN_VARIABLE = "NOISESEARCH_REMOTE_TOKEN";

    /** How long to wait, how often to try, how many images a call carries: read from the properties when built. */
    public record Settings(Duration timeout, int attempts, Duration backoff, int maxBatch, String token) {

        public static Settings current() {
            return new Settings(Duration.ofMillis(TIMEOUT_MS.value()), (int) Math.min(ATTEMPTS.value(), 100),
                    Duration.ofMillis(BACKOFF_MS.value()), (int) Math.min(MAX_BATCH.value(), 1 << 16),
                    System.getenv(TOKEN_VARIABLE));
        }
    }

    /** One client for every remote verifier of the process: its selector thread and connections are shared. */
    private static final class Client {
        static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    }

    private final URI endpoint;
    private final ImageAccess images;
    private final String model;
    private final Settings settings;

    public RemoteVerifier(URI endpoint, ImageAccess images, String model, Settings settings) {
        this.endpoint = endpoint;
        this.images = images;
        this.model = model;
        this.settings = settings;
        if (!images.layout().isImage() || images.layout().channels() != 1 && images.layout().channels() != 3) {
            throw new InvalidRequestException("--verifier " + name() + ": model " + model + " makes no 1- or 3-channel"
                    + " images to send");
        }
    }

    /**
     * The endpoint of {@code remote:URL}: an absolute http or https URL with a host and no user information (a token
     * goes in {@value #TOKEN_VARIABLE}, so that it never appears in result.json).
     */
    public static URI endpoint(String spec) {
        String text = spec.substring(PREFIX.length());
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new InvalidRequestException("--verifier " + spec + ": not a URL (" + e.getReason() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new InvalidRequestException("--verifier " + spec + ": only http:// and https:// URLs are supported");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new InvalidRequestException("--verifier " + spec + ": the URL has no host");
        }
        if (uri.getRawUserInfo() != null) {
            throw new InvalidRequestException("--verifier " + spec.replace(uri.getRawUserInfo() + "@", "") + ": the URL"
                    + " carries user information; put a token in " + TOKEN_VARIABLE + " instead");
        }
        if (uri.getRawFragment() != null) {
            throw new InvalidRequestException("--verifier " + spec + ": the URL has a fragment (#...)");
        }
        return uri;
    }

    @Override
    public String name() {
        return PREFIX + endpoint;
    }

    /** Its scores are the server's, which may change between runs: never cached. */
    @Override
    public String identity() {
        return null;
    }

    /** The server's compute is not known to the engine. */
    @Override
    public long flopsPerSample() {
        return 0;
    }

    @Override
    public void score(Kernels kernels, VerifierInput input, float[][] out, int offset) {
        Batch samples = input.samples();
        float[] pixels = images.backend().download(kernels, samples);
        int dim = images.layout().dim();
        if (samples.dim() != dim) {
            throw new IllegalStateException("remote verifier: rows of " + samples.dim() + " values, images of " + dim);
        }
        for (int first = 0; first < samples.rows(); first += settings.maxBatch()) {
            int count = Math.min(settings.maxBatch(), samples.rows() - first);
            String body = request(pixels, dim, first, count, offset, input);
            float[] scores = post(body, count, offset + first);
            System.arraycopy(scores, 0, out[0], offset + first, count);
        }
    }

    /** The JSON of one call: candidates {@code first .. first + count - 1} of the batch. */
    private String request(float[] pixels, int dim, int first, int count, int offset, VerifierInput input) {
        List<Map<String, Object>> candidates = new ArrayList<>(count);
        for (int r = first; r < first + count; r++) {
            Map<String, Object> candidate = new LinkedHashMap<>();
            candidate.put("id", offset + r);
            candidate.put("image", png(Arrays.copyOfRange(pixels, r * dim, (r + 1) * dim)));
            candidates.add(candidate);
        }
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("protocol", PROTOCOL);
        request.put("model", model);
        request.put("prompt", input.prompt());
        request.put("class", input.prompt() == null ? input.label() : null);
        request.put("width", images.layout().width());
        request.put("height", images.layout().height());
        request.put("candidates", candidates);
        return Json.line(request);
    }

    private String png(float[] image) {
        try {
            return Base64.getEncoder().encodeToString(PngWriter.encode(image, images.layout(), 1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends one call, trying again after a pause where the fault may pass; the scores of its {@code count} images. */
    private float[] post(String body, int count, int firstId) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(endpoint).timeout(settings.timeout())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (settings.token() != null && !settings.token().isEmpty()) {
            builder.header("Authorization", "Bearer " + settings.token());
        }
        HttpRequest request = builder.build();
        String fault = null;
        for (int attempt = 1; attempt <= settings.attempts(); attempt++) {
            if (attempt > 1) {
                pause(settings.backoff().multipliedBy(1L << Math.min(attempt - 2, 20)));
            }
            HttpResponse<byte[]> response;
            try {
                response = send(request);
            } catch (TimeoutException e) {
                fault = "no answer within " + settings.timeout().toMillis() + " ms (-D" + TIMEOUT_MS.property() + ")";
                continue;
            } catch (IOException e) {
                if (tooLarge(e)) {
                    throw failure("the answer is larger than " + Limit.bytes(MAX_ANSWER_BYTES));
                }
                fault = "cannot reach it (" + e.getClass().getSimpleName() + ")";
                continue;
            }
            int status = response.statusCode();
            if (status == 429 || status >= 500) {
                fault = "HTTP " + status;
                continue;
            }
            if (status != 200) {
                throw failure("HTTP " + status + " (not tried again: the server refused the request)");
            }
            return scores(response.body(), count, firstId);
        }
        throw failure(fault + (settings.attempts() > 1 ? " on each of " + settings.attempts() + " attempts (-D"
                + ATTEMPTS.property() + ")" : ""));
    }

    /** One exchange, bounded in time as a whole (the request's timeout covers only the wait for the headers). */
    private HttpResponse<byte[]> send(HttpRequest request) throws IOException, TimeoutException {
        CompletableFuture<HttpResponse<byte[]>> exchange = Client.HTTP.sendAsync(request,
                HttpResponse.BodyHandlers.limiting(HttpResponse.BodyHandlers.ofByteArray(), MAX_ANSWER_BYTES));
        try {
            return exchange.get(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting for " + name());
        } catch (TimeoutException e) {
            exchange.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof java.net.http.HttpTimeoutException timeout) {
                TimeoutException t = new TimeoutException(timeout.getMessage());
                t.initCause(timeout);
                throw t;
            }
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException(cause);
        }
    }

    private static boolean tooLarge(IOException e) {
        return e.getMessage() != null && e.getMessage().toLowerCase(Locale.ROOT).contains("exceed");
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while waiting to try the remote verifier again");
        }
    }

    /** The answer's scores: a JSON object whose {@code scores} holds one finite number per image, in order. */
    private float[] scores(byte[] body, int count, int firstId) {
        JsonNode answer;
        try {
            answer = Json.parse(new String(body, StandardCharsets.UTF_8), JsonNode.class);
        } catch (IOException e) {
            throw failure("the answer is not JSON");
        }
        if (answer == null || !answer.isObject() || !answer.path("scores").isArray()) {
            throw failure("the answer is not a JSON object with a 'scores' array");
        }
        JsonNode scores = answer.get("scores");
        if (scores.size() != count) {
            throw failure("'scores' holds " + scores.size() + " values for " + count + " images");
        }
        JsonNode ids = answer.get("ids");
        if (ids != null && !ids.isNull()) {
            for (int i = 0; i < count; i++) {
                if (!ids.isArray() || ids.size() != count || !ids.get(i).canConvertToLong()
                        || ids.get(i).asLong() != firstId + i) {
                    throw failure("'ids' is not the request's candidate ids in order");
                }
            }
        }
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            JsonNode score = scores.get(i);
            float value = score.isNumber() ? (float) score.doubleValue() : Float.NaN;
            if (!Float.isFinite(value)) {
                throw failure("score " + i + " (candidate " + (firstId + i) + ") is not a finite number");
            }
            out[i] = value;
        }
        return out;
    }

    private NoiseSearchException failure(String what) {
        return new RemoteVerifierException("verifier " + name() + ": " + what);
    }

    /** A remote verifier's failure: the server's or the network's, not the request's (exit code 1). */
    public static final class RemoteVerifierException extends NoiseSearchException {
        RemoteVerifierException(String message) {
            super(message, false);
        }
    }
}

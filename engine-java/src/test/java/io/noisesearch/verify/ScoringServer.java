package io.noisesearch.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The other end of {@code remote:URL} in tests: the JDK's HTTP server on a free loopback port, whose {@code /score}
 * records every request body in order, counts the calls and answers each with the test's handler.
 */
public final class ScoringServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The test's answer to call {@code call} (0 first) of request body {@code request}. */
    public interface Handler {
        void answer(HttpExchange exchange, int call, JsonNode request) throws IOException, InterruptedException;
    }

    private final HttpServer server;
    private final ExecutorService threads;
    private final List<JsonNode> requests = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger calls = new AtomicInteger();
    private volatile Handler handler;

    private ScoringServer(Handler handler, boolean concurrent) throws IOException {
        this.handler = handler;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/score", exchange -> {
            try (exchange) {
                JsonNode request = JSON.readTree(exchange.getRequestBody());
                requests.add(request);
                this.handler.answer(exchange, calls.getAndIncrement(), request);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        // Concurrent: a call that waits (timeouts, retries) does not hold back the next one.
        threads = concurrent ? Executors.newCachedThreadPool() : null;
        server.setExecutor(threads);
        server.start();
    }

    /** A server that answers one call at a time. */
    public static ScoringServer start(Handler handler) throws IOException {
        return new ScoringServer(handler, false);
    }

    /** A server that answers each call on a thread of its own. */
    public static ScoringServer startConcurrent(Handler handler) throws IOException {
        return new ScoringServer(handler, true);
    }

    /** Answers the calls from now on with {@code next}. */
    public void answerWith(Handler next) {
        handler = next;
    }

    /** {@code http://127.0.0.1:PORT/score}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/score";
    }

    /** The request bodies received so far, in order. */
    public List<JsonNode> requests() {
        return requests;
    }

    /** The calls answered (or being answered) so far; tests may reset it. */
    public AtomicInteger calls() {
        return calls;
    }

    /** Answers a call with {@code status} and a JSON body (none when empty). */
    public static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Answers a call with 200 and {@code {"scores": [...]}} of the given scores in order. */
    public static void sendScores(HttpExchange exchange, List<String> scores) throws IOException {
        send(exchange, 200, "{\"scores\": [" + String.join(",", scores) + "]}");
    }

    /** Stops listening at once; the server can not be started again. */
    @Override
    public void close() {
        server.stop(0);
        if (threads != null) {
            threads.shutdownNow();
        }
    }
}

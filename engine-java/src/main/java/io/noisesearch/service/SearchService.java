package io.noisesearch.service;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.noisesearch.LimitExceededException;
import io.noisesearch.NoiseSearchException;
import io.noisesearch.engine.Engine;
import io.noisesearch.format.Json;
import io.noisesearch.format.PngWriter;
import io.noisesearch.model.BuiltinModels;
import io.noisesearch.model.ModelInfo;
import io.noisesearch.model.ModelManifest;
import io.noisesearch.report.ResultDocument;
import io.noisesearch.search.DeadlineExceededException;
import io.noisesearch.search.DeadlineUnmeetableException;
import io.noisesearch.search.SearchControl;
import io.noisesearch.search.SearchResult;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The HTTP search service around one {@link Engine} (Javalin on virtual threads): {@code POST /v1/search} answers
 * with result.json's content (and the sample inline on request), {@code GET /v1/models}, {@code /healthz},
 * {@code /readyz} (ready once the preloaded models are open, not while draining) and {@code /metrics}
 * (Prometheus text). Searches are admitted by {@link Admission} and run on a fixed pool of platform threads, one
 * per concurrent search; a request's deadline counts from its arrival (Jetty's first byte of it), queue wait included,
 * and its search keeps the recent answers' time from search end to answer written free before it ({@link AnswerTimes});
 * a request whose time left is below the estimated cost of its minimal answer (the engine's call times) is refused at
 * admission and when taken up (503 deadline_unmeetable).
 * A search whose client
 * closes the connection is cancelled ({@link ConnectionWatch}); close drains: new searches are refused with 503 while
 * the admitted ones finish within the grace period, then the ones still running are cancelled. The service does not
 * own the engine.
 */
public final class SearchService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SearchService.class);

    /** Every route served, as "METHOD path"; docs/openapi.yaml describes each. */
    public static final List<String> ROUTES = List.of("POST /v1/search", "GET /v1/models", "GET /healthz",
            "GET /readyz", "GET /metrics");

    /** The default body limit: a search request is a few hundred bytes. */
    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;
    /** Cancellation reasons, the label of the cancellation metric. */
    static final String CLIENT_DISCONNECTED = "client_disconnected";
    static final String SHUTDOWN = "shutdown";
    /** How long close waits for the searches it cancelled to reach a batch boundary and answer. */
    private static final Duration CANCELLED_ANSWERS = Duration.ofSeconds(10);
    /** PNG samples are sent at their own size: clients scale them as they like. */
    static final int PNG_SCALE = 1;

    /**
     * @param concurrency  searches that run at once
     * @param queue        searches that may wait for a slot; more are refused at once (429)
     * @param grace        how long close waits for admitted searches
     * @param maxBodyBytes the largest request body accepted (413 beyond)
     * @param preload      models opened before the service reports ready
     */
    public record Settings(String host, int port, int concurrency, int queue, Duration grace, int maxBodyBytes,
                           List<String> preload) {
    }

    /** One model of {@code GET /v1/models}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ModelEntry(String name, String source, int classes, int[] shape, String prediction, String schedule,
                      String defaultSolver, int defaultSteps, Double defaultGuidance) {
    }

    private final Engine engine;
    private final Settings settings;
    private final Map<String, ModelInfo> models;
    private final Admission admission;
    private final ServiceMetrics metrics;
    private final RequestReader reader = new RequestReader();
    private final ExecutorService searches;
    private final Javalin app;
    /** Search exchanges between arrival and the last byte of their answer; draining waits for them. */
    private final AtomicInteger exchanges = new AtomicInteger();
    /** The controls of the searches admitted or queued: cancelled when the grace period of a shutdown ends. */
    private final Set<SearchControl> controls = ConcurrentHashMap.newKeySet();
    private final ConnectionWatch connections = new ConnectionWatch();
    private final AtomicLong requestIds = new AtomicLong();
    private final AnswerTimes answerTimes = new AnswerTimes();
    private volatile boolean ready;
    private volatile String notReadyReason = "loading models";
    private boolean closed;

    private SearchService(Engine engine, Settings settings) {
        this.engine = engine;
        this.settings = settings;
        this.models = servedModels(engine);
        for (String name : settings.preload()) {
            if (!models.containsKey(name)) {
                throw new IllegalArgumentException("--preload: unknown model '" + name + "' (served: "
                        + models.keySet() + ")");
            }
        }
        this.admission = new Admission(settings.concurrency(), settings.queue());
        this.metrics = new ServiceMetrics(admission, engine.batching());
        engine.batchListener(metrics::modelCall);
        this.searches = Executors.newFixedThreadPool(settings.concurrency(), runnable -> {
            Thread thread = new Thread(runnable, "noisesearch-search");
            thread.setDaemon(true);
            return thread;
        });
        this.app = Javalin.create(config -> {
            config.concurrency.useVirtualThreads = true;
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.maxRequestSize = settings.maxBodyBytes();
            config.http.prefer405over404 = true;
            config.jetty.host = settings.host();
            config.jetty.port = settings.port();
            config.routes.post("/v1/search", this::search);
            config.routes.get("/v1/models", ctx -> json(ctx, 200, Map.of("models", modelEntries())));
            config.routes.get("/healthz", ctx -> json(ctx, 200, Map.of("status", "ok")));
            config.routes.get("/readyz", this::readiness);
            config.routes.get("/metrics", ctx -> {
                ctx.contentType("text/plain; version=0.0.4; charset=utf-8");
                ctx.result(metrics.scrape());
            });
            config.routes.error(404, route(404, "not_found", "no such route"));
            config.routes.error(405, route(405, "method_not_allowed", "method not allowed on this route"));
            config.routes.exception(Exception.class, (error, ctx) -> {
                LOG.error("internal error on {} {}", ctx.method(), ctx.path(), error);
                json(ctx, 500, new ServiceError(500, "internal", null, "internal error").body());
            });
        });
    }

    /**
     * Starts the service on the engine: listening at once ({@code /healthz} answers), ready once the models of
     * {@code settings.preload()} are open (opened on a thread of their own).
     */
    public static SearchService start(Engine engine, Settings settings) {
        SearchService service = new SearchService(engine, settings);
        service.app.start();
        Thread.ofPlatform().name("noisesearch-preload").daemon().start(service::preload);
        return service;
    }

    /** The port listened on (the free one chosen where port 0 was asked for). */
    public int port() {
        return app.port();
    }

    public String host() {
        return settings.host();
    }

    public boolean ready() {
        return ready;
    }

    Admission admission() {
        return admission;
    }

    private void preload() {
        try {
            for (String name : settings.preload()) {
                engine.model(name);
            }
            ready = true;
            notReadyReason = null;
            LOG.info("ready: models {} open", settings.preload());
        } catch (RuntimeException e) {
            notReadyReason = "a model failed to open";
            LOG.error("preloading models failed; the service stays not ready", e);
        }
    }

    /** The built-in mixtures and the repository's trained denoisers (other trained models are verifiers). */
    private static Map<String, ModelInfo> servedModels(Engine engine) {
        Map<String, ModelInfo> served = new LinkedHashMap<>();
        for (String name : BuiltinModels.NAMES) {
            served.put(name, BuiltinModels.info(name));
        }
        for (String name : engine.repository().available()) {
            Path folder = engine.repository().root().resolve(name);
            try {
                ModelManifest manifest = ModelManifest.read(folder);
                if (manifest.role().equals("denoiser")) {
                    served.put(name, ModelInfo.of(manifest, folder));
                }
            } catch (RuntimeException e) {
                LOG.warn("model {} is not served: {}", name, e.getMessage());
            }
        }
        return served;
    }

    private List<ModelEntry> modelEntries() {
        return models.entrySet().stream().map(e -> {
            ModelInfo info = e.getValue();
            return new ModelEntry(e.getKey(), BuiltinModels.isBuiltin(e.getKey()) ? "builtin" : "trained",
                    info.classes(), new int[] {info.channels(), info.height(), info.width()},
                    info.prediction().name().toLowerCase(java.util.Locale.ROOT),
                    info.schedule().getClass().getSimpleName(), info.defaultSolver().kind().id(),
                    info.defaultSolver().steps(),
                    Double.isNaN(info.defaultGuidance()) ? null : info.defaultGuidance());
        }).toList();
    }

    private void readiness(Context ctx) {
        if (ready && !admission.draining()) {
            json(ctx, 200, Map.of("status", "ready"));
        } else {
            String why = admission.draining() ? "draining" : notReadyReason;
            json(ctx, 503, Map.of("status", "not ready", "reason", why));
        }
    }

    private void search(Context ctx) throws IOException {
        exchanges.incrementAndGet();
        try {
            String answer;
            int status = 200;
            String reason = null;
            Exchange exchange = new Exchange(arrival(ctx));
            try {
                answer = answer(ctx, exchange);
            } catch (ServiceError e) {
                status = e.status();
                reason = e.body().reason();
                answer = Json.line(e.body());
            }
            metrics.answered(status, reason);
            if (!exchange.gone()) {
                ctx.res().setHeader("Server-Timing", exchange.timing(System.nanoTime()));
                write(ctx, status, answer, exchange.closeAfter);
                if (status == 200 && exchange.kind != null) {
                    long written = System.nanoTime();
                    answerTimes.record(exchange.kind, written - exchange.searched, written);
                }
            }
        } finally {
            exchanges.decrementAndGet();
        }
    }

    /** When Jetty began to receive the request (the JVM's clock), else now. */
    private static long arrival(Context ctx) {
        ServletContextRequest request = ServletContextRequest.getServletContextRequest(ctx.req());
        long begin = request == null ? 0 : request.getBeginNanoTime();
        long now = System.nanoTime();
        return begin != 0 && begin - now <= 0 ? begin : now;
    }

    /**
     * One search exchange's hold on its handler thread: a client that disconnects while the request waits in the
     * queue interrupts the wait (it leaves the queue at once); one that disconnects while it runs cancels it.
     */
    private static final class Exchange {
        private final Thread handler = Thread.currentThread();
        private boolean queued;
        /** The client closed the connection: nobody reads an answer. */
        private boolean gone;
        /** Bytes of a next request were read while watching: the connection closes after the answer. */
        private boolean closeAfter;
        /** The answer's kind for {@link AnswerTimes} (model and sample format); null until the request is checked. */
        private String kind;
        /** The time the search kept free for its answer (ns; 0 without a deadline). */
        private long reserved;
        /**
         * On the JVM's clock: arrival, the request read and checked (its search's control made), the search's start
         * on its thread and its end, the result back on the handler thread and the answer encoded (0: not reached).
         */
        private final long arrived;
        private long checked;
        private volatile long began;
        private volatile long searched;
        private long resumed;
        private long encoded;

        Exchange(long arrived) {
            this.arrived = arrived;
        }

        /**
         * The Server-Timing header of the answer (ms). Consecutive spans from arrival: "receive" (Jetty's hand-off to
         * the handler, the body read and checked), "queue" (a slot and a search thread), "search", "handoff" (the
         * result back on the handler thread), "encode" (the answer's JSON and sample); "total" from arrival until the
         * answer is written, so a client's latency less "total" is the transport's. "reserve", on a deadline search,
         * is not a span: the time the search kept free before the deadline for the answer.
         */
        String timing(long now) {
            StringBuilder timing = new StringBuilder();
            if (began != 0 && searched != 0) {
                timing.append(entry("receive", checked - arrived)).append(", ").append(entry("queue", began - checked))
                        .append(", ").append(entry("search", searched - began)).append(", ");
                if (encoded != 0) {
                    timing.append(entry("handoff", resumed - searched)).append(", ")
                            .append(entry("encode", now - resumed)).append(", ");
                } else {
                    timing.append(entry("handoff", now - searched)).append(", ");
                }
                if (reserved != 0) {
                    timing.append(entry("reserve", reserved)).append(", ");
                }
            }
            return timing.append(entry("total", now - arrived)).toString();
        }

        private static String entry(String name, long nanos) {
            return String.format(java.util.Locale.ROOT, "%s;dur=%.3f", name, nanos / 1e6);
        }

        synchronized void queued(boolean waiting) {
            queued = waiting;
        }

        synchronized boolean gone() {
            return gone;
        }

        synchronized void disconnected(SearchControl control) {
            gone = true;
            control.cancel(CLIENT_DISCONNECTED);
            if (queued) {
                handler.interrupt();
            }
        }
    }

    /** The answer of one search request, or the ServiceError that says why there is none. */
    private String answer(Context ctx, Exchange exchange) {
        if (admission.draining()) {
            throw refusal(Admission.Refusal.DRAINING);
        }
        if (!ready) {
            throw new ServiceError(503, "not_ready", null, "not ready: " + notReadyReason);
        }
        SearchBody body = reader.read(body(ctx));
        SearchRequests.Checked checked;
        try {
            checked = SearchRequests.check(body, List.copyOf(models.keySet()), models::get);
        } catch (ServiceError e) {
            throw e;
        } catch (RuntimeException e) {
            throw engineError(e);
        }
        openModel(checked.request().model());
        exchange.kind = checked.request().model() + "/" + checked.sample();
        exchange.reserved = checked.request().deadline() == null ? 0 : answerTimes.estimate(exchange.kind,
                System.nanoTime());
        exchange.checked = System.nanoTime();
        SearchControl control = SearchControl.startingAt(exchange.arrived, checked.request().deadline(),
                exchange.reserved, System::nanoTime).withEstimates(engine.callTimes());
        refuseUnmeetable(checked, control);
        controls.add(control);
        ConnectionWatch.Watched watched = connections.watch(ctx, () -> exchange.disconnected(control));
        try {
            return admitted(checked, control, exchange);
        } finally {
            controls.remove(control);
            if (watched != null) {
                exchange.closeAfter = watched.end();
            }
        }
    }

    /**
     * Refuses a deadline request whose time left is already below the estimated cost of its minimal answer (the engine
     * checks again when it is taken up from the queue): 503 deadline_unmeetable, nothing queued or run.
     */
    private void refuseUnmeetable(SearchRequests.Checked checked, SearchControl control) {
        if (!control.hasDeadline()) {
            return;
        }
        long minimal = engine.minimalAnswerNanos(checked.request(), control);
        long calls = checked.request().finalSolver() != null ? checked.request().finalSolver().fullNfe()
                : checked.info().defaultSolver().fullNfe();
        try {
            control.throwIfUnmeetable(minimal, Engine.minimalAnswer(calls));
        } catch (DeadlineUnmeetableException e) {
            throw unmeetable(e);
        }
    }

    private static ServiceError unmeetable(DeadlineUnmeetableException e) {
        return ServiceError.fromEngine(503, "deadline_unmeetable", e.getMessage());
    }

    /** Waits for a slot, then runs the search under its control. */
    private String admitted(SearchRequests.Checked checked, SearchControl control, Exchange exchange) {
        long queuedAt = System.nanoTime();
        Admission.Permit permit;
        exchange.queued(true);
        try {
            permit = admission.enter(checked.priority() == SearchRequests.Priority.HIGH);
        } catch (Admission.Refused e) {
            throw refusal(e.refusal);
        } catch (InterruptedException e) {
            throw cancelledOr(control, () -> new ServiceError(503, "shut_down", null, "the service is shutting down"));
        } finally {
            exchange.queued(false);
        }
        try (permit) {
            // A disconnect that interrupted after the slot was granted leaves only the flag behind.
            if (control.cancelled()) {
                Thread.interrupted();
            }
            long startedAt = System.nanoTime();
            metrics.queueWait(Duration.ofNanos(startedAt - queuedAt));
            SearchResult result = run(checked, control, exchange);
            exchange.resumed = System.nanoTime();
            metrics.searched(checked.request().model(), result.algorithm(),
                    Duration.ofNanos(exchange.resumed - startedAt), result.compute(), result.deadlineReached());
            String document = document(checked, result);
            exchange.encoded = System.nanoTime();
            return document;
        } catch (InterruptedException e) {
            throw cancelledOr(control, () -> new ServiceError(503, "shut_down", null, "the service is shutting down"));
        }
    }

    /**
     * The answer of a search its control cancelled (counted by reason), else {@code otherwise}'s (made only then: an
     * engine error is logged as internal when made).
     */
    private ServiceError cancelledOr(SearchControl control, java.util.function.Supplier<ServiceError> otherwise) {
        String reason = control.cancelReason();
        if (reason == null) {
            Thread.currentThread().interrupt();
            return otherwise.get();
        }
        metrics.cancelled(reason);
        if (reason.equals(SHUTDOWN)) {
            return new ServiceError(503, "shut_down", null, "the service shut down before this search could finish");
        }
        return new ServiceError(503, "cancelled", null, "the search was cancelled: " + reason);
    }

    /**
     * Opens the model (once; later calls find it open). A served model that cannot be opened is the server's fault,
     * not the client's: a 500, its cause logged.
     */
    private void openModel(String name) {
        try {
            engine.model(name);
        } catch (RuntimeException e) {
            long id = requestIds.incrementAndGet();
            LOG.error("model {} could not be opened (search {})", name, id, e);
            throw new ServiceError(500, "internal", null, "internal error: model " + name
                    + " could not be opened (logged as search " + id + ")");
        }
    }

    /** Runs the search on a search thread (native work stays off the virtual threads' carriers). */
    private SearchResult run(SearchRequests.Checked checked, SearchControl control, Exchange exchange)
            throws InterruptedException {
        Future<SearchResult> future = searches.submit(() -> {
            exchange.began = System.nanoTime();
            try {
                return engine.search(checked.request(), control);
            } finally {
                exchange.searched = System.nanoTime();
            }
        });
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CancellationException) {
                throw cancelledOr(control, () -> engineError(e.getCause()));
            }
            if (e.getCause() instanceof DeadlineUnmeetableException unmeetable) {
                // Too little time left once taken up from the queue: refused as at admission.
                throw unmeetable(unmeetable);
            }
            if (e.getCause() instanceof DeadlineExceededException) {
                // Its time went in the queue: a deliberate refusal, not the client's fault nor an internal one.
                throw new ServiceError(503, "deadline_exceeded", null, "the deadline passed while the search waited"
                        + " for a slot: nothing was run");
            }
            throw engineError(e.getCause());
        }
    }

    /** The engine's verdict on a request as a status: the caller's fault is 4xx, anything else a generic 500. */
    private ServiceError engineError(Throwable error) {
        if (error instanceof LimitExceededException) {
            return ServiceError.fromEngine(422, "limit_exceeded", error.getMessage());
        }
        if (error instanceof NoiseSearchException e && e.isUserError() || error instanceof IllegalArgumentException) {
            return ServiceError.fromEngine(400, "invalid_request", error.getMessage());
        }
        long id = requestIds.incrementAndGet();
        LOG.error("internal error in search {}", id, error);
        return new ServiceError(500, "internal", null, "internal error (logged as search " + id + ")");
    }

    private static ServiceError refusal(Admission.Refusal refusal) {
        String message = switch (refusal) {
            case QUEUE_FULL -> "the queue is full: retry later";
            case DRAINING -> "the service is draining: no new searches";
            case SHUT_DOWN -> "the service shut down before this search could start";
        };
        return new ServiceError(refusal.status, refusal.reason, null, message);
    }

    /** result.json's content, with the sample added under "sample" where asked for. */
    private static String document(SearchRequests.Checked checked, SearchResult result) {
        String json = Json.line(ResultDocument.of(checked.request(), result));
        String sample = switch (checked.sample()) {
            case NONE -> null;
            case FLOATS -> "{\"format\":\"floats\",\"shape\":" + Json.line(new int[] {checked.info().channels(),
                    checked.info().height(), checked.info().width()}) + ",\"values\":" + Json.line(result.sample())
                    + "}";
            case PNG -> {
                try {
                    yield "{\"format\":\"png\",\"base64\":\"" + Base64.getEncoder().encodeToString(
                            PngWriter.encode(result.sample(), result.model().layout(), PNG_SCALE)) + "\"}";
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        };
        return sample == null ? json : json.substring(0, json.length() - 1) + ",\"sample\":" + sample + "}";
    }

    /** The body, at most the limit (413 beyond it, whether Content-Length says so or the bytes do). */
    private byte[] body(Context ctx) {
        int limit = settings.maxBodyBytes();
        long declared = ctx.req().getContentLengthLong();
        if (declared > limit) {
            throw tooLarge(declared);
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] bytes = in.readNBytes(limit + 1);
            if (bytes.length > limit) {
                throw tooLarge(-1);
            }
            return bytes;
        } catch (IOException e) {
            throw ServiceError.invalid(null, "the request body could not be read");
        }
    }

    private ServiceError tooLarge(long declared) {
        return new ServiceError(413, "body_too_large", null, "the request body "
                + (declared >= 0 ? "has " + declared + " bytes" : "is larger than that") + ": at most "
                + settings.maxBodyBytes() + " bytes are accepted");
    }

    private static Handler route(int status, String reason, String message) {
        return ctx -> json(ctx, status, new ServiceError(status, reason, null, message + ": " + ctx.method() + " "
                + SearchRequests.printable(ctx.path())).body());
    }

    private static void json(Context ctx, int status, Object value) {
        ctx.status(status);
        ctx.contentType("application/json");
        ctx.result(Json.line(value));
    }

    /**
     * Writes and flushes the answer here, so that draining sees the exchange end only once it is sent; {@code close}:
     * the connection is closed after it.
     */
    private static void write(Context ctx, int status, String json, boolean close) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        var response = ctx.res();
        response.setStatus(status);
        if (close) {
            response.setHeader("Connection", "close");
        }
        response.setContentType("application/json");
        response.setContentLength(bytes.length);
        OutputStream out = response.getOutputStream();
        out.write(bytes);
        out.flush();
    }

    /**
     * Drains and stops: new searches are refused (503) and {@code /readyz} says not ready; the admitted ones finish
     * within the grace period; then the ones still queued are refused, the ones still running are cancelled (they end
     * at their next batch boundary with a 503), and the server stops.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        admission.drain();
        long deadline = System.nanoTime() + settings.grace().toNanos();
        try {
            boolean idle = admission.awaitIdle(settings.grace());
            if (!idle) {
                LOG.warn("grace period over: {} searches running cancelled, {} queued refused", admission.running(),
                        admission.queued());
                admission.abandonQueued();
                controls.forEach(control -> control.cancel(SHUTDOWN));
            }
            // Answers are written after the slots are given back: wait for them too.
            Duration answers = idle ? Duration.ofSeconds(1) : CANCELLED_ANSWERS;
            long last = Math.max(deadline, System.nanoTime() + answers.toNanos());
            while (exchanges.get() > 0 && System.nanoTime() < last) {
                Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        connections.close();
        app.stop();
        searches.shutdown();
        engine.batchListener(null);
        metrics.close();
    }
}

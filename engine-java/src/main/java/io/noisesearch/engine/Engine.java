package io.noisesearch.engine;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.NonFiniteOutputException;
import io.noisesearch.backend.Backend;
import io.noisesearch.batching.BatchListener;
import io.noisesearch.batching.Batcher;
import io.noisesearch.batching.BatchingOptions;
import io.noisesearch.batching.DenoiserBatcher;
import io.noisesearch.batching.ImageModelBatcher;
import io.noisesearch.backend.Backends;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import io.noisesearch.backend.TransferMeter;
import io.noisesearch.compute.ComputeMeter;
import io.noisesearch.format.ImageLayout;
import io.noisesearch.metrics.Evaluator;
import io.noisesearch.model.Denoiser;
import io.noisesearch.model.EncodedPrompt;
import io.noisesearch.model.ImageModel;
import io.noisesearch.model.ModelInfo;
import io.noisesearch.model.ModelLoader;
import io.noisesearch.model.ModelManifest;
import io.noisesearch.model.ModelRepository;
import io.noisesearch.model.Precision;
import io.noisesearch.model.TextDenoiser;
import io.noisesearch.onnx.OnnxRuntime;
import io.noisesearch.sampling.GuidedDenoiser;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.search.CallTimes;
import io.noisesearch.search.NoSearch;
import io.noisesearch.search.Outcome;
import io.noisesearch.search.SearchContext;
import io.noisesearch.search.SearchControl;
import io.noisesearch.search.SearchPlan;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.SearchResult;
import io.noisesearch.search.SolveCache;
import io.noisesearch.tensorrt.TensorRtRuntime;
import io.noisesearch.verify.DecodingVerifier;
import io.noisesearch.verify.ImageAccess;
import io.noisesearch.verify.NoVerifier;
import io.noisesearch.verify.Verifier;
import io.noisesearch.verify.Verifiers;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine a service embeds: opened once on a backend, then asked for searches from any thread. Models are loaded
 * on first use and kept ({@link ModelLoader}: ONNX Runtime on host memory, TensorRT plans on a CUDA device). Each
 * search runs on a {@link Lane} of its own (a stream and its sampler workspaces, kept across searches) and an arena
 * of its own, closed when the search ends. Close the engine to release all native memory; close waits for the
 * searches in flight.
 */
public final class Engine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    private final Backend backend;
    private final int threads;
    private final ModelLoader models;
    private final Map<Path, Evaluator> evaluators = new ConcurrentHashMap<>();
    private final ExecutorService executor;
    private volatile boolean closed;
    /** Held shared by each search, exclusively by {@link #close()}: closing waits for the searches in flight. */
    private final ReentrantReadWriteLock running = new ReentrantReadWriteLock();
    /** Lanes not in use (a search takes one or opens one, and gives it back). */
    private final ConcurrentLinkedDeque<Lane> idleLanes = new ConcurrentLinkedDeque<>();
    /**
     * The first lane, opened on a thread of its own while the first search loads its model: linking the kernels'
     * library and opening a stream cost tens of milliseconds that would otherwise be the first search's.
     */
    private final CompletableFuture<Lane> firstLane;
    private final AtomicBoolean firstLaneTaken = new AtomicBoolean();
    private final BatchingOptions batching;
    /** The searches' model-call and decode times on the JVM's clock: what a deadline's minimal answer costs. */
    private final CallTimes callTimes = new CallTimes();
    /** One batcher per denoiser, made at its first search while batching is on. */
    private final Map<Denoiser, DenoiserBatcher> batchers = new ConcurrentHashMap<>();
    /** One per verifier network, made at its first search while batching is on. */
    private final Map<ImageModel, ImageModelBatcher> imageBatchers = new ConcurrentHashMap<>();
    private volatile BatchListener batchListener = BatchListener.NONE;

    private Engine(Backend backend, int threads, int concurrentRequests, ModelRepository repository,
                   Precision precision, BatchingOptions batching) {
        this.backend = backend;
        this.batching = resolved(batching, backend, threads);
        this.threads = threads;
        this.models = new ModelLoader(backend, repository,
                List.of(new OnnxRuntime(backend, threads), new TensorRtRuntime(backend, repository)), precision);
        this.executor = Executors.newFixedThreadPool(concurrentRequests, runnable -> {
            Thread thread = new Thread(runnable, "noisesearch-request");
            thread.setDaemon(true);
            return thread;
        });
        this.firstLane = CompletableFuture.supplyAsync(() -> new Lane(backend, threads), runnable -> {
            Thread thread = new Thread(runnable, "noisesearch-first-lane");
            thread.setDaemon(true);
            thread.start();
        });
    }

    /**
     * An engine on the named device ({@link Backends#open}), kernels and model runtimes on {@code threads} threads
     * (<= 0: all cores), trained models from {@link ModelRepository#fromEnvironment()}.
     */
    public static Engine open(String device, int threads) {
        return open(Backends.open(device), threads, 1, ModelRepository.fromEnvironment());
    }

    /** An engine on the given backend; {@code concurrentRequests} bounds the searches {@link #submit} runs at once. */
    public static Engine open(Backend backend, int threads, int concurrentRequests) {
        return open(backend, threads, concurrentRequests, ModelRepository.fromEnvironment());
    }

    public static Engine open(Backend backend, int threads, int concurrentRequests, ModelRepository repository) {
        return open(backend, threads, concurrentRequests, repository, Precision.FP32, BatchingOptions.OFF);
    }

    /**
     * {@code precision}: the model file every trained denoiser runs from (int8: the variant its manifest names; the
     * verifiers' and evaluation network's models run in fp32); exact mixtures are fp32 only.
     */
    public static Engine open(Backend backend, int threads, int concurrentRequests, ModelRepository repository,
                              Precision precision) {
        return open(backend, threads, concurrentRequests, repository, precision, BatchingOptions.OFF);
    }

    /**
     * An engine whose concurrent searches share their denoiser calls where {@code batching} is on: rows of searches
     * of one model that call at about the same time run in one call, each search's results the same as alone.
     */
    public static Engine open(Backend backend, int threads, int concurrentRequests, ModelRepository repository,
                              BatchingOptions batching) {
        return open(backend, threads, concurrentRequests, repository, Precision.FP32, batching);
    }

    /** An engine of the given precision ({@link #open(Backend, int, int, ModelRepository, Precision)}) and batching. */
    public static Engine open(Backend backend, int threads, int concurrentRequests, ModelRepository repository,
                              Precision precision, BatchingOptions batching) {
        if (concurrentRequests < 1) {
            throw new IllegalArgumentException("concurrent requests must be at least 1, got " + concurrentRequests);
        }
        return new Engine(backend, threads, concurrentRequests, repository, precision, batching);
    }

    /** The batching options, the number of merged calls in flight resolved for the backend. */
    public BatchingOptions batching() {
        return batching;
    }

    /**
     * {@link BatchingOptions#AUTO_CALLS} made concrete: on host memory (ONNX Runtime, the host kernels) one merged
     * call per core of the engine, so that the searches a call holds do not leave the other cores idle (a CPU runs
     * several calls at about the rate it runs one wider call: docs/results.md); on a device one, which fills it.
     */
    static BatchingOptions resolved(BatchingOptions batching, Backend backend, int threads) {
        if (batching.callsInFlight() != BatchingOptions.AUTO_CALLS) {
            return batching;
        }
        int cores = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        int calls = backend.hostAccessible() ? Math.min(cores, BatchingOptions.MAX_CALLS_IN_FLIGHT) : 1;
        return batching.withCallsInFlight(calls);
    }

    /** Told of every model call the batchers make (rows per call, requests merged): a service's metrics. */
    public void batchListener(BatchListener listener) {
        batchListener = listener == null ? BatchListener.NONE : listener;
    }

    private ImageModel batched(ImageModel network) {
        return imageBatchers.computeIfAbsent(network, m -> new ImageModelBatcher(m, backend, batching,
                (name, rows, requests) -> batchListener.called(name, rows, requests)));
    }

    private DenoiserBatcher batcher(Denoiser model) {
        return batchers.computeIfAbsent(model, m -> new DenoiserBatcher(m, backend, batching,
                (name, rows, requests) -> batchListener.called(name, rows, requests), Batcher.Clock.SYSTEM));
    }

    public ModelRepository repository() {
        return models.repository();
    }

    public Backend backend() {
        return backend;
    }

    /** The named model, loaded on first use. */
    public Denoiser model(String name) {
        checkOpen();
        return models.denoiser(name);
    }

    /** The image model a trained denoiser's manifest names for a verifier role ("classifier", "ssl", "evaluator"). */
    public ImageModel auxiliary(Denoiser model, String role) {
        checkOpen();
        return models.auxiliary(model, role);
    }

    /** The folder of the model a trained denoiser's manifest names for a role (the model is not opened). */
    public Path auxiliaryFolder(Denoiser model, String role) {
        return models.auxiliaryFolder(model, role);
    }

    /** The metrics of the evaluation network a trained denoiser's manifest names (role {@code evaluator}). */
    public Evaluator evaluator(Denoiser model) {
        return evaluator(auxiliary(model, "evaluator"));
    }

    /** The metrics of the evaluation network in {@code folder}. */
    public Evaluator evaluator(Path folder) {
        checkOpen();
        return evaluator(models.imageModel(folder));
    }

    private Evaluator evaluator(ImageModel network) {
        return evaluators.computeIfAbsent(network.folder(), f -> Evaluator.of(network, backend));
    }

    /** Runs one search on the calling thread, its deadline (if any) counted from now. Thread-safe. */
    public SearchResult search(SearchRequest request) {
        return search(request, SearchControl.startingNow(request.deadline()).withEstimates(callTimes));
    }

    /**
     * The recent model-call and decode times of this engine's searches, on the JVM's clock: a caller's control made on
     * that clock takes them ({@link SearchControl#withEstimates}) so that its search is costed from them.
     */
    public CallTimes callTimes() {
        return callTimes;
    }

    /**
     * The estimated cost of the request's minimal answer from the control's call times (at its clock's present
     * reading; the cold costs without): no search's final solve (the final solver's calls of one row, at least a
     * whole final solve's estimate) and a latent model's decode; what a deadline must leave for any answer to come by
     * it.
     */
    public long minimalAnswerNanos(SearchRequest request, SearchControl control) {
        Denoiser model = model(request.model());
        return minimalAnswerNanos(model, finalSolver(request, model.info()), control.estimates(), control.now());
    }

    private static SolverSettings finalSolver(SearchRequest request, ModelInfo info) {
        return request.finalSolver() != null ? request.finalSolver() : info.defaultSolver();
    }

    private long minimalAnswerNanos(Denoiser model, SolverSettings finalSolver, CallTimes times, long now) {
        CallTimes known = times == null ? new CallTimes() : times;
        long perCall = known.callOrCold(model.info(), 1, now);
        long solve = known.solve(model.info().name(), finalSolver.fullNfe(), perCall, now);
        return CallTimes.sum(solve, 0, 0, decodeNanos(model, known, now));
    }

    /** The estimated time of a decode of the model's latent (0 for a pixel model). */
    private long decodeNanos(Denoiser model, CallTimes times, long now) {
        ImageModel decoder = decoder(model);
        if (decoder == null) {
            return 0;
        }
        long estimate = times.decode(model.info().name(), now);
        return estimate >= 0 ? estimate : CallTimes.cold(decoder.manifest().flopsPerSample(), 1);
    }

    /** What the minimal answer is, for the refusal's message. */
    public static String minimalAnswer(long calls) {
        return "no search's final solve: " + calls + " model calls of one row and the decode, at recent call times";
    }

    /**
     * Runs one search under the caller's control (its deadline is the control's, not the request's): cancelled, it
     * ends at its next batch boundary with a {@link CancellationException}, its batches and lane released; where the
     * deadline has passed before the search begins (time spent in a queue), it is not run:
     * {@link io.noisesearch.search.DeadlineExceededException}.
     */
    public SearchResult search(SearchRequest request, SearchControl control) {
        return searchShared(request, verifierFor(request), request.algorithm()::run, null, control);
    }

    /** The verifier the request names, on the models its denoiser's manifest names for the verifier roles. */
    private Verifier verifierFor(SearchRequest request) {
        return verifier(request.verifier(), model(request.model()));
    }

    /**
     * The verifier {@code spec} names for searches of {@code model}, as a search uses it: on the models its manifest
     * names for the verifier roles, behind the decoder of a latent model.
     */
    public Verifier verifier(String spec, Denoiser model) {
        checkOpen();
        ImageModel decoder = decoder(model);
        ImageLayout images = model.info().layout();
        if (decoder != null) {
            ModelManifest.SampleSpec image = decoder.manifest().sample();
            images = new ImageLayout(model.info().name(), image.channels(), image.height(), image.width(),
                    image.range().get(0).floatValue(), image.range().get(1).floatValue());
        }
        Verifier verifier = Verifiers.create(spec, model, batching.enabled()
                ? role -> batched(auxiliary(model, role)) : role -> auxiliary(model, role),
                new ImageAccess(backend, images));
        // a latent model's candidates are decoded before any verifier that reads them
        return decoder == null || verifier instanceof NoVerifier ? verifier
                : new DecodingVerifier(verifier, decoder, backend);
    }

    /** Runs one search with a verifier of the caller's (the request's verifier name is not used). */
    public SearchResult search(SearchRequest request, Verifier verifier) {
        return searchShared(request, verifier, request.algorithm()::run, null,
                SearchControl.startingNow(request.deadline()).withEstimates(callTimes));
    }

    /**
     * Runs one search whose keyed candidates' solves and scores go through {@code cache} (null: none): the result is
     * the same, its compute too; {@link SearchResult#served()} says what the cache served.
     */
    public SearchResult search(SearchRequest request, SolveCache cache) {
        return searchShared(request, verifierFor(request), request.algorithm()::run, cache,
                SearchControl.startingNow(request.deadline()).withEstimates(callTimes));
    }

    /**
     * Candidate {@code key} of the request's seed solved with the request's final solver and scored: what a search
     * that chose this key returns, without searching (an algorithm "none" that starts from this key). Lets a caller
     * that found the winner of a best-of-N pool elsewhere, from its trace, finish it.
     */
    public SearchResult solve(SearchRequest request, long key) {
        return solve(request, key, null);
    }

    /** {@link #solve(SearchRequest, long)} through a cache of keyed solves and scores (null: none). */
    public SearchResult solve(SearchRequest request, long key, SolveCache cache) {
        SearchRequest alone = new SearchRequest(request.model(), request.label(), new NoSearch(), request.verifier(),
                request.searchSolver(), request.finalSolver(), request.guidance(), request.budgetNfe(),
                request.seed(), request.batchSize(), null, request.prompt());
        return searchShared(alone, verifierFor(request), context -> context.solveCandidate(key), cache,
                SearchControl.none());
    }

    /** Runs work on a request inside the shared lock that close() waits for. */
    private SearchResult searchShared(SearchRequest request, Verifier verifier,
                                      Function<SearchContext, Outcome> work, SolveCache cache,
                                      SearchControl control) {
        running.readLock().lock();
        try {
            checkOpen();
            return searchOpen(request, verifier, work, cache, control);
        } finally {
            running.readLock().unlock();
        }
    }

    private SearchResult searchOpen(SearchRequest request, Verifier verifier, Function<SearchContext, Outcome> work,
                                    SolveCache cache, SearchControl control) {
        Denoiser model = model(request.model());
        ModelInfo info = model.info();
        TextDenoiser text = model instanceof TextDenoiser t ? t : null;
        if (text != null && request.prompt() == null) {
            throw new InvalidRequestException("--prompt: model " + info.name() + " is text-conditioned: give a caption"
                    + " with --prompt, not a class");
        }
        if (text == null && request.prompt() != null) {
            throw new InvalidRequestException("--prompt: model " + info.name() + " is not text-conditioned: give a"
                    + " class with --class, not a prompt");
        }
        if (text == null && (request.label() < 0 || request.label() >= info.classes())) {
            throw new InvalidRequestException("--class " + request.label() + " is outside 0.." + (info.classes() - 1)
                    + " for model " + info.name());
        }
        ImageModel decoder = decoder(model);
        SolverSettings finalSolver = request.finalSolver() != null ? request.finalSolver() : info.defaultSolver();
        SolverSettings searchSolver = request.searchSolver() != null ? request.searchSolver() : finalSolver;
        if (searchSolver.stochastic() && !request.algorithm().acceptsStochasticSolver()) {
            throw new InvalidRequestException("--search-solver (or --solver) " + searchSolver.kind().id() + ": "
                    + request.algorithm().id() + " needs an ODE search solver (euler, heun, ddim with eta 0);"
                    + " stochastic solvers search with random, smc and beam --beam-expand step");
        }
        String stochasticOption = request.algorithm().requiresStochasticSolver();
        if (!searchSolver.stochastic() && stochasticOption != null) {
            throw new InvalidRequestException(stochasticOption + " needs a stochastic search solver (--search-solver"
                    + " euler-sde, ddpm, or ddim with --eta > 0), got " + searchSolver.tag());
        }
        if (request.stop().any() && !request.algorithm().acceptsStoppingRules()) {
            throw new InvalidRequestException((Double.isNaN(request.stop().targetScore()) ? "--stop-patience"
                    : "--stop-at-score") + ": stopping rules do not apply to " + request.algorithm().id() + ", whose"
                    + " candidates are samples only at t = 0; use a budget or a deadline");
        }
        double guidance = Double.isNaN(request.guidance()) ? info.defaultGuidance() : request.guidance();
        TransferMeter transfers = backend.transfers();
        ComputeMeter meter = new ComputeMeter(transfers::enter);
        GuidedDenoiser unbatched;
        if (text != null) {
            // the prompt and the null caption, encoded once and shared by every candidate of the request
            EncodedPrompt prompt = text.encode(request.prompt());
            meter.auxiliaryEvaluation(2, text.textEncoderFlops());
            unbatched = new GuidedDenoiser(text, prompt, guidance, meter);
            cache = null;
        } else {
            unbatched = new GuidedDenoiser(model, request.label(), guidance, meter);
        }
        RequestLimits.current().check(request, info, searchSolver, finalSolver, unbatched.guided(), verifier);
        control.throwIfCancelled();
        control.throwIfExpired();
        CallTimes times = control.estimates();
        long decodeNanos = 0;
        if (times != null && control.hasDeadline()) {
            long now = control.now();
            decodeNanos = decodeNanos(model, times, now);
            control.throwIfUnmeetable(minimalAnswerNanos(model, finalSolver, times, now),
                    minimalAnswer(finalSolver.fullNfe()));
        }
        Lane lane = takeLane();
        boolean finished = false;
        // A merged call runs on another search's thread and reads this search's batches: its arena is shared then.
        try (TransferMeter.Request copies = transfers.begin();
             Arena arena = batching.enabled() ? Arena.ofShared() : Arena.ofConfined();
             // text requests (their rows differ by prompt) are not merged across requests
             DenoiserBatcher.Session session = batching.enabled() && text == null ? batcher(model).join() : null) {
            GuidedDenoiser guided = session == null ? unbatched
                    : new GuidedDenoiser(model, session, request.label(), guidance, meter);
            Kernels kernels = lane.kernels();
            SearchContext context = new SearchContext(backend, kernels, arena, guided, verifier, request.label(),
                    request.seed(), searchSolver, finalSolver, request.budgetNfe(), request.batchSize(), meter,
                    lane.workspace(model, request.batchSize()), cache, control, request.stop());
            context.reserveAfter(decodeNanos);
            Outcome outcome;
            try {
                outcome = run(request, work, context, guidance);
            } catch (CancellationException e) {
                // Stopped at a batch boundary: the stream holds nothing wrong, so the lane is kept once it is idle.
                kernels.synchronize();
                finished = true;
                throw e;
            }
            kernels.synchronize();
            finished = true;
            long planned = request.algorithm().plannedSearchNfe(new SearchPlan(info.schedule(), searchSolver));
            float[] sample = outcome.sample();
            ModelInfo described = info;
            if (decoder != null) {
                long decodeStart = times == null ? 0 : control.now();
                sample = decode(kernels, arena, decoder, info, sample, meter);
                if (times != null) {
                    long decoded = control.now();
                    times.recordDecode(info.name(), decoded - decodeStart, decoded);
                }
                ModelManifest.SampleSpec image = decoder.manifest().sample();
                described = info.decoded(image.channels(), image.height(), image.width(),
                        image.range().get(0).floatValue(), image.range().get(1).floatValue());
            }
            return new SearchResult(described, request.label(), request.algorithm().id(), verifier.name(),
                    verifier.members(), request.seed(), sample, outcome.key(), outcome.lineage(),
                    outcome.score(), outcome.memberScores(), outcome.finalReused(), context.budgetExhausted(),
                    planned, searchSolver, finalSolver, guidance, meter.snapshot(), context.trace(),
                    backend.name(), copies.snapshot(), meter.served(), context.deadlineReached(),
                    context.stoppedBy());
        } finally {
            giveBack(lane, finished);
        }
    }

    /**
     * The decoder of a latent model (null for pixel models), checked to take the model's samples as its latents.
     */
    public ImageModel decoder(Denoiser model) {
        checkOpen();
        ImageModel decoder = models.decoder(model);
        if (decoder != null) {
            ModelManifest.SampleSpec latent = decoder.manifest().latent();
            ModelInfo info = model.info();
            if (latent.channels() != info.channels() || latent.height() != info.height()
                    || latent.width() != info.width()) {
                throw new InvalidRequestException(decoder.folder().resolve("manifest.json") + ": its latent is "
                        + latent.channels() + "x" + latent.height() + "x" + latent.width() + " but model "
                        + info.name() + " makes " + info.channels() + "x" + info.height() + "x" + info.width());
            }
        }
        return decoder;
    }

    /** The image of a final latent: one decoder pass, counted in forward passes and FLOPs (not an NFE). */
    private float[] decode(Kernels kernels, Arena arena, ImageModel decoder, ModelInfo info, float[] latent,
                           ComputeMeter meter) {
        Batch batch = backend.upload(arena, latent, 1, info.dim());
        float[] image = decoder.output(kernels, batch, decoder.manifest().outputs().getFirst().name());
        meter.auxiliaryEvaluation(1, decoder.manifest().flopsPerSample());
        return image;
    }

    /** A guidance scale the caller chose that drives the predictions out of range is their input at fault. */
    private static Outcome run(SearchRequest request, Function<SearchContext, Outcome> work, SearchContext context,
                               double guidance) {
        try {
            return context.run(work);
        } catch (NonFiniteOutputException e) {
            if (Double.isNaN(request.guidance()) || guidance == 1) {
                throw e;
            }
            throw new InvalidRequestException("--cfg " + guidance + ": the guided samples are not finite ("
                    + e.getMessage() + "); try a smaller guidance scale", e);
        }
    }

    private Lane takeLane() {
        Lane lane = idleLanes.pollFirst();
        if (lane != null) {
            return lane;
        }
        Lane first = takeFirstLane();
        return first != null ? first : new Lane(backend, threads);
    }

    /**
     * The first lane, once (waiting for it to open); null where it was taken before or failed to open (the caller
     * then opens one, and its error is the request's).
     */
    private Lane takeFirstLane() {
        if (!firstLaneTaken.compareAndSet(false, true)) {
            return null;
        }
        try {
            return firstLane.join();
        } catch (CompletionException | CancellationException e) {
            LOG.debug("the first lane did not open: {}", e.toString());
            return null;
        }
    }

    /**
     * A lane whose search finished goes back to the idle ones; one whose search failed part-way (its stream may
     * hold work or an error) is closed. Called inside the search's shared lock, so {@link #close()} finds every lane
     * idle.
     */
    private void giveBack(Lane lane, boolean finished) {
        if (finished) {
            idleLanes.addFirst(lane);
        } else {
            closeQuietly(lane);
        }
    }

    private void closeIdleLanes() {
        for (Lane lane = idleLanes.pollFirst(); lane != null; lane = idleLanes.pollFirst()) {
            closeQuietly(lane);
        }
    }

    private static void closeQuietly(Lane lane) {
        try {
            lane.close();
        } catch (RuntimeException e) {
            LOG.warn("closing a search lane failed: {}", e.getMessage());
        }
    }

    /** Lanes kept for the next searches (one per search that ran at the same time, at most). */
    int idleLanes() {
        return idleLanes.size();
    }

    /** The lane the next search takes first, or null. */
    Lane nextIdleLane() {
        return idleLanes.peekFirst();
    }

    /** The denoisers' batchers made so far. */
    List<DenoiserBatcher> batchers() {
        return List.copyOf(batchers.values());
    }

    /** The verifier networks' batchers made so far. */
    List<ImageModelBatcher> imageBatchers() {
        return List.copyOf(imageBatchers.values());
    }

    /** The lane opened with the engine, waited for. */
    Lane firstLane() {
        return firstLane.join();
    }

    /**
     * Queues a search on the engine's request threads, its deadline (if any) counted from now; cancelling the future
     * cancels the search at its next batch boundary (or before it starts).
     */
    public CompletableFuture<SearchResult> submit(SearchRequest request) {
        checkOpen();
        SearchControl control = SearchControl.startingNow(request.deadline()).withEstimates(callTimes);
        CompletableFuture<SearchResult> result = CompletableFuture.supplyAsync(() -> search(request, control),
                executor);
        result.whenComplete((done, error) -> {
            if (error instanceof CancellationException) {
                control.cancel("cancelled");
            }
        });
        return result;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the engine is closed");
        }
    }

    @Override
    public void close() {
        if (running.getReadHoldCount() > 0) {
            throw new IllegalStateException("an engine cannot be closed from inside one of its searches");
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        // Queued searches start, see the engine closed and fail; the ones running finish before anything is freed
        // (their kernels may still read the models' and lanes' native memory).
        executor.shutdown();
        running.writeLock().lock();
        try {
            release();
        } finally {
            running.writeLock().unlock();
        }
    }

    /** No search runs any more, so every lane is idle. */
    private void release() {
        Lane first = takeFirstLane();
        if (first != null) {
            closeQuietly(first);
        }
        closeIdleLanes();
        batchers.values().forEach(DenoiserBatcher::close);
        batchers.clear();
        imageBatchers.values().forEach(ImageModelBatcher::close);
        imageBatchers.clear();
        evaluators.clear();
        models.close();
        backend.close();
    }
}

package io.noisesearch.engine;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Backends;
import io.noisesearch.backend.Kernels;
import io.noisesearch.backend.TransferMeter;
import io.noisesearch.compute.ComputeMeter;
import io.noisesearch.model.BuiltinModels;
import io.noisesearch.model.Denoiser;
import io.noisesearch.model.ImageModel;
import io.noisesearch.model.ModelInfo;
import io.noisesearch.model.ModelManifest;
import io.noisesearch.model.ModelRepository;
import io.noisesearch.onnx.OnnxDenoiser;
import io.noisesearch.onnx.OnnxModel;
import io.noisesearch.sampling.GuidedDenoiser;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.search.Outcome;
import io.noisesearch.search.SearchContext;
import io.noisesearch.search.SearchPlan;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.SearchResult;
import io.noisesearch.tensorrt.PlanLocator;
import io.noisesearch.tensorrt.TensorRtDenoiser;
import io.noisesearch.tensorrt.TensorRtModel;
import io.noisesearch.tensorrt.TensorRtPipeline;
import io.noisesearch.verify.Verifier;
import io.noisesearch.verify.Verifiers;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine a service embeds: built once (backend, kernel threads, models loaded on first use and kept),
 * then asked for searches from any thread. Each search runs on a lane of its own (a stream and the sampler's
 * workspaces with their recorded graphs, kept across searches: one lane per search running at the same time) and
 * an arena of its own, which holds the search's other batches and is closed when it ends; the models' tensors and
 * the lanes live until the engine is closed. Close the engine explicitly: that releases all native memory.
 */
public final class Engine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    private final Backend backend;
    private final int threads;
    private final Arena modelArena = Arena.ofShared();
    private final ModelRepository repository;
    private final Map<String, Denoiser> models = new ConcurrentHashMap<>();
    private final Map<Path, ImageModel> auxiliary = new ConcurrentHashMap<>();
    /** TensorRT plans that failed to open, with their error (see {@link #fromPlan}). */
    private final Map<Path, RuntimeException> failedPlans = new ConcurrentHashMap<>();
    private final ExecutorService executor;
    private final Object tensorRtLock = new Object();
    /** The pipeline (one activation workspace a thread) every TensorRT model here shares; made with the first one. */
    private TensorRtPipeline tensorRt;
    private volatile boolean closed;
    /** Held shared by each search, exclusively by {@link #close()}: closing waits for the searches in flight. */
    private final ReentrantReadWriteLock running = new ReentrantReadWriteLock();
    /** Lanes not in use (a search takes one or opens one, and gives it back). */
    private final ConcurrentLinkedDeque<Lane> idleLanes = new ConcurrentLinkedDeque<>();

    private Engine(Backend backend, int threads, int concurrentRequests, ModelRepository repository) {
        this.backend = backend;
        this.repository = repository;
        this.threads = threads;
        this.executor = Executors.newFixedThreadPool(concurrentRequests, runnable -> {
            Thread thread = new Thread(runnable, "noisesearch-request");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * An engine on the named backend ("host", "java"), kernels and model runtimes on {@code threads} threads
     * (<= 0: all cores), trained models from {@link ModelRepository#fromEnvironment()}.
     */
    public static Engine open(String backendName, int threads) {
        return open(Backends.open(backendName), threads, 1, ModelRepository.fromEnvironment());
    }

    /** An engine on the given backend; {@code concurrentRequests} bounds the searches {@link #submit} runs at once. */
    public static Engine open(Backend backend, int threads, int concurrentRequests) {
        return open(backend, threads, concurrentRequests, ModelRepository.fromEnvironment());
    }

    public static Engine open(Backend backend, int threads, int concurrentRequests, ModelRepository repository) {
        if (concurrentRequests < 1) {
            throw new IllegalArgumentException("concurrent requests must be at least 1, got " + concurrentRequests);
        }
        return new Engine(backend, threads, concurrentRequests, repository);
    }

    public ModelRepository repository() {
        return repository;
    }

    public Backend backend() {
        return backend;
    }

    /** The named model, loaded on first use. */
    public Denoiser model(String name) {
        checkOpen();
        return models.computeIfAbsent(name, this::load);
    }

    private Denoiser load(String name) {
        if (BuiltinModels.isBuiltin(name)) {
            return BuiltinModels.open(name, backend, modelArena);
        }
        Path folder = repository.folder(name);
        if (!backend.hostAccessible()) {
            PlanLocator.Lookup plan = PlanLocator.forModels(repository).find(backend, folder);
            if (plan.found()) {
                return fromPlan(plan.plan(), () -> new TensorRtDenoiser(tensorRt(), folder, plan.plan()));
            }
            throw new InvalidRequestException("--model " + name + ": ONNX Runtime models need a host backend, not "
                    + backend.name() + ", and " + plan.missing() + "; build plans with tensorrt-plans/build-plans.sh");
        }
        return new OnnxDenoiser(folder, threads);
    }

    /**
     * Opens a model from a TensorRT plan, once: a plan that failed (e.g. its tensors disagree with the manifest) stays
     * failed for this engine, with the same one-line error, because JavaCPP cannot free a deserialized engine and
     * each retry would leak one. Reopen the engine after rebuilding the plan.
     */
    private <T> T fromPlan(Path plan, Supplier<T> open) {
        RuntimeException failed = failedPlans.get(plan);
        if (failed != null) {
            throw failed;
        }
        try {
            return open.get();
        } catch (RuntimeException e) {
            failedPlans.put(plan, e);
            throw e;
        }
    }

    /**
     * The model a trained denoiser's manifest names for a verifier role ("classifier", "ssl", "evaluator"),
     * opened once and shared by every request: on ONNX Runtime where the backend's memory is host memory, else
     * from its TensorRT plan, like the denoiser.
     */
    public ImageModel auxiliary(Denoiser model, String role) {
        return auxiliary.computeIfAbsent(auxiliaryFolder(model, role), f -> openAuxiliary(role, f));
    }

    /** The folder of the model a trained denoiser's manifest names for a role (the model is not opened). */
    public Path auxiliaryFolder(Denoiser model, String role) {
        Path folder;
        ModelManifest manifest;
        if (model instanceof OnnxDenoiser onnx) {
            folder = onnx.model().folder();
            manifest = onnx.model().manifest();
        } else if (model instanceof TensorRtDenoiser tensorRt) {
            folder = tensorRt.folder();
            manifest = tensorRt.manifest();
        } else {
            throw new InvalidRequestException("--verifier: model " + model.info().name() + " has no " + role + " model");
        }
        String name = manifest.verifiers() == null ? null : manifest.verifiers().get(role);
        if (name == null) {
            throw new InvalidRequestException(folder.resolve("manifest.json")
                    + ": names no model for the " + role + " role (field 'verifiers')");
        }
        return repository.sibling(folder, name).toAbsolutePath().normalize();
    }

    private ImageModel openAuxiliary(String role, Path folder) {
        if (backend.hostAccessible()) {
            return OnnxModel.open(folder, threads);
        }
        PlanLocator.Lookup plan = PlanLocator.forModels(repository).find(backend, folder);
        if (plan.found()) {
            return fromPlan(plan.plan(), () -> new TensorRtModel(tensorRt(), folder, plan.plan()));
        }
        throw new InvalidRequestException("--verifier: the " + role + " model " + folder.getFileName()
                + ": ONNX Runtime models need a host backend, not " + backend.name() + ", and " + plan.missing()
                + "; build plans with tensorrt-plans/build-plans.sh");
    }

    /**
     * The engine's one TensorRT pipeline: the denoiser and verifier models run one after another on a search's
     * stream, so their engines share a workspace per thread. Its own lock, not the engine's: this runs inside the
     * model maps' computeIfAbsent, holding a lock of the map that {@link #close()} (synchronized) takes to clear it.
     */
    private TensorRtPipeline tensorRt() {
        synchronized (tensorRtLock) {
            if (tensorRt == null) {
                tensorRt = new TensorRtPipeline(backend);
            }
            return tensorRt;
        }
    }

    /** Runs one search on the calling thread. Thread-safe. */
    public SearchResult search(SearchRequest request) {
        Denoiser model = model(request.model());
        return search(request, Verifiers.create(request.verifier(), model, role -> auxiliary(model, role)));
    }

    /** Runs one search with a verifier of the caller's (the request's verifier name is not used). */
    public SearchResult search(SearchRequest request, Verifier verifier) {
        running.readLock().lock();
        try {
            checkOpen();
            return searchOpen(request, verifier);
        } finally {
            running.readLock().unlock();
        }
    }

    private SearchResult searchOpen(SearchRequest request, Verifier verifier) {
        Denoiser model = model(request.model());
        ModelInfo info = model.info();
        if (request.label() < 0 || request.label() >= info.classes()) {
            throw new InvalidRequestException("--class " + request.label() + " is outside 0.." + (info.classes() - 1)
                    + " for model " + info.name());
        }
        SolverSettings finalSolver = request.finalSolver() != null ? request.finalSolver() : info.defaultSolver();
        SolverSettings searchSolver = request.searchSolver() != null ? request.searchSolver() : finalSolver;
        double guidance = Double.isNaN(request.guidance()) ? info.defaultGuidance() : request.guidance();
        TransferMeter transfers = backend.transfers();
        ComputeMeter meter = new ComputeMeter(transfers::enter);
        Lane lane = takeLane();
        boolean finished = false;
        try (TransferMeter.Request copies = transfers.begin(); Arena arena = Arena.ofConfined()) {
            Kernels kernels = lane.kernels();
            GuidedDenoiser guided = new GuidedDenoiser(model, request.label(), guidance, meter);
            SearchContext context = new SearchContext(backend, kernels, arena, guided, verifier, request.label(),
                    request.seed(), searchSolver, finalSolver, request.budgetNfe(), request.batchSize(), meter,
                    lane.workspace(model, request.batchSize()));
            Outcome outcome = request.algorithm().run(context);
            kernels.synchronize();
            finished = true;
            long planned = request.algorithm().plannedSearchNfe(new SearchPlan(info.schedule(), searchSolver));
            return new SearchResult(info, request.label(), request.algorithm().id(), verifier.name(),
                    verifier.members(), request.seed(), outcome.sample(), outcome.key(), outcome.lineage(),
                    outcome.score(), outcome.memberScores(), outcome.finalReused(), context.budgetExhausted(),
                    planned, searchSolver, finalSolver, guidance, meter.snapshot(), context.trace(),
                    backend.name(), copies.snapshot());
        } finally {
            giveBack(lane, finished);
        }
    }

    private Lane takeLane() {
        Lane lane = idleLanes.pollFirst();
        return lane != null ? lane : new Lane(backend, threads);
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

    /** Queues a search on the engine's request threads. */
    public CompletableFuture<SearchResult> submit(SearchRequest request) {
        checkOpen();
        return CompletableFuture.supplyAsync(() -> search(request), executor);
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

    private void release() {
        synchronized (tensorRtLock) {
            if (tensorRt != null) {
                // Before the models: its execution contexts go before the engines (plans) they were made from,
                // TensorRT's destruction order. No search runs any more, so no lane is in use.
                tensorRt.close();
            }
        }
        closeIdleLanes();
        models.values().forEach(Denoiser::close);
        models.clear();
        auxiliary.values().forEach(ImageModel::close);
        auxiliary.clear();
        modelArena.close();
        backend.close();
    }
}

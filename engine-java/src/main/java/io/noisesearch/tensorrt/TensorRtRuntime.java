package io.noisesearch.tensorrt;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.backend.Backend;
import io.noisesearch.model.Denoiser;
import io.noisesearch.model.ImageModel;
import io.noisesearch.model.ModelRepository;
import io.noisesearch.model.ModelRuntime;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * TensorRT plans on the CUDA backend: a model folder runs from the plan {@link PlanLocator} finds for this GPU and
 * TensorRT version. Every model of the runtime shares one {@link TensorRtPipeline} (one activation workspace a
 * thread), made with the first. A plan that failed to open stays failed with the same one-line error: JavaCPP cannot
 * free a deserialized engine, so each retry would leak one (reopen the engine after rebuilding the plan).
 */
public final class TensorRtRuntime implements ModelRuntime {

    private static final String HOW = "; build plans with tensorrt-plans/build-plans.sh";

    private final Backend backend;
    private final PlanLocator plans;
    private final Map<Path, RuntimeException> failed = new ConcurrentHashMap<>();
    private TensorRtPipeline pipeline;

    public TensorRtRuntime(Backend backend, ModelRepository repository) {
        this.backend = backend;
        this.plans = PlanLocator.forModels(repository);
    }

    @Override
    public String unavailable(Path folder) {
        PlanLocator.Lookup plan = plans.find(backend, folder);
        return plan.found() ? null : plan.missing() + HOW;
    }

    @Override
    public Denoiser denoiser(Path folder) {
        return open(folder, plan -> new TensorRtDenoiser(pipeline(), folder, plan));
    }

    @Override
    public ImageModel imageModel(Path folder) {
        return open(folder, plan -> new TensorRtModel(pipeline(), folder, plan));
    }

    private <T> T open(Path folder, Function<Path, T> opener) {
        PlanLocator.Lookup lookup = plans.find(backend, folder);
        if (!lookup.found()) {
            throw new InvalidRequestException(folder.getFileName() + ": " + lookup.missing() + HOW);
        }
        Path plan = lookup.plan();
        RuntimeException earlier = failed.get(plan);
        if (earlier != null) {
            throw earlier;
        }
        try {
            return opener.apply(plan);
        } catch (RuntimeException e) {
            failed.put(plan, e);
            throw e;
        }
    }

    /** Its own lock: models open inside the loader's computeIfAbsent. */
    private synchronized TensorRtPipeline pipeline() {
        if (pipeline == null) {
            pipeline = new TensorRtPipeline(backend);
        }
        return pipeline;
    }

    /** Closes the pipeline's contexts and workspaces; the models' engines close after this. */
    @Override
    public synchronized void close() {
        if (pipeline != null) {
            pipeline.close();
        }
    }
}

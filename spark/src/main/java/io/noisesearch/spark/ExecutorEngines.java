package io.noisesearch.spark;

import io.noisesearch.backend.Backends;
import io.noisesearch.batching.BatchingOptions;
import io.noisesearch.engine.Engine;
import io.noisesearch.model.ModelRepository;
import io.noisesearch.model.Precision;
import io.noisesearch.profile.Configuration;
import io.noisesearch.profile.Overrides;
import io.noisesearch.profile.Profiler;
import io.noisesearch.profile.SweepReader;
import io.noisesearch.search.SolveCache;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The engines of this JVM (an executor, or the driver in local mode): the native libraries load and the models open
 * once, on the first task, and every later task of any job reuses them. A task that Spark gave a GPU
 * ({@code spark.task.resource.gpu.amount}) runs on the engine of that GPU ({@code cuda:ADDRESS}), one per GPU the
 * executor holds; other tasks on the settings' device. Closed when the JVM exits.
 */
final class ExecutorEngines {

    /** A sweep expanded on an engine: its configurations and the profiler that measures their samples. */
    record Prepared(List<Configuration> configurations, Profiler profiler) {
    }

    private record PreparedKey(JobSettings.EngineKey engine, String sweepText, String source, List<String> overrides,
                               String cache) {
    }

    private static final Map<JobSettings.EngineKey, Engine> ENGINES = new ConcurrentHashMap<>();
    private static final Map<PreparedKey, Prepared> PREPARED = new ConcurrentHashMap<>();
    private static final Map<String, SolveCache> CACHES = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> ENGINES.values().forEach(Engine::close),
                "noisesearch-engines-close"));
    }

    private ExecutorEngines() {
    }

    /** The sweep of {@code settings} on the engine of the calling task's device. */
    static Prepared prepared(JobSettings settings) {
        JobSettings.EngineKey key = settings.engineKey(deviceOfTask(settings.device()));
        PreparedKey prepared = new PreparedKey(key, settings.sweepText(), settings.source(), settings.overrides(),
                settings.cache());
        return PREPARED.computeIfAbsent(prepared, k -> {
            Engine engine = ENGINES.computeIfAbsent(key, ExecutorEngines::open);
            Overrides overrides = Overrides.parse(settings.overrides());
            List<Configuration> configurations = SweepReader.parse(settings.sweepText(), settings.source(), overrides)
                    .configurations();
            SolveCache cache = settings.cache() == null ? null
                    : CACHES.computeIfAbsent(settings.cache(), uri -> FileSystemSolveCache.open(uri,
                    new org.apache.hadoop.conf.Configuration()));
            return new Prepared(configurations, new Profiler(engine, settings.source(), overrides, cache, 1));
        });
    }

    /** The engine of {@code settings} on this JVM's device for the calling thread (the driver: the settings'). */
    static Engine engine(JobSettings settings) {
        return ENGINES.computeIfAbsent(settings.engineKey(deviceOfTask(settings.device())), ExecutorEngines::open);
    }

    /** {@code cuda:N} where Spark assigned the running task GPU N, else {@code device}. */
    static String deviceOfTask(String device) {
        TaskContext task = TaskContext.get();
        if (task == null) {
            return device;
        }
        ResourceInformation gpu = task.resourcesJMap().get("gpu");
        if (gpu == null || gpu.addresses().length == 0) {
            return device;
        }
        return "cuda:" + gpu.addresses()[0];
    }

    private static Engine open(JobSettings.EngineKey key) {
        ModelRepository repository = key.modelsDir() != null ? new ModelRepository(Path.of(key.modelsDir()))
                : ModelRepository.fromEnvironment();
        return Engine.open(Backends.open(key.device()), key.threads(), 1, repository,
                Precision.parse(key.precision(), "--precision"), BatchingOptions.OFF);
    }
}

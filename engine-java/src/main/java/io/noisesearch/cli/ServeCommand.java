package io.noisesearch.cli;

import io.noisesearch.batching.BatchingOptions;
import io.noisesearch.engine.Engine;
import io.noisesearch.service.SearchService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * The HTTP search service until SIGTERM or SIGINT, which drain it: new searches are refused while the admitted ones
 * finish within the grace period; then the engine closes.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false, abbreviateSynopsis = true,
        description = "Serve searches over HTTP: POST /v1/search, GET /v1/models, /healthz, /readyz, /metrics"
                + " (docs/openapi.yaml).")
final class ServeCommand implements Callable<Integer> {

    /** Beyond this many waiting searches a queue only hides an overload. */
    static final int MAX_QUEUE = 100_000;
    static final int MAX_CONCURRENCY = 1024;

    @Spec
    CommandSpec spec;

    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
    String host;

    @Option(names = "--port", defaultValue = "8080",
            description = "Port to listen on; 0 takes a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--concurrency", defaultValue = "2",
            description = "Searches that run at once (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--queue", defaultValue = "64",
            description = "Searches that may wait for a slot; more are refused at once with 429 (default:"
                    + " ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--grace", defaultValue = "30",
            description = "Seconds a shutdown waits for the admitted searches (default: ${DEFAULT-VALUE}).")
    int graceSeconds;

    @Option(names = "--max-body", defaultValue = "65536",
            description = "Largest request body in bytes; larger ones get 413 (default: ${DEFAULT-VALUE}).")
    int maxBody;

    @Option(names = "--preload", split = ",", defaultValue = "gmm-image",
            description = "Models opened before the service reports ready, comma-separated (default:"
                    + " ${DEFAULT-VALUE}).")
    List<String> preload;

    @Option(names = "--batching", negatable = true, defaultValue = "false",
            description = "Merge the model calls of concurrent searches of one model into shared calls; each search's"
                    + " results stay those it gets alone (default: off).")
    boolean batching;

    @Option(names = "--batch-delay-us", defaultValue = "" + BatchingOptions.DEFAULT_DELAY_MICROS,
            description = "With --batching: how long a model call may wait for other searches' rows, in"
                    + " microseconds; never while every search is waiting (default: ${DEFAULT-VALUE}).")
    long batchDelayMicros;

    @Option(names = "--batch-max-rows", defaultValue = "" + BatchingOptions.DEFAULT_MAX_ROWS,
            description = "With --batching: the most rows of one merged call (default: ${DEFAULT-VALUE}).")
    int batchMaxRows;

    @Option(names = "--batch-calls", defaultValue = "" + BatchingOptions.AUTO_CALLS,
            description = "With --batching: merged calls of one model that may run at once (0: one per core on the"
                    + " CPU, one on a GPU; default: ${DEFAULT-VALUE}).")
    int batchCalls;

    @Mixin
    EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        OptionRange.check(spec, "--port", port, 0, 65535);
        OptionRange.check(spec, "--concurrency", concurrency, 1, MAX_CONCURRENCY);
        OptionRange.check(spec, "--queue", queue, 0, MAX_QUEUE);
        OptionRange.check(spec, "--grace", graceSeconds, 0, 3600, "seconds");
        OptionRange.check(spec, "--max-body", maxBody, 1024, 16 << 20);
        OptionRange.check(spec, "--batch-delay-us", batchDelayMicros, 0, BatchingOptions.MAX_DELAY_MICROS);
        OptionRange.check(spec, "--batch-max-rows", batchMaxRows, 1, BatchingOptions.MAX_ROWS);
        OptionRange.check(spec, "--batch-calls", batchCalls, BatchingOptions.AUTO_CALLS,
                BatchingOptions.MAX_CALLS_IN_FLIGHT);
        Engine opened = engine.open(engine.threads, new BatchingOptions(batching, batchDelayMicros, batchMaxRows,
                batchCalls));
        SearchService service;
        try {
            service = SearchService.start(opened, new SearchService.Settings(host, port, concurrency, queue,
                    Duration.ofSeconds(graceSeconds), maxBody, List.copyOf(preload)));
        } catch (RuntimeException e) {
            opened.close();
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof java.net.BindException) {
                    throw new ParameterException(spec.commandLine(), "--host " + host + " --port " + port
                            + ": cannot listen there (" + cause.getMessage() + ")");
                }
            }
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            opened.close();
            stopped.countDown();
        }, "noisesearch-shutdown"));
        PrintWriter out = spec.commandLine().getOut();
        out.println("serving on http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + service.port());
        out.flush();
        stopped.await();
        return 0;
    }
}

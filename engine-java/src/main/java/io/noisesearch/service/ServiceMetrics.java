package io.noisesearch.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.noisesearch.batching.BatchingOptions;
import io.noisesearch.compute.Compute;

import java.time.Duration;

/**
 * The service's meters in Prometheus text: queue depth and searches in flight, NFEs and forward passes by model and
 * algorithm (their rate is NFE/s), search and queue-wait latency histograms, requests by outcome, rejections by
 * reason, searches that reached their deadline, and cancellations by reason; with batching, rows and requests per
 * model call (the count of either is the calls made); and the JVM's garbage-collection pauses (jvm_gc_pause_seconds),
 * which stop every search and answer alike.
 */
final class ServiceMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gcPauses = new JvmGcMetrics();

    ServiceMetrics(Admission admission, BatchingOptions batching) {
        gcPauses.bindTo(registry);
        Gauge.builder("noisesearch.batching.enabled", batching, b -> b.enabled() ? 1 : 0)
                .description("Whether concurrent searches share model calls").register(registry);
        Gauge.builder("noisesearch.batching.max.delay.micros", batching, BatchingOptions::maxDelayMicros)
                .description("Longest wait of a model call for other searches' rows").register(registry);
        Gauge.builder("noisesearch.batching.calls.in.flight", batching, BatchingOptions::callsInFlight)
                .description("Merged calls of one model that may run at once").register(registry);
        Gauge.builder("noisesearch.queue.depth", admission, Admission::queued)
                .description("Searches waiting for a slot").register(registry);
        Gauge.builder("noisesearch.in.flight", admission, Admission::running)
                .description("Searches running").register(registry);
        Gauge.builder("noisesearch.queue.capacity", admission, Admission::capacity)
                .description("Searches that may wait").register(registry);
        Gauge.builder("noisesearch.concurrency", admission, Admission::concurrency)
                .description("Searches that may run at once").register(registry);
    }

    /** One search answered: its latency (queue wait excluded), the compute it spent, whether its deadline came. */
    void searched(String model, String algorithm, Duration latency, Compute compute, boolean deadlineReached) {
        Counter deadlines = Counter.builder("noisesearch.deadlines.reached")
                .description("Searches stopped by their deadline, answered with their best so far")
                .tags("model", model, "algorithm", algorithm).register(registry);
        if (deadlineReached) {
            deadlines.increment();
        }
        Timer.builder("noisesearch.search.latency").description("Search time, from slot to result")
                .tags("model", model, "algorithm", algorithm).publishPercentileHistogram()
                .maximumExpectedValue(Duration.ofMinutes(10)).register(registry).record(latency);
        Counter.builder("noisesearch.search.nfe").description("Denoiser evaluations (search and final)")
                .tags("model", model, "algorithm", algorithm).register(registry).increment(compute.totalNfe());
        Counter.builder("noisesearch.search.forward.passes").description("Denoiser forward passes")
                .tags("model", model, "algorithm", algorithm).register(registry).increment(compute.forwardPasses());
        Counter.builder("noisesearch.search.verifier.calls").description("Verifier calls")
                .tags("model", model, "algorithm", algorithm).register(registry).increment(compute.verifierCalls());
    }

    /** One model call of the engine's batchers: its rows and the searches' requests merged into it. */
    void modelCall(String model, int rows, int requests) {
        DistributionSummary.builder("noisesearch.batch.rows").description("Rows per model call")
                .tags("model", model).serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
                .register(registry).record(rows);
        DistributionSummary.builder("noisesearch.batch.requests").description("Requests merged per model call")
                .tags("model", model).serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64)
                .register(registry).record(requests);
    }

    /** A search cancelled before its end: {@code reason} is client_disconnected or shutdown. */
    void cancelled(String reason) {
        Counter.builder("noisesearch.cancellations").description("Searches cancelled, by reason")
                .tag("reason", reason).register(registry).increment();
    }

    void queueWait(Duration wait) {
        Timer.builder("noisesearch.queue.wait").description("Time from admission to a slot")
                .publishPercentileHistogram().maximumExpectedValue(Duration.ofMinutes(10)).register(registry)
                .record(wait);
    }

    /** A request answered with {@code status}; {@code reason} is null for a success. */
    void answered(int status, String reason) {
        Counter.builder("noisesearch.requests").description("Search requests answered, by status")
                .tag("status", Integer.toString(status)).register(registry).increment();
        if (reason != null) {
            Counter.builder("noisesearch.rejections").description("Search requests not served, by reason")
                    .tag("reason", reason).register(registry).increment();
        }
    }

    String scrape() {
        return registry.scrape();
    }

    void close() {
        gcPauses.close();
        registry.close();
    }
}

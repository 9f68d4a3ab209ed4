package io.noisesearch.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closed-loop load generator for {@code scripts/noisesearch serve} (scripts/loadtest runs it): for each number of
 * clients, that many virtual threads each send a search, wait for its answer and send the next, until the level's
 * time or request count is spent; an answer still outstanding at the level's end is given up ("cut") and the next
 * level starts once the server's queue and searches in flight are empty (read from /metrics). Prints throughput
 * and latency percentiles per level. Loopback only; JDK only, so that it runs as a source file without a build.
 *
 * <p>With a deadline D (ms, optional last argument) every request carries {@code deadlineMs} D and a batch size of a
 * sixteenth of the candidates (the pool goes in 16 solver batches, the search's anytime steps); the table adds how
 * many answers reached the deadline, how many of those had scored no candidate by then (answered with no search's
 * sample), how many were refused because their deadline passed in the queue ("late": 503 deadline_exceeded, nothing
 * run) or because the time left was below the estimated minimal answer ("unmeetable": 503 deadline_unmeetable, at
 * admission or when taken up), p50/p95/p99 of latency - D over the answered requests, p99 of the server's own time (its
 * Server-Timing "total", from arrival to the answer written) - D, p50 of the rest (client and loopback: "net"), p99 over
 * the level's answers of one model call of a batch (an answer's searchMillis over its calls, searchNfe / batch; its
 * scoring included, so a little long) and the verdict: "met" where p99 of latency - D is within that call. The time of
 * one call measured once beforehand, alone and without a deadline, heads the table. A line under each level says where
 * the answers' time went ({@link #PHASES}). A client whose deadline request is refused waits until D has passed since
 * it sent it before its next one, as if answered at D, so that refusals do not turn the closed loop into a flood.
 *
 * <p>Where the server batches model calls across searches, the last columns give the mean rows per model call of
 * the model during the level ("-" without batching) and the label (optional argument after D, e.g. "batching-on";
 * D 0 for no deadline).
 *
 * <p>Usage: {@code LoadTest PORT MODEL VERIFIER CLASSES CANDIDATES SECONDS MAX_REQUESTS CLIENTS[,CLIENTS...] [D
 * [LABEL]]}, or {@code LoadTest soak ...} ({@link Soak}); {@code -Dloadtest.warmup=N} sets the warm-up searches before
 * the levels (default 4, at least 1).
 */
public final class LoadTest {

    /** The status counted for an answer given up at the level's end. */
    static final int CUT = -2;
    /** Leftover searches of a level (cut answers cancel theirs at a batch boundary) are waited for at most this long. */
    static final double MAX_SETTLE_SECONDS = 600;

    private LoadTest() {
    }

    /** One level's outcome: latencies of the successful answers (ms), and the counts of the others. */
    record Level(int clients, double seconds, double[] millis, long rejected, long failed, long cut, long reached,
                 long unsearched, long late, long unmeetable, double[] serverMillis, double[] transportMillis,
                 double[] callMillis, Map<String, double[]> phases) {
    }

    /**
     * Where a deadline answer's time went, in the order of the exchange (ms): its Server-Timing spans before the
     * search's end, the search's end less D ("end - D": the engine's own overshoot, arrival-to-search-end), the spans
     * after it, the time the search kept for the answer, and the client's latency less the server's total ("net").
     */
    static final List<String> PHASES = List.of("receive", "queue", "end - D", "handoff", "encode", "reserve", "net");

    /** What a request asks for: its fields but the seed and class; {@code deadlineMs} 0 for none. */
    record Ask(String model, String verifier, int classes, int candidates, long deadlineMs) {

        int batchSize() {
            return deadlineMs > 0 ? Math.max(1, candidates / 16) : 256;
        }

        String body(long seed, boolean withDeadline) {
            String deadline = withDeadline && deadlineMs > 0 ? ",\"deadlineMs\":" + deadlineMs : "";
            return String.format(Locale.ROOT, "{\"model\":\"%s\",\"verifier\":\"%s\",\"class\":%d,"
                    + "\"algorithm\":\"random\",\"candidates\":%d,\"batchSize\":%d,\"seed\":%d%s}", model, verifier,
                    seed % classes, candidates, batchSize(), seed, deadline);
        }
    }

    /** The status and body of one answer, and its Server-Timing entries (name to ms; empty where none). */
    record Answer(int status, String body, Map<String, Double> timing) {

        Answer(int status, String body) {
            this(status, body, Map.of());
        }

        /** The server's time for the answer (Server-Timing "total", ms; NaN if none). */
        double serverMillis() {
            return timing.getOrDefault("total", Double.NaN);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("soak")) {
            Soak.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length < 8 || args.length > 10) {
            System.err.println("usage: LoadTest PORT MODEL VERIFIER CLASSES CANDIDATES SECONDS MAX_REQUESTS CLIENTS,..."
                    + " [DEADLINE_MS [LABEL]]");
            System.exit(2);
        }
        int port = Integer.parseInt(args[0]);
        if (port < 1 || port > 65535) {
            System.err.println("LoadTest: PORT must lie in 1..65535, got " + port);
            System.exit(2);
        }
        String model = args[1];
        String verifier = args[2];
        int classes = Integer.parseInt(args[3]);
        int candidates = Integer.parseInt(args[4]);
        double seconds = Double.parseDouble(args[5]);
        long maxRequests = Long.parseLong(args[6]);
        int[] levels = Arrays.stream(args[7].split(",")).mapToInt(Integer::parseInt).toArray();
        long deadlineMs = args.length >= 9 ? Long.parseLong(args[8]) : 0;
        String label = args.length == 10 ? args[9] : "";
        if (deadlineMs < 0 || deadlineMs > 3_600_000) {
            System.err.println("LoadTest: DEADLINE_MS must lie in 0..3600000, got " + deadlineMs);
            System.exit(2);
        }
        Ask ask = new Ask(model, verifier, classes, candidates, deadlineMs);
        URI uri = URI.create("http://127.0.0.1:" + port + "/v1/search");
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        AtomicLong seeds = new AtomicLong();
        // Warm-up: the first searches open the model's runtime state and lanes; the last one times a model call.
        Answer warm = null;
        for (int i = 0; i < Math.max(1, Integer.getInteger("loadtest.warmup", 4)); i++) {
            warm = send(client, uri, ask.body(seeds.getAndIncrement(), false));
        }
        if (deadlineMs > 0) {
            System.out.printf(Locale.ROOT, "deadline %d ms, random N=%d in batches of %d: one model call of a batch"
                    + " %.1f ms (one search without deadline, alone)%n", deadlineMs, candidates, ask.batchSize(),
                    callMillis(warm, ask.batchSize()));
        }
        System.out.printf(Locale.ROOT, "%-14s %7s %8s %6s %6s %6s %10s %9s %9s %9s %8s%s %9s%n", "model", "clients",
                "ok", "429", "errors", "cut", "req/s", "p50 ms", "p95 ms", "p99 ms", "settle s",
                deadlineMs > 0 ? String.format(Locale.ROOT, " %8s %10s %6s %10s %12s %12s %12s %14s %12s %12s %8s",
                        "reached", "unsearched", "late", "unmeetable", "p50 - D ms", "p95 - D ms", "p99 - D ms",
                        "srv p99 - D ms", "net p50 ms", "call p99 ms", "verdict") : "", "rows/call");
        for (int clients : levels) {
            double[] before = batchRows(client, port, model);
            double[] gcBefore = gcPauses(client, port);
            Level level = run(client, uri, ask, clients, seconds, maxRequests, seeds);
            double[] gcAfter = gcPauses(client, port);
            double[] sorted = level.millis().clone();
            Arrays.sort(sorted);
            double settle = settle(client, port);
            double[] after = batchRows(client, port, model);
            double calls = after[1] - before[1];
            String rowsPerCall = calls > 0 ? String.format(Locale.ROOT, "%.1f", (after[0] - before[0]) / calls) : "-";
            double overP99 = percentile(sorted, 99) - deadlineMs;
            double callP99 = percentile(level.callMillis(), 99);
            // the target: p99 of (answer time - D) within one model call (p99 of the level's calls)
            String verdict = sorted.length == 0 || Double.isNaN(callP99) ? "-" : overP99 <= callP99 ? "met" : "missed";
            String over = deadlineMs > 0 ? String.format(Locale.ROOT,
                    " %8d %10d %6d %10d %12.1f %12.1f %12.1f %14.1f %12.1f %12.1f %8s", level.reached(),
                    level.unsearched(), level.late(), level.unmeetable(), percentile(sorted, 50) - deadlineMs,
                    percentile(sorted, 95) - deadlineMs, overP99, percentile(level.serverMillis(), 99) - deadlineMs,
                    percentile(level.transportMillis(), 50), callP99, verdict) : "";
            System.out.printf(Locale.ROOT, "%-14s %7d %8d %6d %6d %6d %10.2f %9.1f %9.1f %9.1f %8.1f%s %9s %s%n",
                    model, clients, sorted.length, level.rejected(), level.failed(), level.cut(),
                    sorted.length / level.seconds(), percentile(sorted, 50), percentile(sorted, 95),
                    percentile(sorted, 99), settle, over, rowsPerCall, label);
            if (deadlineMs > 0 && !level.phases().isEmpty()) {
                StringBuilder line = new StringBuilder("    where the time went, p50/p99 ms:");
                for (String phase : PHASES) {
                    double[] values = level.phases().get(phase);
                    if (values != null) {
                        line.append(String.format(Locale.ROOT, " %s %.1f/%.1f,", phase, percentile(values, 50),
                                percentile(values, 99)));
                    }
                }
                System.out.println(line.substring(0, line.length() - 1) + String.format(Locale.ROOT,
                        "; server GC pauses %.0f, %.1f ms in all", gcAfter[1] - gcBefore[1],
                        (gcAfter[0] - gcBefore[0]) * 1e3));
            }
        }
    }

    /** The server's rows in batched model calls of the model and those calls ({0, 0} without batching). */
    private static double[] batchRows(HttpClient client, int port, String model) throws InterruptedException {
        URI metrics = URI.create("http://127.0.0.1:" + port + "/metrics");
        try {
            String text = client.send(HttpRequest.newBuilder(metrics).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            String tag = "{model=\"" + model + "\"}";
            double sum = gauge(text, "noisesearch_batch_rows_sum" + tag);
            double count = gauge(text, "noisesearch_batch_rows_count" + tag);
            return new double[] {Double.isNaN(sum) ? 0 : sum, Double.isNaN(count) ? 0 : count};
        } catch (java.io.IOException e) {
            return new double[] {0, 0};
        }
    }

    /** The server's garbage-collection pauses so far: {seconds in all, count}, summed over the collectors. */
    private static double[] gcPauses(HttpClient client, int port) throws InterruptedException {
        URI metrics = URI.create("http://127.0.0.1:" + port + "/metrics");
        double[] pauses = new double[2];
        try {
            String text = client.send(HttpRequest.newBuilder(metrics).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            for (String line : text.split("\n")) {
                int at = line.lastIndexOf(' ');
                if (line.startsWith("jvm_gc_pause_seconds_sum{")) {
                    pauses[0] += Double.parseDouble(line.substring(at + 1));
                } else if (line.startsWith("jvm_gc_pause_seconds_count{")) {
                    pauses[1] += Double.parseDouble(line.substring(at + 1));
                }
            }
        } catch (java.io.IOException e) {
            return pauses;
        }
        return pauses;
    }

    /** Milliseconds of one model call of {@code rows} rows: the answer's search time over its calls. */
    static double callMillis(Answer answer, int rows) {
        double searchMillis = number(answer.body(), "searchMillis");
        double calls = number(answer.body(), "searchNfe") / rows;
        return calls > 0 ? searchMillis / calls : Double.NaN;
    }

    /** The entries of a Server-Timing header, name to ms. */
    static Map<String, Double> timing(String header) {
        Map<String, Double> entries = new LinkedHashMap<>();
        var match = java.util.regex.Pattern.compile("([a-z-]+);dur=(-?[0-9.]+)").matcher(header);
        while (match.find()) {
            entries.put(match.group(1), Double.parseDouble(match.group(2)));
        }
        return entries;
    }

    /** A number field of a JSON text (the first of that name), NaN where absent. */
    static double number(String json, String field) {
        var match = java.util.regex.Pattern.compile("\"" + field + "\":(-?[0-9.eE+-]+)").matcher(json);
        return match.find() ? Double.parseDouble(match.group(1)) : Double.NaN;
    }

    private static Level run(HttpClient client, URI uri, Ask ask, int clients, double seconds, long maxRequests,
                             AtomicLong seeds) throws InterruptedException {
        ConcurrentLinkedQueue<Double> millis = new ConcurrentLinkedQueue<>();
        AtomicLong started = new AtomicLong();
        AtomicLong rejected = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong cut = new AtomicLong();
        AtomicLong reached = new AtomicLong();
        AtomicLong unsearched = new AtomicLong();
        AtomicLong late = new AtomicLong();
        AtomicLong unmeetable = new AtomicLong();
        ConcurrentLinkedQueue<Double> calls = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Double> server = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Double> transport = new ConcurrentLinkedQueue<>();
        Map<String, ConcurrentLinkedQueue<Double>> phases = new ConcurrentHashMap<>();
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            threads.add(Thread.ofVirtual().start(() -> {
                while (System.nanoTime() < end && started.incrementAndGet() <= maxRequests) {
                    String body = ask.body(seeds.getAndIncrement(), true);
                    long sent = System.nanoTime();
                    Answer answer = send(client, uri, body, end);
                    int status = answer.status();
                    if (status == CUT) {
                        cut.incrementAndGet();
                    } else if (status == 200) {
                        double latency = (System.nanoTime() - sent) / 1e6;
                        millis.add(latency);
                        if (!Double.isNaN(answer.serverMillis())) {
                            server.add(answer.serverMillis());
                            transport.add(latency - answer.serverMillis());
                        }
                        double call = ask.deadlineMs() > 0 ? callMillis(answer, ask.batchSize()) : Double.NaN;
                        if (!Double.isNaN(call)) {
                            calls.add(call);
                        }
                        if (ask.deadlineMs() > 0 && answer.timing().containsKey("search")) {
                            phases(answer.timing(), latency, ask.deadlineMs()).forEach((phase, ms) ->
                                    phases.computeIfAbsent(phase, p -> new ConcurrentLinkedQueue<>()).add(ms));
                        }
                        if (answer.body().contains("\"deadlineReached\":true")) {
                            reached.incrementAndGet();
                            if (answer.body().contains("\"trace\":[]")) {
                                unsearched.incrementAndGet();
                            }
                        }
                    } else if (status == 429) {
                        rejected.incrementAndGet();
                    } else if (status == 503 && answer.body().contains("\"deadline_exceeded\"")) {
                        late.incrementAndGet();
                    } else if (status == 503 && answer.body().contains("\"deadline_unmeetable\"")) {
                        unmeetable.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                    }
                    if (ask.deadlineMs() > 0 && status != 200 && status != CUT) {
                        // A refused client waits out its deadline, as if answered at D: refusals do not turn the
                        // closed loop into a flood of requests that only load the server.
                        long wait = sent + ask.deadlineMs() * 1_000_000L - System.nanoTime();
                        if (wait > 0) {
                            java.util.concurrent.locks.LockSupport.parkNanos(Math.min(wait, end - System.nanoTime()));
                        }
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        return new Level(clients, elapsed, millis.stream().mapToDouble(Double::doubleValue).toArray(), rejected.get(),
                failed.get(), cut.get(), reached.get(), unsearched.get(), late.get(), unmeetable.get(), sorted(server),
                sorted(transport), sorted(calls), phases.entrySet().stream().collect(
                        java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> sorted(e.getValue()))));
    }

    /** One deadline answer's {@link #PHASES} (ms) from its Server-Timing entries and the client's latency. */
    static Map<String, Double> phases(Map<String, Double> timing, double latency, long deadlineMs) {
        Map<String, Double> phases = new LinkedHashMap<>();
        double receive = timing.getOrDefault("receive", 0.0);
        double queue = timing.getOrDefault("queue", 0.0);
        phases.put("receive", receive);
        phases.put("queue", queue);
        phases.put("end - D", receive + queue + timing.get("search") - deadlineMs);
        for (String after : List.of("handoff", "encode", "reserve")) {
            phases.put(after, timing.getOrDefault(after, 0.0));
        }
        if (timing.containsKey("total")) {
            phases.put("net", latency - timing.get("total"));
        }
        return phases;
    }

    private static double[] sorted(java.util.Collection<Double> values) {
        double[] array = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(array);
        return array;
    }

    /** Seconds until the server has nothing queued or running (at most {@link #MAX_SETTLE_SECONDS}). */
    private static double settle(HttpClient client, int port) throws InterruptedException {
        URI metrics = URI.create("http://127.0.0.1:" + port + "/metrics");
        long start = System.nanoTime();
        while ((System.nanoTime() - start) / 1e9 < MAX_SETTLE_SECONDS) {
            try {
                String text = client.send(HttpRequest.newBuilder(metrics).GET().build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                if (gauge(text, "noisesearch_in_flight") == 0 && gauge(text, "noisesearch_queue_depth") == 0) {
                    break;
                }
            } catch (java.io.IOException e) {
                break;
            }
            Thread.sleep(100);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    static double gauge(String text, String name) {
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1).strip());
            }
        }
        return Double.NaN;
    }

    /** The answer; status -1 where no answer came, {@link #CUT} where none came before {@code deadline}. */
    static Answer send(HttpClient client, URI uri, String body, long deadline) {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        var answer = client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        try {
            HttpResponse<String> response = answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return new Answer(response.statusCode(), response.body(),
                    timing(response.headers().firstValue("Server-Timing").orElse("")));
        } catch (TimeoutException e) {
            answer.cancel(true);
            return new Answer(CUT, "");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(-1, "");
        } catch (ExecutionException e) {
            return new Answer(-1, "");
        }
    }

    static Answer send(HttpClient client, URI uri, String body) {
        return send(client, uri, body, System.nanoTime() + Duration.ofMinutes(10).toNanos());
    }

    /** Nearest-rank percentile of sorted values; NaN for none. */
    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /**
     * The soak: a fixed number of closed-loop clients for a fixed time, the clients spread over the models given
     * (random search, N = 16, no deadline), with the server's memory read every SAMPLE seconds once the warm-up is
     * over: RSS (/proc; its verdict reads RSS less the committed heap, which scripts/loadtest fixes and pre-touches
     * for the soak), the live heap (old generation used just after a full GC that jcmd asks for, so that garbage
     * not yet collected does not look like growth) and, where the server runs with -XX:NativeMemoryTracking, the
     * JVM's committed native memory outside the Java heap (NMT's total less its "Java Heap", whose committed size is
     * the collector's sizing, shown apart); where that grows, the NMT categories that grew are printed. Every
     * CHECK-th request asks for its sample; after the load those requests run again one at a time and must give the
     * same best key, score and sample bits. Ends with a verdict line per target of issue 11: no errors but
     * deliberate rejections, memory flat after warm-up (within {@link #FLAT_PERCENT}% of its first reading after
     * warm-up), sampled answers equal to the request alone.
     *
     * <p>Usage: {@code LoadTest soak PORT PID SECONDS CLIENTS WARMUP_SECONDS SAMPLE_SECONDS CHECK
     * MODEL:VERIFIER[,MODEL:VERIFIER...]}
     */
    static final class Soak {

        static final double FLAT_PERCENT = 10;
        /** At most this many of the checked requests run again alone (spread over the run). */
        static final int MAX_RECHECKS = 64;

        private Soak() {
        }

        /** A request that asked for its sample, and what its answer under load said. */
        record Checked(String body, String fingerprint) {
        }

        /** One reading of the server's memory, MB (NaN where not available), at {@code seconds} into the load. */
        record Memory(double seconds, long answers, double rssMb, double liveHeapMb, double heapCommittedMb,
                      double nativeMb, Map<String, Double> categories) {

            /** RSS less the committed heap: what is resident outside the heap where the heap is pre-touched. */
            double rssOutsideHeapMb() {
                return rssMb - heapCommittedMb;
            }
        }

        static void main(String[] args) throws Exception {
            if (args.length != 8) {
                System.err.println("usage: LoadTest soak PORT PID SECONDS CLIENTS WARMUP_SECONDS SAMPLE_SECONDS CHECK"
                        + " MODEL:VERIFIER[,...]");
                System.exit(2);
            }
            int port = Integer.parseInt(args[0]);
            long pid = Long.parseLong(args[1]);
            double seconds = Double.parseDouble(args[2]);
            int clients = Integer.parseInt(args[3]);
            double warmup = Double.parseDouble(args[4]);
            double every = Double.parseDouble(args[5]);
            int check = Integer.parseInt(args[6]);
            List<String[]> models = Arrays.stream(args[7].split(",")).map(m -> m.split(":", 2)).toList();
            if (clients < 1 || check < 1 || every <= 0 || warmup < 0 || warmup >= seconds
                    || models.stream().anyMatch(m -> m.length != 2)) {
                System.err.println("LoadTest soak: CLIENTS and CHECK >= 1, SAMPLE_SECONDS > 0, 0 <= WARMUP_SECONDS <"
                        + " SECONDS, models as MODEL:VERIFIER");
                System.exit(2);
            }
            URI uri = URI.create("http://127.0.0.1:" + port + "/v1/search");
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
            AtomicLong seeds = new AtomicLong();
            AtomicLong ok = new AtomicLong();
            AtomicLong rejected = new AtomicLong();
            AtomicLong failed = new AtomicLong();
            ConcurrentLinkedQueue<Checked> checked = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            System.out.printf(Locale.ROOT, "soak: %d clients for %.0f s over %s (random N=16), memory every %.0f s"
                    + " after %.0f s of warm-up, every %d-th answer checked; server pid %d%n", clients, seconds, args[7],
                    every, warmup, check, pid);
            long start = System.nanoTime();
            long end = start + (long) (seconds * 1e9);
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                String[] model = models.get(c % models.size());
                threads.add(Thread.ofVirtual().start(() -> {
                    while (System.nanoTime() < end) {
                        long seed = seeds.getAndIncrement();
                        boolean withSample = seed % check == 0;
                        String body = body(model[0], model[1], seed, withSample);
                        Answer answer = send(client, uri, body);
                        if (answer.status() == 200) {
                            ok.incrementAndGet();
                            if (withSample) {
                                checked.add(new Checked(body, fingerprint(answer.body())));
                            }
                        } else if (answer.status() == 429) {
                            rejected.incrementAndGet();
                        } else {
                            failed.incrementAndGet();
                            if (failures.size() < 5) {
                                failures.add(answer.status() + " " + answer.body());
                            }
                        }
                    }
                }));
            }
            List<Memory> readings = new ArrayList<>();
            long next = start + (long) (warmup * 1e9);
            System.out.printf(Locale.ROOT, "%8s %9s %10s %14s %14s %12s%n", "t s", "answers", "RSS MB", "live heap MB",
                    "heap comm. MB", "native MB");
            while (true) {
                long now = System.nanoTime();
                if (now >= end) {
                    break;
                }
                if (now < next) {
                    Thread.sleep(Math.min(200, Math.max(1, (next - now) / 1_000_000)));
                    continue;
                }
                Memory memory = memory(pid, (now - start) / 1e9, ok.get());
                readings.add(memory);
                print(memory);
                next += (long) (every * 1e9);
            }
            for (Thread thread : threads) {
                thread.join();
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            Memory last = memory(pid, elapsed, ok.get());
            readings.add(last);
            print(last);
            System.out.printf(Locale.ROOT, "answers %d (%.2f req/s), rejections (429) %d, errors %d%n", ok.get(),
                    ok.get() / elapsed, rejected.get(), failed.get());
            failures.forEach(f -> System.out.println("  error: " + f));
            int[] same = recheck(client, uri, List.copyOf(checked));
            Memory first = readings.getFirst();
            verdict("errors", failed.get() == 0, failed.get() + " errors, " + rejected.get()
                    + " deliberate rejections (target: no errors but deliberate rejections)");
            System.out.printf(Locale.ROOT, "RSS %.1f MB after warm-up, %.1f MB at the end%n", first.rssMb(),
                    last.rssMb());
            verdict("RSS outside the heap", flat(first.rssOutsideHeapMb(), readings, Memory::rssOutsideHeapMb),
                    growth("RSS less the committed heap", first, last, readings, Memory::rssOutsideHeapMb));
            verdict("live heap", flat(first.liveHeapMb(), readings, Memory::liveHeapMb), growth("live heap", first,
                    last, readings, Memory::liveHeapMb));
            if (Double.isNaN(first.nativeMb())) {
                System.out.println("verdict native memory: not measured (start the server with"
                        + " -XX:NativeMemoryTracking=summary; scripts/loadtest --soak does)");
            } else {
                verdict("native memory (NMT)", flat(first.nativeMb(), readings, Memory::nativeMb), growth(
                        "JVM native committed outside the heap", first, last, readings, Memory::nativeMb));
                System.out.println("  NMT categories, first reading after warm-up -> last, MB: "
                        + grown(first.categories(), last.categories()));
                Memory most = readings.stream().max(java.util.Comparator.comparingDouble(Memory::nativeMb))
                        .orElse(last);
                if (most != last) {
                    System.out.printf(Locale.ROOT, "  at the most native reading (%.0f s): %s%n", most.seconds(),
                            grown(first.categories(), most.categories()));
                }
            }
            verdict("answers equal alone", same[1] > 0 && same[0] == same[1], same[0] + " of " + same[1]
                    + " sampled answers equal the same request run alone (best key, score, sample bits)");
        }

        static String body(String model, String verifier, long seed, boolean withSample) {
            return String.format(Locale.ROOT, "{\"model\":\"%s\",\"verifier\":\"%s\",\"class\":%d,"
                    + "\"algorithm\":\"random\",\"candidates\":16,\"seed\":%d%s}", model, verifier, seed % 10,
                    seed, withSample ? ",\"sample\":\"floats\"" : "");
        }

        /** The answer's best key and score and its sample's values, hashed; null where a part is missing. */
        static String fingerprint(String json) {
            int best = json.indexOf("\"best\":{");
            int values = json.indexOf("\"values\":[");
            if (best < 0 || values < 0) {
                return null;
            }
            var key = java.util.regex.Pattern.compile("\"key\":(-?[0-9]+)").matcher(json);
            var score = java.util.regex.Pattern.compile("\"score\":([^,}]+)").matcher(json);
            if (!key.find(best) || !score.find(best)) {
                return null;
            }
            String sample = json.substring(values, json.indexOf(']', values) + 1);
            try {
                byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(
                        (key.group(1) + "|" + score.group(1) + "|" + sample).getBytes(
                                java.nio.charset.StandardCharsets.UTF_8));
                return java.util.HexFormat.of().formatHex(digest, 0, 8);
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        /** Runs up to {@link #MAX_RECHECKS} checked requests again, one at a time: {equal, compared}. */
        static int[] recheck(HttpClient client, URI uri, List<Checked> all) {
            int stride = Math.max(1, (all.size() + MAX_RECHECKS - 1) / MAX_RECHECKS);
            int equal = 0;
            int compared = 0;
            for (int i = 0; i < all.size(); i += stride) {
                Checked c = all.get(i);
                Answer alone = send(client, uri, c.body());
                String fingerprint = alone.status() == 200 ? fingerprint(alone.body()) : null;
                compared++;
                if (fingerprint != null && fingerprint.equals(c.fingerprint())) {
                    equal++;
                } else {
                    System.out.println("  differs alone: " + c.body() + " under load " + c.fingerprint() + ", alone "
                            + (fingerprint != null ? fingerprint : "status " + alone.status()));
                }
            }
            return new int[] {equal, compared};
        }

        static Memory memory(long pid, double seconds, long answers) {
            double rss = rssMb(pid);
            double live = liveHeapMb(pid);
            Map<String, Double> categories = nmtCategories(pid);
            Double total = categories.get(NMT_TOTAL);
            Double heap = categories.get("Java Heap");
            return new Memory(seconds, answers, rss, live, heap == null ? Double.NaN : heap,
                    total == null || heap == null ? Double.NaN : total - heap, categories);
        }

        static void print(Memory m) {
            System.out.printf(Locale.ROOT, "%8.0f %9d %10.1f %14.1f %14.1f %12.1f%n", m.seconds(), m.answers(),
                    m.rssMb(), m.liveHeapMb(), m.heapCommittedMb(), m.nativeMb());
        }

        /** The NMT categories whose committed size changed by at least 1 MB, "name a -> b", or "none". */
        static String grown(Map<String, Double> first, Map<String, Double> last) {
            List<String> changed = new ArrayList<>();
            for (Map.Entry<String, Double> entry : last.entrySet()) {
                double before = first.getOrDefault(entry.getKey(), 0.0);
                if (!entry.getKey().equals(NMT_TOTAL) && Math.abs(entry.getValue() - before) >= 1) {
                    changed.add(String.format(Locale.ROOT, "%s %.1f -> %.1f", entry.getKey(), before,
                            entry.getValue()));
                }
            }
            return changed.isEmpty() ? "none changed by 1 MB or more" : String.join(", ", changed);
        }

        static double rssMb(long pid) {
            try {
                java.nio.file.Path status = java.nio.file.Path.of("/proc/" + pid + "/status");
                for (String line : java.nio.file.Files.readAllLines(status)) {
                    if (line.startsWith("VmRSS:")) {
                        return Double.parseDouble(line.replaceAll("[^0-9]", "")) / 1024;
                    }
                }
            } catch (java.io.IOException | RuntimeException e) {
                return Double.NaN;
            }
            return Double.NaN;
        }

        /** Old generation used just after a full GC (jcmd GC.run, then jstat -gc), MB. */
        static double liveHeapMb(long pid) {
            String gc = tool("jcmd", Long.toString(pid), "GC.run");
            String stat = tool("jstat", "-gc", Long.toString(pid));
            if (gc == null || stat == null) {
                return Double.NaN;
            }
            String[] lines = stat.strip().split("\n");
            if (lines.length < 2) {
                return Double.NaN;
            }
            List<String> names = Arrays.asList(lines[0].trim().split("\\s+"));
            String[] values = lines[lines.length - 1].trim().split("\\s+");
            int ou = names.indexOf("OU");
            return ou < 0 || ou >= values.length ? Double.NaN : Double.parseDouble(values[ou]) / 1024;
        }

        /** The key of NMT's total among {@link #nmtCategories}. */
        static final String NMT_TOTAL = "Total";

        /** NMT's committed size per category (and {@link #NMT_TOTAL}), MB, in its order; empty where NMT is off. */
        static Map<String, Double> nmtCategories(long pid) {
            String summary = tool("jcmd", Long.toString(pid), "VM.native_memory", "summary");
            return summary == null ? Map.of() : parseNmt(summary);
        }

        static Map<String, Double> parseNmt(String summary) {
            Map<String, Double> categories = new LinkedHashMap<>();
            var total = java.util.regex.Pattern.compile("Total: reserved=[0-9]+KB, committed=([0-9]+)KB")
                    .matcher(summary);
            if (total.find()) {
                categories.put(NMT_TOTAL, Double.parseDouble(total.group(1)) / 1024);
            }
            var category = java.util.regex.Pattern.compile(
                    "(?m)^-\\s+(\\S.*?) \\(reserved=[0-9]+KB, committed=([0-9]+)KB\\)").matcher(summary);
            while (category.find()) {
                categories.put(category.group(1).strip(), Double.parseDouble(category.group(2)) / 1024);
            }
            return categories;
        }

        /** The output of a JDK tool beside this JVM, or null where it fails. */
        static String tool(String name, String... args) {
            List<String> command = new ArrayList<>();
            command.add(java.nio.file.Path.of(System.getProperty("java.home"), "bin", name).toString());
            command.addAll(Arrays.asList(args));
            try {
                Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
                String out = new String(process.getInputStream().readAllBytes(),
                        java.nio.charset.StandardCharsets.UTF_8);
                return process.waitFor() == 0 ? out : null;
            } catch (java.io.IOException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }

        /** Whether every reading after the first stays within {@link #FLAT_PERCENT}% of it. */
        static boolean flat(double first, List<Memory> readings, java.util.function.ToDoubleFunction<Memory> value) {
            if (Double.isNaN(first) || readings.size() < 2) {
                return false;
            }
            return readings.stream().mapToDouble(value).max().orElse(first) <= first * (1 + FLAT_PERCENT / 100);
        }

        static String growth(String what, Memory first, Memory last, List<Memory> readings,
                             java.util.function.ToDoubleFunction<Memory> value) {
            double a = value.applyAsDouble(first);
            double b = value.applyAsDouble(last);
            double most = readings.stream().mapToDouble(value).max().orElse(Double.NaN);
            return String.format(Locale.ROOT, "%s %.1f MB at %.0f s (after warm-up) -> %.1f MB at %.0f s (%+.1f%%, most"
                    + " %.1f MB; target: within %.0f%% of the first reading)", what, a, first.seconds(), b,
                    last.seconds(), 100 * (b - a) / a, most, FLAT_PERCENT);
        }

        static void verdict(String target, boolean met, String detail) {
            System.out.println("verdict " + target + ": " + (met ? "met" : "MISSED") + " - " + detail);
        }
    }
}

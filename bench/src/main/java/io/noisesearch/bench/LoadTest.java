package io.noisesearch.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
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
 * sample), p50/p99 of latency - D, and the time of one model call of such a batch
 * (measured once beforehand, without a deadline, from the answer's searchMillis and searchNfe). The target: p99 of
 * latency - D within one model call.
 *
 * <p>Where the server batches model calls across searches, the last columns give the mean rows per model call of
 * the model during the level ("-" without batching) and the label (optional argument after D, e.g. "batching-on";
 * D 0 for no deadline).
 *
 * <p>Usage: {@code LoadTest PORT MODEL VERIFIER CLASSES CANDIDATES SECONDS MAX_REQUESTS CLIENTS[,CLIENTS...] [D
 * [LABEL]]}
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
                 long unsearched) {
    }

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

    /** The status and body of one answer. */
    record Answer(int status, String body) {
    }

    public static void main(String[] args) throws Exception {
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
        for (int i = 0; i < 4; i++) {
            warm = send(client, uri, ask.body(seeds.getAndIncrement(), false));
        }
        if (deadlineMs > 0) {
            System.out.printf(Locale.ROOT, "deadline %d ms, random N=%d in batches of %d: one model call of a batch"
                    + " %.1f ms (one search without deadline, alone)%n", deadlineMs, candidates, ask.batchSize(),
                    callMillis(warm, ask.batchSize()));
        }
        System.out.printf(Locale.ROOT, "%-14s %7s %8s %6s %6s %6s %10s %9s %9s %9s %8s%s %9s%n", "model", "clients",
                "ok", "429", "errors", "cut", "req/s", "p50 ms", "p95 ms", "p99 ms", "settle s",
                deadlineMs > 0 ? String.format(Locale.ROOT, " %8s %10s %12s %12s", "reached", "unsearched",
                        "p50 - D ms", "p99 - D ms")
                        : "", "rows/call");
        for (int clients : levels) {
            double[] before = batchRows(client, port, model);
            Level level = run(client, uri, ask, clients, seconds, maxRequests, seeds);
            double[] sorted = level.millis().clone();
            Arrays.sort(sorted);
            double settle = settle(client, port);
            double[] after = batchRows(client, port, model);
            double calls = after[1] - before[1];
            String rowsPerCall = calls > 0 ? String.format(Locale.ROOT, "%.1f", (after[0] - before[0]) / calls) : "-";
            String over = deadlineMs > 0 ? String.format(Locale.ROOT, " %8d %10d %12.1f %12.1f", level.reached(),
                    level.unsearched(), percentile(sorted, 50) - deadlineMs, percentile(sorted, 99) - deadlineMs) : "";
            System.out.printf(Locale.ROOT, "%-14s %7d %8d %6d %6d %6d %10.2f %9.1f %9.1f %9.1f %8.1f%s %9s %s%n",
                    model, clients, sorted.length, level.rejected(), level.failed(), level.cut(),
                    sorted.length / level.seconds(), percentile(sorted, 50), percentile(sorted, 95),
                    percentile(sorted, 99), settle, over, rowsPerCall, label);
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

    /** Milliseconds of one model call of {@code rows} rows: the answer's search time over its calls. */
    static double callMillis(Answer answer, int rows) {
        double searchMillis = number(answer.body(), "searchMillis");
        double calls = number(answer.body(), "searchNfe") / rows;
        return calls > 0 ? searchMillis / calls : Double.NaN;
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
                        millis.add((System.nanoTime() - sent) / 1e6);
                        if (answer.body().contains("\"deadlineReached\":true")) {
                            reached.incrementAndGet();
                            if (answer.body().contains("\"trace\":[]")) {
                                unsearched.incrementAndGet();
                            }
                        }
                    } else if (status == 429) {
                        rejected.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                    }
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        return new Level(clients, elapsed, millis.stream().mapToDouble(Double::doubleValue).toArray(), rejected.get(),
                failed.get(), cut.get(), reached.get(), unsearched.get());
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

    private static double gauge(String text, String name) {
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ")) {
                return Double.parseDouble(line.substring(name.length() + 1).strip());
            }
        }
        return Double.NaN;
    }

    /** The answer; status -1 where no answer came, {@link #CUT} where none came before {@code deadline}. */
    private static Answer send(HttpClient client, URI uri, String body, long deadline) {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        var answer = client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
        try {
            HttpResponse<String> response = answer.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return new Answer(response.statusCode(), response.body());
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

    private static Answer send(HttpClient client, URI uri, String body) {
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
}

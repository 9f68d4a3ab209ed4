package io.noisesearch.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.noisesearch.report.ReportTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Reads JMH JSON results (files, or every *.json in a folder) and prints one Markdown table per benchmark class:
 * the practical peak, model calls with their share of the peak at the same thread count, searches with candidates
 * per second and (from -prof gc) bytes allocated per search and per candidate, kernels and noise.
 * Usage: {@code java -cp benchmarks.jar io.noisesearch.bench.Summary RESULTS...}
 */
public final class Summary {

    private static final String PACKAGE = "io.noisesearch.bench.";

    /** One JMH result: benchmark class and method, parameters, the primary score and the secondary scores. */
    record Result(String benchmark, Map<String, String> params, double score, double error,
                  Map<String, Double> secondary) {

        String param(String name) {
            return params.getOrDefault(name, "");
        }

        int intParam(String name) {
            return Integer.parseInt(param(name));
        }

        double metric(String name) {
            return secondary.getOrDefault(name, Double.NaN);
        }

        /** An auxiliary counter per operation: its rate over the operation rate of the same iterations. */
        double perOperation(String counter) {
            return metric(counter) / score;
        }
    }

    /** The per-candidate allocation between two pool sizes of one search configuration. */
    record Slope(double candidatesSmall, double bytesSmall, double candidatesLarge, double bytesLarge) {

        double bytesPerCandidate() {
            return (bytesLarge - bytesSmall) / (candidatesLarge - candidatesSmall);
        }
    }

    private Summary() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length == 0) {
            System.err.println("usage: Summary RESULTS.json|FOLDER...");
            System.exit(2);
        }
        List<Result> results = new ArrayList<>();
        for (String arg : args) {
            results.addAll(read(Path.of(arg)));
        }
        System.out.print(render(results));
    }

    static List<Result> read(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            List<Result> all = new ArrayList<>();
            try (Stream<Path> files = Files.list(path)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                    all.addAll(read(file));
                }
            }
            return all;
        }
        return parse(new ObjectMapper().readTree(path.toFile()));
    }

    static List<Result> parse(JsonNode root) {
        List<Result> results = new ArrayList<>();
        for (JsonNode node : root) {
            Map<String, String> params = new TreeMap<>();
            node.path("params").properties().forEach(e -> params.put(e.getKey(), e.getValue().asText()));
            Map<String, Double> secondary = new LinkedHashMap<>();
            node.path("secondaryMetrics").properties()
                    .forEach(e -> secondary.put(e.getKey(), e.getValue().path("score").asDouble(Double.NaN)));
            JsonNode primary = node.path("primaryMetric");
            results.add(new Result(node.path("benchmark").asText().replace(PACKAGE, ""), params,
                    primary.path("score").asDouble(Double.NaN), primary.path("scoreError").asDouble(Double.NaN),
                    secondary));
        }
        return results;
    }

    static String render(List<Result> results) {
        StringBuilder out = new StringBuilder();
        Map<String, Double> peak = peakByThreads(results);
        section(out, "Practical peak: n^3 float32 matrix product through ONNX Runtime", peakTable(results));
        section(out, "Model calls (rows/s; GFLOP/s from the manifest's FLOPs per row; % of the peak at the same threads)",
                modelTable(results, peak));
        section(out, "Searches (Engine API, warm; search solver Euler x10)", searchTable(results));
        section(out, "Allocation per candidate (slope of gc.alloc.rate.norm between two pool sizes)",
                slopeTable(results));
        section(out, "Host kernels on [4096, 4096] (MiB read + written per second)", kernelTable(results));
        section(out, "Host noise (elements/s)", noiseTable(results));
        return out.toString();
    }

    private static void section(StringBuilder out, String title, String table) {
        if (table != null) {
            out.append("\n## ").append(title).append("\n\n").append(table);
        }
    }

    private static List<Result> of(List<Result> results, String benchmarkClass) {
        return results.stream().filter(r -> r.benchmark().startsWith(benchmarkClass + ".")).toList();
    }

    /** Peak GFLOP/s per threads parameter; the largest product size measured wins. */
    static Map<String, Double> peakByThreads(List<Result> results) {
        Map<String, Double> peak = new TreeMap<>();
        Map<String, Integer> size = new TreeMap<>();
        for (Result r : of(results, "PeakBenchmark")) {
            if (r.intParam("size") >= size.getOrDefault(r.param("threads"), 0)) {
                size.put(r.param("threads"), r.intParam("size"));
                peak.put(r.param("threads"), r.metric("gflop"));
            }
        }
        return peak;
    }

    private static String peakTable(List<Result> results) {
        List<List<String>> rows = of(results, "PeakBenchmark").stream()
                .map(r -> List.of(r.param("size"), r.param("threads"), number(r.score()), number(r.metric("gflop"))))
                .toList();
        return rows.isEmpty() ? null : ReportTable.render(List.of("n", "threads", "products/s", "GFLOP/s"), rows);
    }

    private static String modelTable(List<Result> results, Map<String, Double> peak) {
        List<List<String>> rows = of(results, "ModelBenchmark").stream()
                .sorted(Comparator.comparing((Result r) -> r.param("model")).thenComparing(r -> r.param("threads"))
                        .thenComparingInt(r -> r.intParam("batch")))
                .map(r -> List.of(r.param("model"), r.param("batch"), r.param("threads"), number(r.score()),
                        number(r.metric("rows")), number(r.metric("gflop")),
                        percent(r.metric("gflop"), peak.getOrDefault(r.param("threads"), Double.NaN))))
                .toList();
        return rows.isEmpty() ? null : ReportTable.render(
                List.of("model", "batch", "threads", "calls/s", "rows/s", "GFLOP/s", "% of peak"), rows);
    }

    private static String searchTable(List<Result> results) {
        List<List<String>> rows = searches(results).stream()
                .map(r -> List.of(r.param("model"), r.param("algorithm"), r.param("pool"), r.param("batch"),
                        r.param("threads"), number(r.perOperation("candidates")), number(r.score()),
                        number(r.metric("candidates")), bytes(r.metric("gc.alloc.rate.norm")),
                        bytes(r.metric("gc.alloc.rate.norm") / r.perOperation("candidates"))))
                .toList();
        return rows.isEmpty() ? null : ReportTable.render(List.of("model", "algorithm", "pool", "batch", "threads",
                "candidates/search", "searches/s", "candidates/s", "alloc/search", "alloc/candidate"), rows);
    }

    private static List<Result> searches(List<Result> results) {
        return of(results, "SearchBenchmark").stream()
                .sorted(Comparator.comparing((Result r) -> r.param("model")).thenComparing(r -> r.param("algorithm"))
                        .thenComparing(r -> r.param("threads")).thenComparing(r -> r.param("batch"))
                        .thenComparingInt(r -> r.intParam("pool")))
                .toList();
    }

    /** Per (model, algorithm, batch, threads): the smallest and the largest pool measured with -prof gc. */
    static Map<String, Slope> slopes(List<Result> results) {
        Map<String, List<Result>> groups = new LinkedHashMap<>();
        for (Result r : searches(results)) {
            if (!Double.isNaN(r.metric("gc.alloc.rate.norm"))) {
                String key = String.join(" | ", r.param("model"), r.param("algorithm"), r.param("batch"),
                        r.param("threads"));
                groups.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
            }
        }
        Map<String, Slope> slopes = new LinkedHashMap<>();
        groups.forEach((key, group) -> {
            Result small = group.getFirst();
            Result large = group.getLast();
            if (small.intParam("pool") != large.intParam("pool")) {
                slopes.put(key, new Slope(small.perOperation("candidates"), small.metric("gc.alloc.rate.norm"),
                        large.perOperation("candidates"), large.metric("gc.alloc.rate.norm")));
            }
        });
        return slopes;
    }

    private static String slopeTable(List<Result> results) {
        List<List<String>> rows = new ArrayList<>();
        slopes(results).forEach((key, s) -> {
            List<String> row = new ArrayList<>(List.of(key.split(" \\| ")));
            row.addAll(List.of(number(s.candidatesSmall()) + " -> " + number(s.candidatesLarge()),
                    bytes(s.bytesSmall()) + " -> " + bytes(s.bytesLarge()), bytes(s.bytesPerCandidate())));
            rows.add(row);
        });
        return rows.isEmpty() ? null : ReportTable.render(List.of("model", "algorithm", "batch", "threads",
                "candidates/search", "alloc/search", "alloc/candidate (slope)"), rows);
    }

    private static String kernelTable(List<Result> results) {
        List<List<String>> rows = of(results, "KernelBenchmark").stream()
                .map(r -> List.of(r.benchmark().substring(r.benchmark().indexOf('.') + 1), r.param("threads"),
                        number(r.score()), number(r.metric("mebibytes"))))
                .toList();
        return rows.isEmpty() ? null : ReportTable.render(List.of("kernel", "threads", "calls/s", "MiB/s"), rows);
    }

    private static String noiseTable(List<Result> results) {
        List<List<String>> rows = of(results, "NoiseBenchmark").stream()
                .map(r -> List.of(r.param("shape"), r.param("threads"), number(r.score()), number(r.metric("elements"))))
                .toList();
        return rows.isEmpty() ? null : ReportTable.render(List.of("rows x dim", "threads", "calls/s", "elements/s"),
                rows);
    }

    /** Three significant digits, with k/M/G above a thousand. */
    static String number(double value) {
        if (Double.isNaN(value)) {
            return "-";
        }
        double magnitude = Math.abs(value);
        if (magnitude >= 1e9) {
            return String.format(Locale.ROOT, "%.3g G", value / 1e9);
        }
        if (magnitude >= 1e6) {
            return String.format(Locale.ROOT, "%.3g M", value / 1e6);
        }
        if (magnitude >= 1e4) {
            return String.format(Locale.ROOT, "%.3g k", value / 1e3);
        }
        return String.format(Locale.ROOT, magnitude >= 100 || value == Math.rint(value) ? "%.0f" : "%.3g", value);
    }

    /** Bytes with three significant digits: B, kB, MB, GB. */
    static String bytes(double value) {
        if (Double.isNaN(value)) {
            return "-";
        }
        String scaled = number(value);
        return scaled.endsWith(" G") || scaled.endsWith(" M") || scaled.endsWith(" k")
                ? scaled.substring(0, scaled.length() - 2) + " " + scaled.charAt(scaled.length() - 1) + "B"
                : scaled + " B";
    }

    static String percent(double part, double whole) {
        return Double.isNaN(part) || Double.isNaN(whole) ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * part / whole);
    }
}

package io.noisesearch.profile;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code index.html}: the sweep on one self-contained page that opens offline: every plot (PNG as a data URI) and one
 * table per series with every metric and the compute of each configuration.
 */
final class IndexPage {

    static final String FILE = "index.html";

    private record Column(String name, Function<ProfileResult, String> value) {
    }

    private static final String STYLE = """
            body { font-family: sans-serif; margin: 2em; color: #222; }
            table { border-collapse: collapse; margin-bottom: 2em; font-size: 0.9em; }
            th, td { border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: right; }
            th { background: #f0f0f0; }
            td.text { text-align: left; }
            .plots img { max-width: 49%; }
            """;

    private IndexPage() {
    }

    static String html(String title, String summary, List<ProfileResult> results, List<Plots.Plot> plots) {
        StringBuilder page = new StringBuilder();
        page.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(escape(title)).append("</title>\n<style>\n").append(STYLE).append("</style>\n</head>\n<body>\n")
                .append("<h1>").append(escape(title)).append("</h1>\n<p>").append(escape(summary)).append("</p>\n");
        reuse(page, results);
        cache(page, results);
        page.append("<h2>Plots</h2>\n<div class=\"plots\">\n");
        for (Plots.Plot plot : plots) {
            page.append("<img alt=\"").append(escape(plot.title())).append("\" src=\"data:image/png;base64,")
                    .append(Base64.getEncoder().encodeToString(plot.png())).append("\">\n");
        }
        page.append("</div>\n<h2>Configurations</h2>\n");
        Map<Series, List<ProfileResult>> groups = Series.group(results);
        Map<Series, String> labels = Series.labels(groups.keySet());
        List<Column> columns = columns(results);
        groups.forEach((series, rows) -> table(page, labels.get(series), columns, rows));
        return page.append("</body>\n</html>\n").toString();
    }

    /** What ran against what was spent, where the solve cache served candidates solved or scored before. */
    private static void cache(StringBuilder page, List<ProfileResult> results) {
        double spent = ReuseGroup.spent(results);
        double ran = ReuseGroup.ran(results);
        if (ran >= spent) {
            return;
        }
        page.append("<h2>Solve cache</h2>\n<p>").append(escape(String.format(Locale.ROOT, "Candidates drawn from"
                + " their key and solved over a full grid, and their verifier scores, are kept in the solve cache and"
                + " read back where a configuration or a later run meets them again; each point's compute is still"
                + " what it would spend alone. Spent in all: %.4f GFLOPs, of which %.4f ran and %.4f were served by"
                + " the cache (accounted: %.4f).", spent, ran, spent - ran, ReuseGroup.accounted(results))))
                .append("</p>\n");
    }

    /** Spent against accounted GFLOPs, where points shared a best-of-N pool. */
    private static void reuse(StringBuilder page, List<ProfileResult> results) {
        List<ReuseGroup> groups = ReuseGroup.of(results);
        if (groups.isEmpty()) {
            return;
        }
        page.append("<h2>Prefix reuse</h2>\n<p>").append(escape(String.format(Locale.ROOT, "Best-of-N points that"
                        + " differ only in N are derived from the pool of the largest (its first N candidates); in the"
                        + " plots and tables each point's compute is what it would spend alone. Spent in all: %.4f"
                        + " GFLOPs for %.4f accounted.", ReuseGroup.spent(results), ReuseGroup.accounted(results))))
                .append("</p>\n<table>\n<tr><th>pool</th><th>candidates</th><th>spent GFLOPs</th>"
                        + "<th>accounted GFLOPs</th><th>largest point alone</th><th>spent / largest</th></tr>\n");
        for (ReuseGroup group : groups) {
            page.append("<tr><td class=\"text\">").append(escape(group.pool().describe()))
                    .append("</td><td class=\"text\">").append(escape(group.candidates()))
                    .append("</td><td>").append(number(group.spentGflops()))
                    .append("</td><td>").append(number(group.accountedGflops()))
                    .append("</td><td>").append(number(group.pool().compute().gflops()))
                    .append("</td><td>").append(String.format(Locale.ROOT, "%.3fx", group.overLargest()))
                    .append("</td></tr>\n");
        }
        page.append("</table>\n");
    }

    private static void table(StringBuilder page, String label, List<Column> columns, List<ProfileResult> rows) {
        page.append("<h3>").append(escape(label)).append("</h3>\n<table>\n<tr>");
        columns.forEach(c -> page.append("<th>").append(escape(c.name())).append("</th>"));
        page.append("</tr>\n");
        for (ProfileResult r : rows) {
            page.append("<tr>");
            for (Column c : columns) {
                String value = c.value().apply(r);
                boolean text = c.name().equals("id") || c.name().equals("parameters") || c.name().contains("solver");
                page.append(text ? "<td class=\"text\">" : "<td>").append(escape(value)).append("</td>");
            }
            page.append("</tr>\n");
        }
        page.append("</table>\n");
    }

    /** The configuration's columns, every metric some result has, then compute and measurements. */
    private static List<Column> columns(List<ProfileResult> results) {
        List<Column> columns = new ArrayList<>(List.of(
                new Column("id", ProfileResult::id),
                new Column("parameters", r -> r.configuration().parametersText()),
                new Column("search solver", r -> r.configuration().algorithm().equals("none") ? "-"
                        : r.solvers().search()),
                new Column("final solver", r -> r.solvers().last()),
                new Column("budget", r -> r.configuration().budgetText()),
                new Column("samples", r -> String.valueOf(r.samples()))));
        for (Metric metric : Metric.values()) {
            if (results.stream().anyMatch(r -> metric.of(r) != null)) {
                columns.add(new Column(metric.label(), r -> number(metric.of(r))));
            }
        }
        if (results.stream().anyMatch(r -> r.quality().perClassAccuracy() != null)) {
            columns.add(new Column("per-class accuracy", r -> r.quality().perClassAccuracy() == null ? ""
                    : String.join(" ", r.quality().perClassAccuracy().stream().map(a -> a == null ? "-"
                            : String.format(Locale.ROOT, "%.2f", a)).toList())));
        }
        columns.addAll(List.of(
                new Column("search NFEs / sample", r -> number(r.searchNfePerSample())),
                new Column("total NFEs / sample", r -> number(r.totalNfePerSample())),
                new Column("forward passes", r -> String.valueOf(r.compute().forwardPasses())),
                new Column("verifier calls", r -> String.valueOf(r.compute().verifierCalls())),
                new Column("denoiser GFLOPs", r -> number(r.compute().denoiserGflops())),
                new Column("verifier GFLOPs", r -> number(r.compute().verifierGflops())),
                new Column("GFLOPs / sample", r -> number(r.gflopsPerSample())),
                new Column("budget exhausted", r -> String.valueOf(r.compute().budgetExhausted())),
                new Column("spent GFLOPs", r -> number(r.spent().gflops())),
                new Column("ran GFLOPs", r -> number(r.ran().gflops())),
                new Column("wall s", r -> number(r.measured().wallMillis() / 1000.0)),
                new Column("peak heap MiB", r -> number(r.measured().peakHeapBytes() / 1048576.0))));
        return columns;
    }

    private static String number(Double value) {
        if (value == null) {
            return "-";
        }
        double magnitude = Math.abs(value);
        return String.format(Locale.ROOT, magnitude >= 100 || value == Math.rint(value) ? "%.1f"
                : magnitude >= 1 ? "%.3f" : "%.4f", value);
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}

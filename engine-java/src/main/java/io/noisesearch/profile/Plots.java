package io.noisesearch.profile;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * The sweep's plots (XChart, PNG): every metric the results have, against NFEs and against GFLOPs per sample on
 * logarithmic axes, one line per series (algorithm x verifier; {@code none} is the denoising-steps-only line), the
 * Pareto frontier marked. The NFE axis counts search and final NFEs, so that the steps-only line, which spends
 * everything on its final solve, has somewhere to go. Sweeps with budgets in GFLOPs also get each metric against the
 * budget, where only the configurations with such a budget have a place. Sweeps with budgets in NFEs also get each
 * metric's frontier per algorithm: its best value over the algorithm's settings at each budget, on a log2 axis.
 * Verifiers' scores are on their own scales (a log-probability, a cosine), so where a sweep has several verifiers the
 * verifier score gets plots of its own per verifier, each with its own frontier.
 */
final class Plots {

    static {
        // Drawn off screen: no display is needed or wanted, and AWT must not look for one.
        System.setProperty("java.awt.headless", "true");
    }

    /** Wide enough for the plot and a legend of a series per line beside it. */
    private static final int WIDTH = 1040;
    private static final int HEIGHT = 520;

    /** The compute axes. */
    enum ComputeAxis {
        NFE("nfe", "NFEs per sample (search + final)", ProfileResult::totalNfePerSample),
        GFLOPS("gflops", "GFLOPs per sample (denoiser + verifier)", ProfileResult::gflopsPerSample),
        /** Drawn where a sweep has budgets in GFLOPs; configurations without one have no place on it (NaN). */
        BUDGET_GFLOPS("budget-gflops", "search budget, denoiser GFLOPs per sample",
                r -> r.configuration().budgetGflops() == null ? Double.NaN : r.configuration().budgetGflops());

        final String id;
        final String label;
        final ToDoubleFunction<ProfileResult> value;

        ComputeAxis(String id, String label, ToDoubleFunction<ProfileResult> value) {
            this.id = id;
            this.label = label;
            this.value = value;
        }
    }

    /** One drawn plot: its file name in the output folder, its title and the PNG's bytes. */
    record Plot(String file, String title, byte[] png) {
    }

    private Plots() {
    }

    static List<Plot> draw(List<ProfileResult> results, String sweepName) {
        Map<Series, List<ProfileResult>> groups = Series.group(results);
        Map<Series, String> labels = Series.labels(groups.keySet());
        Map<String, List<ProfileResult>> verifiers = new TreeMap<>();
        results.forEach(r -> verifiers.computeIfAbsent(r.configuration().verifier(), v -> new ArrayList<>()).add(r));
        List<Plot> plots = new ArrayList<>();
        for (Metric metric : Metric.values()) {
            if (metric == Metric.VERIFIER_SCORE && verifiers.size() > 1) {
                verifiers.forEach((verifier, own) -> draw(metric, own, verifier, groups, labels, sweepName, plots));
            } else {
                draw(metric, results, null, groups, labels, sweepName, plots);
            }
        }
        return plots;
    }

    /** The plots of one metric over the given results; {@code verifier} names them where they hold only its own. */
    private static void draw(Metric metric, List<ProfileResult> results, String verifier,
                             Map<Series, List<ProfileResult>> groups, Map<Series, String> labels, String sweepName,
                             List<Plot> plots) {
        if (results.stream().noneMatch(r -> metric.of(r) != null)) {
            return;
        }
        Panel panel = verifier == null ? new Panel(metric.id(), metric.label())
                : new Panel(metric.id() + "-" + fileSafe(verifier), metric.label() + " of " + verifier);
        Map<Series, List<ProfileResult>> own = groups;
        if (verifier != null) {
            own = new LinkedHashMap<>();
            for (Map.Entry<Series, List<ProfileResult>> e : groups.entrySet()) {
                if (e.getKey().verifier().equals(verifier)) {
                    own.put(e.getKey(), e.getValue());
                }
            }
        }
        for (ComputeAxis axis : ComputeAxis.values()) {
            if (axis != ComputeAxis.BUDGET_GFLOPS || results.stream()
                    .anyMatch(r -> r.configuration().budgetGflops() != null && metric.of(r) != null)) {
                plots.add(plot(metric, panel, axis, own, labels, sweepName));
            }
        }
        List<FrontierLine> lines = bestPerBudget(results, metric);
        if (!lines.isEmpty()) {
            plots.add(frontierPlot(metric, panel, lines, sweepName));
        }
    }

    /** A plot's file-name stem and the quantity on its y axis: the metric's, or the metric of one verifier. */
    private record Panel(String id, String label) {
    }

    /** "ssl@0.7" as "ssl-0.7": verifier names hold characters a file name should not. */
    static String fileSafe(String name) {
        return name.replaceAll("[^A-Za-z0-9.]+", "-").replaceAll("^-|-$", "");
    }

    /**
     * One line of the per-budget frontier: x the search budget in NFEs, y the best value of the metric over the
     * line's configurations at that budget. {@code none} (no search, no budget) is a flat line at its best value
     * across the sweep's budgets, for reference.
     */
    record FrontierLine(String label, boolean none, List<Pareto.Point> points) {
    }

    /**
     * The per-budget frontier of each series (algorithm x verifier, as the other plots), split by search solver
     * kind where a series searches with several (e.g. random over Heun and over Euler-Maruyama), so that settings
     * of one algorithm collapse to their best at each budget instead of zigzagging. Empty when no configuration
     * has a budget in NFEs.
     */
    static List<FrontierLine> bestPerBudget(List<ProfileResult> results, Metric metric) {
        TreeMap<Long, Boolean> budgets = new TreeMap<>();
        results.stream().filter(r -> metric.of(r) != null && r.configuration().budgetNfe() != null
                && r.configuration().budgetNfe() > 0).forEach(r -> budgets.put(r.configuration().budgetNfe(), true));
        if (budgets.isEmpty()) {
            return List.of();
        }
        Comparator<Double> better = metric.higherIsBetter() ? Comparator.naturalOrder() : Comparator.reverseOrder();
        Map<Series, List<ProfileResult>> groups = Series.group(results);
        Map<Series, String> labels = Series.labels(groups.keySet());
        List<FrontierLine> lines = new ArrayList<>();
        groups.forEach((series, members) -> {
            if (series.algorithm().equals("none")) {
                members.stream().map(metric::of).filter(v -> v != null).max(better).ifPresent(v -> lines.add(
                        new FrontierLine(labels.get(series) + ", no search", true, List.of(
                                new Pareto.Point(budgets.firstKey(), v), new Pareto.Point(budgets.lastKey(), v)))));
                return;
            }
            Map<String, TreeMap<Long, Double>> bySolver = new LinkedHashMap<>();
            for (ProfileResult r : members) {
                Double v = metric.of(r);
                Long budget = r.configuration().budgetNfe();
                if (v != null && budget != null && budget > 0) {
                    bySolver.computeIfAbsent(r.solvers().search().split(" ", 2)[0], k -> new TreeMap<>())
                            .merge(budget, v, (a, b) -> better.compare(a, b) >= 0 ? a : b);
                }
            }
            bySolver.forEach((solver, best) -> lines.add(new FrontierLine(
                    labels.get(series) + (bySolver.size() > 1 ? " (search " + solver + ")" : ""), false,
                    best.entrySet().stream().map(e -> new Pareto.Point(e.getKey(), e.getValue())).toList())));
        });
        return lines;
    }

    private static Plot frontierPlot(Metric metric, Panel panel, List<FrontierLine> lines, String sweepName) {
        String title = "best " + panel.label() + " per search budget"
                + (sweepName == null ? "" : " (" + sweepName + ")");
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("search budget, NFEs per sample (log2 axis); each algorithm's best setting")
                .yAxisTitle(panel.label() + (metric.higherIsBetter() ? " (higher is better)" : " (lower is better)"))
                .build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE).setChartBackgroundColor(Color.WHITE)
                .setMarkerSize(8);
        // x is log2 of the budget on a linear axis, so that doubling budgets are evenly spaced and labelled as NFEs.
        chart.getStyler().setxAxisTickLabelsFormattingFunction(v -> Math.abs(v - Math.rint(v)) < 1e-9
                ? String.valueOf(Math.round(Math.pow(2, Math.rint(v)))) : "");
        for (FrontierLine line : lines) {
            double[] xs = line.points().stream().mapToDouble(p -> Math.log(p.compute()) / Math.log(2)).toArray();
            XYSeries drawn = chart.addSeries(line.label(), xs, ys(line.points()));
            drawn.setMarker(line.none() ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
            if (line.none()) {
                drawn.setLineColor(Color.GRAY);
            }
        }
        try {
            return new Plot(panel.id() + "-best-vs-budget.png", title,
                    BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Plot plot(Metric metric, Panel panel, ComputeAxis axis, Map<Series, List<ProfileResult>> groups,
                             Map<Series, String> labels, String sweepName) {
        String title = panel.label() + " vs " + switch (axis) {
            case NFE -> "NFEs";
            case GFLOPS -> "GFLOPs";
            case BUDGET_GFLOPS -> "budget (GFLOPs)";
        }
                + (sweepName == null ? "" : " (" + sweepName + ")");
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(axis.label)
                .yAxisTitle(panel.label() + (metric.higherIsBetter() ? " (higher is better)" : " (lower is better)"))
                .build();
        chart.getStyler().setXAxisLogarithmic(true).setLegendPosition(Styler.LegendPosition.OutsideE)
                .setChartBackgroundColor(Color.WHITE).setMarkerSize(8);
        List<Pareto.Point> all = new ArrayList<>();
        groups.forEach((series, results) -> {
            List<Pareto.Point> points = points(results, metric, axis);
            if (!points.isEmpty()) {
                XYSeries line = chart.addSeries(labels.get(series), xs(points), ys(points));
                line.setMarker(series.algorithm().equals("none") ? SeriesMarkers.SQUARE : SeriesMarkers.CIRCLE);
                all.addAll(points);
            }
        });
        List<Pareto.Point> frontier = Pareto.frontier(all, metric.higherIsBetter());
        XYSeries marked = chart.addSeries("Pareto frontier", xs(frontier), ys(frontier));
        marked.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        marked.setMarker(SeriesMarkers.DIAMOND);
        marked.setMarkerColor(Color.BLACK);
        try {
            return new Plot(panel.id() + "-vs-" + axis.id + ".png", title,
                    BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Pareto.Point> points(List<ProfileResult> results, Metric metric, ComputeAxis axis) {
        List<Pareto.Point> points = new ArrayList<>();
        for (ProfileResult r : results) {
            Double quality = metric.of(r);
            double compute = axis.value.applyAsDouble(r);
            if (quality != null && Double.isFinite(compute) && compute > 0) {
                points.add(new Pareto.Point(compute, quality));
            }
        }
        points.sort(Comparator.comparingDouble(Pareto.Point::compute));
        return points;
    }

    private static double[] xs(List<Pareto.Point> points) {
        return points.stream().mapToDouble(Pareto.Point::compute).toArray();
    }

    private static double[] ys(List<Pareto.Point> points) {
        return points.stream().mapToDouble(Pareto.Point::quality).toArray();
    }
}

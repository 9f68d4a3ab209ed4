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
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The sweep's plots (XChart, PNG): every metric the results have, against NFEs and against GFLOPs per sample on
 * logarithmic axes, one line per series (algorithm x verifier; {@code none} is the denoising-steps-only line), the
 * Pareto frontier marked. The NFE axis counts search and final NFEs, so that the steps-only line, which spends
 * everything on its final solve, has somewhere to go. Sweeps with budgets in GFLOPs also get each metric against the
 * budget, where only the configurations with such a budget have a place.
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
        List<Plot> plots = new ArrayList<>();
        for (Metric metric : Metric.values()) {
            if (results.stream().anyMatch(r -> metric.of(r) != null)) {
                for (ComputeAxis axis : ComputeAxis.values()) {
                    if (axis != ComputeAxis.BUDGET_GFLOPS || results.stream()
                            .anyMatch(r -> r.configuration().budgetGflops() != null && metric.of(r) != null)) {
                        plots.add(plot(metric, axis, groups, labels, sweepName));
                    }
                }
            }
        }
        return plots;
    }

    private static Plot plot(Metric metric, ComputeAxis axis, Map<Series, List<ProfileResult>> groups,
                             Map<Series, String> labels, String sweepName) {
        String title = metric.label() + " vs " + switch (axis) {
            case NFE -> "NFEs";
            case GFLOPS -> "GFLOPs";
            case BUDGET_GFLOPS -> "budget (GFLOPs)";
        }
                + (sweepName == null ? "" : " (" + sweepName + ")");
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(axis.label)
                .yAxisTitle(metric.label() + (metric.higherIsBetter() ? " (higher is better)" : " (lower is better)"))
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
            return new Plot(metric.id() + "-vs-" + axis.id + ".png", title,
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

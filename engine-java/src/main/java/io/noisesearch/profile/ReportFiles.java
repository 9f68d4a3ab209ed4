package io.noisesearch.profile;

import io.noisesearch.format.OutputDirectory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What a profile folder shows of its results: {@code results.csv}, a plot per metric and axis, {@code index.html}. */
public final class ReportFiles {

    private ReportFiles() {
    }

    /** Writes every file whole, drawn from {@code results}; returns their names, results.jsonl first. */
    public static List<String> write(OutputDirectory dir, RunInfo run, List<ProfileResult> results) throws IOException {
        List<String> files = new ArrayList<>(List.of(ResultsLog.FILE));
        dir.write(ResultsCsv.FILE, file -> Files.writeString(file, ResultsCsv.text(results)));
        files.add(ResultsCsv.FILE);
        String title = "noisesearch profile: " + (run.sweep() != null ? run.sweep() : run.source());
        List<Plots.Plot> plots = results.isEmpty() ? List.of() : Plots.draw(results, run.sweep());
        for (Plots.Plot plot : plots) {
            dir.write(plot.file(), file -> Files.write(file, plot.png()));
            files.add(plot.file());
        }
        String page = IndexPage.html(title, about(run, results), results, plots);
        dir.write(IndexPage.FILE, file -> Files.writeString(file, page, StandardCharsets.UTF_8));
        files.add(IndexPage.FILE);
        return files;
    }

    private static String about(RunInfo run, List<ProfileResult> results) {
        EvaluationSet set = run.evaluation();
        String shards = run.shards().equals(List.of(Shard.ALL.toString())) ? ""
                : (run.shards().size() == 1 ? " (shard " : " (shards ") + String.join(", ", run.shards()) + ")";
        return String.format(Locale.ROOT, "%d configurations of %s%s on %s. Each generates %d per class%s with seeds"
                        + " from %d and is measured by the model's evaluation network (trained models) or the exact"
                        + " oracle log-density (mixtures). NFEs per sample count search and final NFEs; GFLOPs count"
                        + " the denoiser (forward passes x FLOPs per pass) and the verifier, each configuration as if"
                        + " it ran alone; peak heap is the JVM heap pools' peak usage while the configuration ran"
                        + " (native memory not included).",
                results.size(), run.source(), shards,
                String.join(", ", run.devices()), set.perClass(),
                set.classes() == null ? " of every class" : " of classes " + set.classes(), set.firstSeed());
    }
}

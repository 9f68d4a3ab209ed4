package io.noisesearch.cli;

import io.noisesearch.format.Json;
import io.noisesearch.format.Npz;
import io.noisesearch.format.OutputDirectory;
import io.noisesearch.report.ReportTable;
import io.noisesearch.shapes.Aspect;
import io.noisesearch.shapes.CheckSummary;
import io.noisesearch.shapes.CheckedSamples;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code shapes-check --samples FILE.npz}: the shapes checker on images and their captions (docs/t2i.md); prints
 * the table of aspects by caption category and writes {@code <out>/check.json}.
 */
@Command(name = "shapes-check", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Judge shapes images against their captions with the exact checker; print the category table"
                + " and write check.json.")
final class ShapesCheckCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--samples", required = true, description = "The .npz: images (or arr_0) uint8 [N,32,32,3] and"
            + " captions (or prompts), a unicode array [N].")
    Path samples;

    @Option(names = "--out", defaultValue = "out/shapes-check",
            description = "Folder for check.json (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws Exception {
        try (OutputDirectory dir = OutputDirectory.open(out, "--out")) {
            CheckSummary summary = CheckedSamples.check(Npz.read(samples));
            Path written = dir.write("check.json",
                    file -> Json.write(file, CheckedSamples.document(samples.toString(), summary)));
            PrintWriter o = spec.commandLine().getOut();
            o.print(table(summary));
            o.println("-> " + written);
            o.flush();
        }
        return 0;
    }

    /** Rows: categories then all; cells: share passing with the count, "-" where the aspect does not apply. */
    static String table(CheckSummary summary) {
        List<String> header = new ArrayList<>(List.of("category", "n"));
        for (Aspect aspect : Aspect.values()) {
            header.add(aspect.label());
        }
        List<List<String>> rows = new ArrayList<>();
        summary.rows().forEach((label, tally) -> {
            List<String> row = new ArrayList<>(List.of(label, Integer.toString(tally.samples())));
            for (Aspect aspect : Aspect.values()) {
                row.add(tally.judged(aspect) == 0 ? "-" : String.format(Locale.ROOT, "%.1f%% (%d)",
                        100 * tally.rate(aspect), tally.passed(aspect)));
            }
            rows.add(row);
        });
        return ReportTable.render(header, rows);
    }
}

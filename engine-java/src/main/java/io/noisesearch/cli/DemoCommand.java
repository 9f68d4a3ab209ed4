package io.noisesearch.cli;

import io.noisesearch.engine.Engine;
import io.noisesearch.io.DemoReport;
import io.noisesearch.io.OutputDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** Compares no search, random, zero-order and paths at one search budget; see {@link Demo}. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false, abbreviateSynopsis = true,
        description = "Compare no search with random, zero-order and paths search at one equal search budget on"
                + " gmm-image (every class, oracle verifier); write report.json and report.md.")
final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--seeds-per-class", defaultValue = "20",
            description = "Seeds per class; each method runs classes x seeds searches (default: ${DEFAULT-VALUE}).")
    int seedsPerClass;

    /**
     * With gmm-image's Heun x10 (19 NFEs a solve) four paths at the demo's path settings cost exactly 352 NFEs, and
     * random and zero-order fit 18 solves (342): the methods' granularities line up.
     */
    @Option(names = "--budget-nfe", defaultValue = "352",
            description = "Search NFEs every method plans at least and may not exceed (default: ${DEFAULT-VALUE}).")
    long budgetNfe;

    @Mixin
    EngineOptions engineOptions;

    /**
     * The demo's batches are a few rows of 256 values: splitting them over threads costs more than it saves, and on
     * a busy machine a parallel region that waits for a descheduled thread costs milliseconds per kernel.
     */
    @Option(names = "--threads", defaultValue = "1",
            description = "Kernel threads per search; 0 uses every core (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--out", defaultValue = "out/demo",
            description = "Folder for report.json and report.md (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (seedsPerClass < 1) {
            throw new ParameterException(spec.commandLine(), "--seeds-per-class must be at least 1, got " + seedsPerClass);
        }
        if (budgetNfe < 1) {
            throw new ParameterException(spec.commandLine(), "--budget-nfe must be at least 1, got " + budgetNfe);
        }
        Path dir = OutputDirectory.prepare(out, "--out");
        PrintWriter console = spec.commandLine().getOut();
        console.printf(Locale.ROOT, "noisesearch demo: %s, %s verifier, every class x %d seeds, %d search NFEs"
                + " per search method%n", Demo.MODEL, Demo.VERIFIER, seedsPerClass, budgetNfe);
        console.flush();
        long start = System.nanoTime();
        DemoReport report;
        try (Engine engine = engineOptions.open(threads)) {
            report = new Demo(engine, engineOptions.backend, budgetNfe, seedsPerClass).run();
        }
        report.write(dir);
        console.print(report.table());
        console.printf(Locale.ROOT, "%.1f s; report in %s and %s%n", (System.nanoTime() - start) / 1e9,
                dir.resolve("report.md"), dir.resolve("report.json"));
        console.flush();
        return 0;
    }
}

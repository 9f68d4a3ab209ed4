package io.noisesearch.cli;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.engine.Engine;
import io.noisesearch.format.OutputDirectory;
import io.noisesearch.profile.DiskCache;
import io.noisesearch.profile.Overrides;
import io.noisesearch.profile.ProfileRun;
import io.noisesearch.profile.ProgressDisplay;
import io.noisesearch.profile.ResultsLog;
import io.noisesearch.profile.Shard;
import io.noisesearch.profile.Sweep;
import io.noisesearch.profile.SweepReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

import java.io.Console;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Profiling runs: every configuration of a sweep file (bench/sweeps/README.md) generates its evaluation set and is
 * measured for quality and compute; writes {@code results.jsonl} (a line per configuration as it finishes),
 * {@code results.csv}, a plot per metric and compute axis and {@code index.html}.
 */
@Command(name = "profile", mixinStandardHelpOptions = true, sortOptions = false, abbreviateSynopsis = true,
        description = "Run a sweep of configurations and measure quality against compute (NFEs, GFLOPs); write"
                + " results.jsonl, results.csv, plots and index.html. 'profile merge OUT DIR...' joins shard folders.",
        subcommands = ProfileMergeCommand.class)
final class ProfileCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** Optional to picocli, so that {@code profile merge} parses without one; required by {@link #call}. */
    @Parameters(index = "0", arity = "0..1", paramLabel = "SWEEP.yaml",
            description = "The sweep file (see bench/sweeps/README.md).")
    Path sweepFile;

    @Option(names = "--out", defaultValue = "out/profile",
            description = "Folder for results.jsonl, results.csv, the plots and index.html (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--dry-run", description = "Print the configurations with their planned NFEs and GFLOPs per"
            + " sample and the sweep's GFLOPs, accounted and to spend with prefix reuse; run nothing, write nothing.")
    boolean dryRun;

    @Option(names = "--resume", description = "Continue the sweep whose results.jsonl is in --out: skip the"
            + " configurations it holds.")
    boolean resume;

    @Option(names = "--shard", paramLabel = "i/n", defaultValue = "0/1", converter = ShardConverter.class,
            description = "Run shard i of n (configuration k belongs to shard k mod n) (default: ${DEFAULT-VALUE}).")
    Shard shard;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Replace a top-level key of the sweep file, or"
            + " evaluation.KEY, with VALUE read as YAML (--set models=mnist-flow-l, --set 'finalSteps=[10, 25]');"
            + " repeatable. The ids follow the configurations, so --resume needs the same overrides.")
    List<String> overrides = new ArrayList<>();

    /** More units at once than this only queue on the cores; the bound keeps a typo from opening hundreds of lanes. */
    static final int MAX_WORKERS = 64;

    int workers = 1;

    @Option(names = "--workers", paramLabel = "k", defaultValue = "1", description = "Run k configurations (or"
            + " best-of-N groups) at once on the engine, each search on --threads threads; results.jsonl ends in the"
            + " sweep's order as with one (default: ${DEFAULT-VALUE}, at most " + MAX_WORKERS + ").")
    void workers(int count) {
        OptionRange.check(spec, "--workers", count, 1, MAX_WORKERS);
        workers = count;
    }

    @Option(names = "--cache", paramLabel = "DIR", description = "Folder of the solve cache: solved samples and"
            + " verifier scores of keyed candidates, shared by every configuration and by later sweeps that name the"
            + " same folder (default: OUT/cache).")
    Path cache;

    @Option(names = "--no-cache", description = "Keep no solve cache: every configuration solves its candidates.")
    boolean noCache;

    @Mixin
    EngineOptions engine;

    static final class ShardConverter implements ITypeConverter<Shard> {
        @Override
        public Shard convert(String text) {
            try {
                return Shard.parse(text);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /**
     * A bar above the lines where standard error is a terminal (the process has a console whose input and output are
     * terminals, and on Linux its error stream is one too); plain lines otherwise (pipes, CI, tests).
     */
    private ProgressDisplay display() {
        PrintWriter err = spec.commandLine().getErr();
        Console console = System.console();
        if (console == null || !console.isTerminal() || !stderrIsTerminal() || "dumb".equals(System.getenv("TERM"))) {
            return ProgressDisplay.lines(err);
        }
        err.flush();
        return ProgressDisplay.bar(System.err, columns());
    }

    /** Linux names the terminal that file descriptor 2 is open on; elsewhere the console's word stands. */
    private static boolean stderrIsTerminal() {
        Path fd = Path.of("/proc/self/fd/2");
        try {
            String target = Files.readSymbolicLink(fd).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return !Files.exists(Path.of("/proc/self"));
        }
    }

    /** The terminal's width where the shell exports it, else 100 columns. */
    private static int columns() {
        try {
            int columns = Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "100").strip());
            return columns >= 40 ? columns - 1 : 100;
        } catch (NumberFormatException e) {
            return 100;
        }
    }

    @Override
    public Integer call() throws Exception {
        if (sweepFile == null) {
            throw new ParameterException(spec.commandLine(), "Missing required parameter: 'SWEEP.yaml'");
        }
        String source = sweepFile.toString();
        Overrides set = Overrides.parse(overrides);
        Sweep sweep = SweepReader.read(sweepFile, set);
        PrintWriter stdout = spec.commandLine().getOut();
        if (dryRun) {
            try (Engine opened = engine.open()) {
                ProfileRun run = new ProfileRun(opened, sweep, source, set);
                run.check();
                run.printPlan(stdout, shard);
            }
            return 0;
        }
        if (noCache && cache != null) {
            throw new InvalidRequestException("--cache and --no-cache exclude each other");
        }
        try (OutputDirectory dir = OutputDirectory.open(out, "--out"); Engine opened = engine.open();
             DiskCache solves = noCache ? null : DiskCache.open(cache != null ? cache : dir.path().resolve("cache"),
                     cache != null ? "--cache" : "--out", line -> warn(line))) {
            ProfileRun run = new ProfileRun(opened, sweep, source, set, solves);
            run.check();
            try (ResultsLog log = ResultsLog.open(dir.path(), resume, "--resume", run.ids())) {
                ProfileRun.Summary summary;
                try (ProgressDisplay display = display()) {
                    summary = run.run(dir, log, shard, display, workers);
                }
                stdout.printf(Locale.ROOT, "profiled %d configurations of %s (%d run now, %d resumed) in %.1f s,"
                                + " %.4f GFLOPs spent for %.4f accounted, %.4f of them run (the solve cache served the"
                                + " rest) -> %s: %s%n", summary.configurations(), source,
                        summary.ran(), summary.resumed(), summary.wallMillis() / 1000.0, summary.spentGflops(),
                        summary.accountedGflops(), summary.ranGflops(), dir.path(), String.join(", ", summary.files()));
                stdout.flush();
            }
        }
        return 0;
    }

    private void warn(String line) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("profile: warning: " + line);
        err.flush();
    }
}

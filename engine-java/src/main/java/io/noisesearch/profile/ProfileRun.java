package io.noisesearch.profile;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.NoiseSearchException;
import io.noisesearch.engine.Engine;
import io.noisesearch.format.OutputDirectory;
import io.noisesearch.search.NoSearch;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.SolveCache;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.MemoryPoolMXBean;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A sweep run on an engine: its plan ({@code --dry-run}), or its configurations of one shard run in order (several
 * units at once with workers), each appended to {@code results.jsonl} as it finishes (those already there skipped),
 * with a progress line per configuration; then the file in the sweep's order, and {@code results.csv}, the plots and
 * {@code index.html} drawn from every result in it.
 */
public final class ProfileRun {

    /**
     * What a run did: configurations of its shard, how many it ran and how many it found done, files written, and
     * the GFLOPs that the results in results.jsonl spent against those they account for, each as if it ran alone
     * (less spent where best-of-N points shared a pool), and of those spent the GFLOPs that ran (less where the solve
     * cache served candidates solved or scored before).
     */
    public record Summary(int configurations, int ran, int resumed, List<String> files, long wallMillis,
                          double spentGflops, double accountedGflops, double ranGflops) {
    }

    private final Engine engine;
    private final Sweep sweep;
    private final String source;
    private final Overrides overrides;
    private final SolveCache cache;
    private final Profiler profiler;
    private final List<Configuration> configurations;

    /** @param source the sweep file's name, for messages and the report */
    public ProfileRun(Engine engine, Sweep sweep, String source) {
        this(engine, sweep, source, Overrides.NONE);
    }

    /** @param overrides the {@code --set} options the sweep was read with, for messages */
    public ProfileRun(Engine engine, Sweep sweep, String source, Overrides overrides) {
        this(engine, sweep, source, overrides, null);
    }

    /** @param cache the solve cache the configurations share (null: none) */
    public ProfileRun(Engine engine, Sweep sweep, String source, Overrides overrides, SolveCache cache) {
        this.engine = engine;
        this.sweep = sweep;
        this.source = source;
        this.overrides = overrides;
        this.cache = cache;
        this.profiler = new Profiler(engine, source, overrides, cache, 1);
        this.configurations = sweep.configurations();
    }

    /** Checks the sweep against the engine's models and verifiers (one line naming the key, else nothing). */
    public void check() {
        profiler.check(sweep);
    }

    public List<Configuration> configurations() {
        return configurations;
    }

    /** The measuring of single configurations and units, on this run's engine, cache and sweep. */
    public Profiler profiler() {
        return profiler;
    }

    /**
     * Every configuration's index in the units that run together: best-of-N points that differ only in N from one
     * pool, every other configuration alone; in the order of their first configuration.
     */
    public List<List<Integer>> units() {
        return PrefixReuse.units(configurations, shardOf(Shard.ALL), profiler::plan);
    }

    /** The ids of every configuration of the sweep in its order, whatever the shard. */
    public List<String> ids() {
        return configurations.stream().map(Configuration::id).toList();
    }

    /** Prints the shard's configurations with their planned NFEs and denoiser GFLOPs per sample, and the totals. */
    public void printPlan(PrintWriter out, Shard shard) {
        List<Integer> mine = shardOf(shard);
        out.printf(Locale.ROOT, "%s: %d configurations%s%n", source, mine.size(),
                shard.count() > 1 ? " in shard " + shard + " of " + configurations.size() : "");
        out.printf(Locale.ROOT, "%5s  %-12s  %12s  %11s  %14s  %7s  %s%n", "index", "id", "search NFEs", "final NFEs",
                "denoiser GFLOPs", "samples", "configuration");
        long search = 0;
        long last = 0;
        double gflops = 0;
        for (int k : mine) {
            Profiler.Plan plan = profiler.plan(configurations.get(k));
            String searchNfe = plan.cappedSearchNfe() < plan.searchNfe()
                    ? plan.cappedSearchNfe() + " (of " + plan.searchNfe() + ")" : String.valueOf(plan.searchNfe());
            out.printf(Locale.ROOT, "%5d  %-12s  %12s  %11d  %14.4f  %7d  %s %s%n", k, configurations.get(k).id(),
                    searchNfe, plan.finalNfe(), plan.denoiserGflops(), plan.samples(),
                    configurations.get(k).model(), describe(plan));
            search += plan.cappedSearchNfe() * plan.samples();
            last += plan.finalNfe() * plan.samples();
            gflops += plan.denoiserGflops() * plan.samples();
        }
        out.printf(Locale.ROOT, "planned, per sample above and in all: %d search NFEs, %d final NFEs, %.2f denoiser"
                + " GFLOPs (closed forms; budgets cap the search NFEs; verifier GFLOPs are measured, not planned)%n",
                search, last, gflops);
        PlannedSpend spend = plannedSpend(mine);
        out.printf(Locale.ROOT, "sweep totals, denoiser GFLOPs: %.2f accounted (each configuration as if it ran alone),"
                        + " %.2f planned to spend with prefix reuse (%d best-of-N groups of %d configurations: each"
                        + " group its largest pool, plus at most one final solve per sample for each smaller N)%s%n",
                spend.accounted(), spend.spent(), spend.groups(), spend.grouped(),
                spend.spent() < spend.accounted() ? String.format(Locale.ROOT, ", %.2fx less",
                        spend.accounted() / spend.spent()) : "");
        out.flush();
    }

    /**
     * Denoiser GFLOPs of a shard's configurations by the closed forms: accounted, each as if it ran alone, and to be
     * spent with prefix reuse (an upper bound: a smaller N's winner is solved anew only where it differs from the
     * pool's and from the smaller points' before it).
     *
     * @param grouped configurations in best-of-N groups of two or more
     */
    record PlannedSpend(double accounted, double spent, int groups, int grouped) {
    }

    PlannedSpend plannedSpend(List<Integer> indices) {
        double accounted = 0;
        double spent = 0;
        int groups = 0;
        int grouped = 0;
        for (List<Integer> unit : PrefixReuse.units(configurations, indices, profiler::plan)) {
            List<Profiler.Plan> plans = unit.stream().map(k -> profiler.plan(configurations.get(k))).toList();
            for (Profiler.Plan p : plans) {
                accounted += p.denoiserGflops() * p.samples();
            }
            if (plans.size() == 1) {
                spent += plans.getFirst().denoiserGflops() * plans.getFirst().samples();
                continue;
            }
            groups++;
            grouped += plans.size();
            Profiler.Plan pool = plans.stream().max(Comparator.comparingLong(Profiler.Plan::cappedSearchNfe))
                    .orElseThrow();
            long flopsPerPass = engine.model(pool.configuration().model()).info().flopsPerSample();
            for (Profiler.Plan p : plans) {
                spent += p == pool ? p.denoiserGflops() * p.samples()
                        : (double) p.last().fullNfe() * p.passes() * flopsPerPass / 1e9 * p.samples();
            }
        }
        return new PlannedSpend(accounted, spent, groups, grouped);
    }

    /** The configuration in one line; a budget in GFLOPs with the NFEs it allows the search. */
    private static String describe(Profiler.Plan plan) {
        String text = plan.configuration().describe(plan.search().toString(), plan.last().toString());
        return plan.configuration().budgetGflops() == null ? text : text + " (" + plan.budgetNfe() + " search NFEs)";
    }

    /** {@link #run(OutputDirectory, ResultsLog, Shard, ProgressDisplay, int)} with plain lines and one worker. */
    public Summary run(OutputDirectory dir, ResultsLog log, Shard shard, PrintWriter progress) throws IOException {
        try (ProgressDisplay lines = ProgressDisplay.lines(progress)) {
            return run(dir, log, shard, lines, 1);
        }
    }

    /**
     * Runs the shard's configurations that {@code log} does not hold yet, best-of-N points that differ only in N
     * from one pool ({@link PrefixReuse}), {@code workers} units at once on the engine; each result is appended to
     * {@code log} as its unit finishes, and at the end the log is put in the sweep's order. Then writes
     * {@code run.json} and the tables, plots and page of everything {@code log} holds.
     */
    public Summary run(OutputDirectory dir, ResultsLog log, Shard shard, ProgressDisplay display, int workers)
            throws IOException {
        long start = System.nanoTime();
        List<Integer> mine = shardOf(shard);
        RunInfo info = runInfo(shard);
        RunInfo earlier = RunInfo.read(dir.path());
        info = earlier != null && earlier.sameSweep(info) ? earlier.and(info) : info;
        info.write(dir);
        // Units in the order of their first configuration in the shard: with one worker they finish in this order.
        List<List<Integer>> units = PrefixReuse.units(configurations, mine, profiler::plan).stream()
                .map(unit -> unit.stream().filter(k -> !log.contains(configurations.get(k).id())).toList())
                .filter(unit -> !unit.isEmpty()).toList();
        List<Integer> todo = units.stream().flatMap(List::stream).toList();
        display.line(String.format(Locale.ROOT, "profile: %d configurations%s, %d already in %s, %d to run%s",
                mine.size(), shard.count() > 1 ? " in shard " + shard : "", mine.size() - todo.size(),
                ResultsLog.FILE, todo.size(), workers > 1 ? ", " + workers + " at once" : ""));
        warmUp(todo);
        Progress meter = new Progress(units.stream()
                .map(unit -> unit.stream().map(k -> profiler.plan(configurations.get(k))).toList()).toList());
        Profiler measuring = workers == 1 ? profiler : new Profiler(engine, source, overrides, cache, workers);
        if (workers > 1) {
            Profiler.heapPools().forEach(MemoryPoolMXBean::resetPeakUsage);
        }
        display.start(meter.total());
        int[] finished = {0};
        try (Workers pool = new Workers(workers)) {
            pool.run(units.size(), u -> measure(measuring, units.get(u)), (u, results) -> {
                for (ProfileResult result : results) {
                    log.append(result);
                }
                finished[0] += results.size();
                dir.write(ResultsCsv.FILE, file -> Files.writeString(file, ResultsCsv.text(log.results())));
                meter.lines(u, results).forEach(display::line);
                if (results.size() > 1) {
                    ReuseGroup.of(results).forEach(group -> display.line("profile reuse: " + group.line()));
                }
                display.advance(meter.done(), finished[0] + "/" + todo.size() + " configurations");
            });
        } finally {
            log.sortBySweepOrder();
        }
        List<ProfileResult> all = log.results();
        List<String> files = new ArrayList<>(ReportFiles.write(dir, info, all));
        files.add(RunInfo.FILE);
        return new Summary(mine.size(), todo.size(), mine.size() - todo.size(), files,
                (System.nanoTime() - start) / 1_000_000, ReuseGroup.spent(all), ReuseGroup.accounted(all),
                ReuseGroup.ran(all));
    }

    private RunInfo runInfo(Shard shard) {
        return runInfo(shard, List.of(engine.backend().name()));
    }

    /** What {@code run.json} says of a run of this sweep's shard on {@code devices}. */
    public RunInfo runInfo(Shard shard, List<String> devices) {
        return new RunInfo(sweep.name(), source, ids(), sweep.evaluation(), List.of(shard.toString()),
                devices);
    }

    private List<Integer> shardOf(Shard shard) {
        List<Integer> mine = new ArrayList<>();
        for (int k = 0; k < configurations.size(); k++) {
            if (shard.holds(k)) {
                mine.add(k);
            }
        }
        return mine;
    }

    /** One untimed search per model and verifier first, so that loading models and JIT warm-up time no configuration. */
    private void warmUp(List<Integer> todo) {
        Set<List<String>> seen = new LinkedHashSet<>();
        for (int k : todo) {
            Configuration c = configurations.get(k);
            if (seen.add(List.of(c.model(), c.verifier()))) {
                int label = c.evaluation().classesOf(engine.model(c.model()).info().classes()).getFirst();
                engine.search(SearchRequest.of(c.model(), label, new NoSearch(), c.verifier(),
                        c.evaluation().firstSeed()));
            }
        }
    }

    /** A unit's measurements; bad input it meets on the way names its configurations. */
    private List<ProfileResult> measure(Profiler profiler, List<Integer> unit) {
        List<Configuration> group = unit.stream().map(configurations::get).toList();
        try {
            return unit.size() == 1 ? List.of(profiler.run(group.getFirst(), unit.getFirst()))
                    : profiler.run(group, unit);
        } catch (NoiseSearchException | IllegalArgumentException e) {
            boolean userError = !(e instanceof NoiseSearchException n) || n.isUserError();
            if (!userError) {
                throw e;
            }
            String named = unit.size() == 1 ? "configuration " + unit.getFirst() + " (" + group.getFirst().id() + ", "
                    + group.getFirst().describe() + ")" : "configurations " + unit + " (best of N from one pool, "
                    + group.getLast().describe() + ")";
            throw new InvalidRequestException(source + ": " + named + ": " + e.getMessage(), e);
        }
    }
}

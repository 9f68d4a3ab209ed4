package io.noisesearch.spark;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.engine.Engine;
import io.noisesearch.format.Json;
import io.noisesearch.format.OutputDirectory;
import io.noisesearch.profile.Configuration;
import io.noisesearch.profile.ProfileResult;
import io.noisesearch.profile.ProfileRun;
import io.noisesearch.profile.ProfileSample;
import io.noisesearch.profile.Progress;
import io.noisesearch.profile.ReportFiles;
import io.noisesearch.profile.ResultsLog;
import io.noisesearch.profile.RunInfo;
import io.noisesearch.profile.Shard;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The driver of a sweep on Spark: expands the sweep into work units (a unit of configurations x a class x a range
 * of its seeds), runs those the output's table does not hold yet on the executors (each appends its samples' rows to
 * the Parquet table {@code OUT/samples}), gathers every configuration's samples from the table and computes its
 * result from all of them (FID and precision / recall from every sample's features, never from averages of units),
 * then writes what {@code profile} writes: {@code results.jsonl}, {@code results.csv}, the plots, {@code index.html}
 * and {@code run.json}.
 */
public final class SparkSweep {

    /**
     * What a job did: the sweep's configurations and work units, the units it ran and those it found in the table,
     * the table's rows, duplicate rows left out, and the files written.
     */
    public record Summary(int configurations, int units, int ran, int resumed, long rows, long duplicates,
                          List<String> files, long wallMillis) {
    }

    private final SparkSession spark;
    private final Engine engine;
    private final ProfileRun run;
    private final JobSettings settings;
    private final String out;
    private final int samplesPerUnit;

    /**
     * @param engine         the driver's engine: it checks and plans the sweep and computes the metrics (the
     *                       evaluation network's reference data)
     * @param out            the output folder: a local path or a Hadoop file system URI
     * @param samplesPerUnit seeds of one class per work unit (<= 0: a class's whole share, perClass)
     */
    public SparkSweep(SparkSession spark, Engine engine, ProfileRun run, JobSettings settings, String out,
                      int samplesPerUnit) {
        this.spark = spark;
        this.engine = engine;
        this.run = run;
        this.settings = settings;
        this.out = out;
        this.samplesPerUnit = samplesPerUnit;
    }

    /** The sweep's work units in the sweep's order: unit by unit of configurations, class by class, seed by seed. */
    public List<WorkUnit> units() {
        List<Configuration> configurations = run.configurations();
        List<WorkUnit> units = new ArrayList<>();
        for (List<Integer> group : run.units()) {
            Configuration first = configurations.get(group.getFirst());
            List<String> ids = group.stream().map(k -> configurations.get(k).id()).toList();
            List<Integer> classes = first.evaluation().classesOf(engine.model(first.model()).info().classes());
            int perClass = first.evaluation().perClass();
            int step = samplesPerUnit <= 0 ? perClass : Math.min(samplesPerUnit, perClass);
            for (int k = 0; k < classes.size(); k++) {
                for (int j = 0; j < perClass; j += step) {
                    int from = k * perClass + j;
                    int to = k * perClass + Math.min(perClass, j + step);
                    long seed = first.evaluation().firstSeed();
                    units.add(new WorkUnit(WorkUnit.id(ids, classes.get(k), seed + from, seed + to - 1), group,
                            classes.get(k), from, to));
                }
            }
        }
        return units;
    }

    /**
     * Runs the units the table does not hold and writes the reports from the whole table.
     *
     * @param resume continue the table of an earlier run in the output folder (without it such a table is an error)
     */
    public Summary run(boolean resume, PrintWriter progress) throws IOException {
        long start = System.nanoTime();
        String table = out.replaceAll("/+$", "") + "/" + SampleTable.FOLDER;
        org.apache.hadoop.fs.Path tablePath = new org.apache.hadoop.fs.Path(URI.create(table));
        FileSystem fs = tablePath.getFileSystem(spark.sparkContext().hadoopConfiguration());
        boolean exists = fs.exists(tablePath);
        if (exists && !resume) {
            throw new InvalidRequestException(table + " holds the samples of an earlier run: add --resume to continue"
                    + " it, or choose another --out");
        }
        List<WorkUnit> units = units();
        Set<String> done = exists ? unitsIn(table) : Set.of();
        // Costliest units first (planned denoiser GFLOPs): the last tasks are short, so no slot idles long at the end.
        List<WorkUnit> todo = units.stream().filter(u -> !done.contains(u.id()))
                .sorted(Comparator.comparingDouble(this::plannedGflops).reversed()).toList();
        progress.printf(Locale.ROOT, "spark profile: %d configurations in %d work units, %d already in %s, %d to run%n",
                run.configurations().size(), units.size(), units.size() - todo.size(), table, todo.size());
        progress.flush();
        if (!todo.isEmpty()) {
            UnitProgress listener = new UnitProgress(todo.size(), progress);
            spark.sparkContext().addSparkListener(listener);
            try {
                write(todo, table);
            } finally {
                spark.sparkContext().removeSparkListener(listener);
            }
        }
        Gathered gathered = gather(table);
        List<ProfileResult> results = results(gathered.samples());
        for (ProfileResult result : results) {
            progress.printf(Locale.ROOT, "spark profile [%d/%d] %s%n", result.index() + 1, run.configurations().size(),
                    Progress.summary(result));
        }
        progress.flush();
        List<String> files = writeReports(results);
        return new Summary(run.configurations().size(), units.size(), todo.size(), units.size() - todo.size(),
                gathered.rows(), gathered.duplicates(), files, (System.nanoTime() - start) / 1_000_000);
    }

    /** The units' rows appended to the table by one Spark job, a task per unit. */
    private void write(List<WorkUnit> todo, String table) {
        JavaRDD<WorkUnit> tasks = JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(todo, todo.size());
        spark.createDataFrame(tasks.flatMap(new UnitRunner(settings)), SampleTable.SCHEMA)
                .write().mode(SaveMode.Append).parquet(table);
    }

    /** A line each twentieth of the units (at least each unit) that finish, with the elapsed time. */
    private static final class UnitProgress extends SparkListener {
        private final int units;
        private final int every;
        private final PrintWriter out;
        private final long start = System.nanoTime();
        private final AtomicInteger done = new AtomicInteger();

        UnitProgress(int units, PrintWriter out) {
            this.units = units;
            this.every = Math.max(1, units / 20);
            this.out = out;
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
            if (!end.taskInfo().successful()) {
                return;
            }
            int n = done.incrementAndGet();
            if (n % every == 0 || n == units) {
                long seconds = (System.nanoTime() - start) / 1_000_000_000;
                synchronized (out) {
                    out.printf(Locale.ROOT, "spark profile: %d/%d work units done, %d:%02d elapsed%n", n, units,
                            seconds / 60, seconds % 60);
                    out.flush();
                }
            }
        }
    }

    /** A unit's planned denoiser GFLOPs: its configurations' per sample (the closed forms) times its samples. */
    private double plannedGflops(WorkUnit unit) {
        double perSample = 0;
        for (int k : unit.configurations()) {
            perSample += run.profiler().plan(run.configurations().get(k)).denoiserGflops();
        }
        return perSample * (unit.to() - unit.from());
    }

    private Set<String> unitsIn(String table) {
        Set<String> units = new HashSet<>();
        spark.read().schema(SampleTable.SCHEMA).parquet(table).select("unit").toLocalIterator()
                .forEachRemaining(r -> units.add(r.getString(0)));
        return units;
    }

    private record Gathered(Map<Integer, List<SampleTable.Gathered>> samples, long rows, long duplicates) {
    }

    /**
     * Every sample of the sweep's configurations in the table, by configuration index, in seed order; a sample the
     * table holds twice (two jobs that wrote the same unit) is taken once.
     */
    private Gathered gather(String table) {
        Map<String, Integer> indexOf = new LinkedHashMap<>();
        List<Configuration> configurations = run.configurations();
        for (int k = 0; k < configurations.size(); k++) {
            indexOf.put(configurations.get(k).id(), k);
        }
        Map<Integer, Map<Long, SampleTable.Gathered>> bySeed = new LinkedHashMap<>();
        long rows = 0;
        long duplicates = 0;
        var iterator = spark.read().schema(SampleTable.SCHEMA).parquet(table).toLocalIterator();
        while (iterator.hasNext()) {
            Row row = iterator.next();
            rows++;
            Integer index = indexOf.get(row.getString(1));
            if (index == null) {
                continue;
            }
            SampleTable.Gathered g = SampleTable.read(row);
            if (bySeed.computeIfAbsent(index, k -> new LinkedHashMap<>()).putIfAbsent(g.sample().seed(), g) != null) {
                duplicates++;
            }
        }
        Map<Integer, List<SampleTable.Gathered>> samples = new LinkedHashMap<>();
        for (int k = 0; k < configurations.size(); k++) {
            Map<Long, SampleTable.Gathered> of = bySeed.get(k);
            if (of != null) {
                samples.put(k, of.values().stream()
                        .sorted(Comparator.comparingLong(g -> g.sample().seed())).toList());
            }
        }
        return new Gathered(samples, rows, duplicates);
    }

    /** The result of each configuration whose whole evaluation set the table holds, in the sweep's order. */
    private List<ProfileResult> results(Map<Integer, List<SampleTable.Gathered>> samples) {
        List<Configuration> configurations = run.configurations();
        List<ProfileResult> results = new ArrayList<>();
        for (var entry : samples.entrySet()) {
            Configuration c = configurations.get(entry.getKey());
            List<SampleTable.Gathered> of = entry.getValue();
            int expected = c.evaluation().samples(engine.model(c.model()).info().classes());
            if (of.size() != expected) {
                continue;
            }
            // A unit's measurements are on each of its rows: count each unit once.
            Map<String, SampleTable.Measured> perUnit = new LinkedHashMap<>();
            of.forEach(g -> perUnit.putIfAbsent(g.unit(), g.measured()));
            long wall = perUnit.values().stream().mapToLong(SampleTable.Measured::wallMillis).sum();
            long evaluation = perUnit.values().stream().mapToLong(SampleTable.Measured::evaluationMillis).sum();
            long peak = perUnit.values().stream().mapToLong(SampleTable.Measured::peakHeapBytes).max().orElse(0);
            List<ProfileSample> list = of.stream().map(SampleTable.Gathered::sample).toList();
            results.add(run.profiler().result(c, entry.getKey(), list, of.getFirst().pool(), wall, evaluation, peak));
        }
        return results;
    }

    /** results.jsonl (whole, in the sweep's order), run.json and the profile's tables, plots and page. */
    private List<String> writeReports(List<ProfileResult> results) throws IOException {
        URI uri = URI.create(out);
        boolean local = uri.getScheme() == null || "file".equals(uri.getScheme());
        Path folder = local ? (uri.getScheme() == null ? Path.of(out) : Path.of(uri))
                : Files.createTempDirectory("noisesearch-spark-report");
        List<String> files;
        try (OutputDirectory dir = OutputDirectory.open(folder, "--out")) {
            StringBuilder lines = new StringBuilder();
            results.forEach(r -> lines.append(Json.line(r)).append('\n'));
            dir.write(ResultsLog.FILE, file -> Files.writeString(file, lines, StandardCharsets.UTF_8));
            RunInfo info = run.runInfo(Shard.ALL,
                    List.of(engine.backend().name() + " (spark " + spark.sparkContext().master() + ")"));
            info.write(dir);
            files = new ArrayList<>(ReportFiles.write(dir, info, results));
            files.add(RunInfo.FILE);
        }
        if (!local) {
            copyOut(folder, files);
        }
        return files;
    }

    private void copyOut(Path folder, List<String> files) throws IOException {
        org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(URI.create(out));
        FileSystem fs = target.getFileSystem(spark.sparkContext().hadoopConfiguration());
        for (String name : new LinkedHashSet<>(files)) {
            fs.copyFromLocalFile(true, true, new org.apache.hadoop.fs.Path(folder.resolve(name).toUri()),
                    new org.apache.hadoop.fs.Path(target, name));
        }
        try (var left = Files.list(folder)) {
            for (Path p : left.toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Files.deleteIfExists(folder);
    }
}

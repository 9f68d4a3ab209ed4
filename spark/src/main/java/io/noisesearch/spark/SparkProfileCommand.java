package io.noisesearch.spark;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.backend.Backends;
import io.noisesearch.NoiseSearchException;
import io.noisesearch.engine.Engine;
import io.noisesearch.model.Precision;
import io.noisesearch.profile.Overrides;
import io.noisesearch.profile.ProfileRun;
import io.noisesearch.profile.Sweep;
import io.noisesearch.profile.SweepReader;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code noisesearch-spark SWEEP.yaml --out DIR}: a profiling sweep as a Spark job (docs/spark.md). Run by
 * {@code scripts/noisesearch-spark} with {@code --master local[N]}, or by {@code spark-submit} on a cluster. Bad input
 * ends with one line and exit code 2, internal failures with exit code 1.
 */
@Command(name = "noisesearch-spark", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run a profiling sweep on Apache Spark: work units (configuration x class x seed range) on the"
                + " executors, a Parquet table of samples in OUT/samples, and profile's results.jsonl, results.csv,"
                + " plots and index.html computed from it.")
public final class SparkProfileCommand implements Callable<Integer> {

    static final int EXIT_USAGE = 2;
    static final int EXIT_INTERNAL = 1;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SWEEP.yaml", description = "The sweep file (bench/sweeps/README.md).")
    Path sweepFile;

    @Option(names = "--out", defaultValue = "out/spark-profile", description = "Output folder: a local path or a"
            + " Hadoop file system URI (hdfs://, s3a://, file://) the driver and executors reach"
            + " (default: ${DEFAULT-VALUE}).")
    String out;

    @Option(names = "--master", description = "Spark master, e.g. local[2] or local[2,3] (3 attempts per task);"
            + " spark-submit sets it otherwise.")
    String master;

    @Option(names = "--resume", description = "Continue the samples table in --out: units already there are skipped.")
    boolean resume;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a key of the sweep file.")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--samples-per-unit", defaultValue = "0", description = "Seeds of one class per work unit"
            + " (0: a class's whole share, evaluation.perClass).")
    int samplesPerUnit;

    @Option(names = "--models-dir", description = "Folder of trained models on the driver and every executor"
            + " (default: NOISESEARCH_MODELS, or the repository's tensorrt-plans/models).")
    String modelsDir;

    @Option(names = "--device", defaultValue = "cpu", description = "Device of tasks Spark gave no GPU: cpu, java,"
            + " cuda, cuda:N or auto (tasks with a GPU resource run on that GPU) (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--threads", defaultValue = "-1", description = "Kernel and ONNX Runtime threads per engine"
            + " (-1: spark.task.cpus, so that concurrent tasks share the cores; 0: every core).")
    int threads;

    @Option(names = "--precision", defaultValue = "fp32", paramLabel = "fp32|int8",
            description = "Precision of trained denoisers (default: ${DEFAULT-VALUE}).")
    String precision;

    @Option(names = "--cache", description = "Folder (path or URI) of the shared solve cache (default: OUT/cache).")
    String cache;

    @Option(names = "--no-cache", description = "Run without the solve cache.")
    boolean noCache;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "A Spark setting, as spark-submit's --conf.")
    List<String> conf = new ArrayList<>();

    @Option(names = "--fail-first-attempts", hidden = true, description = "Test hook: each task's first attempt"
            + " fails after half its rows.")
    boolean failFirstAttempts;

    @Option(names = "--debug", description = "Print stack traces of failures.")
    boolean debug;

    public static void main(String[] args) {
        System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs the command in this JVM; tests call it with their own writers. */
    public static int execute(PrintWriter stdout, PrintWriter stderr, String... args) {
        CommandLine line = new CommandLine(new SparkProfileCommand());
        line.setOut(stdout);
        line.setErr(stderr);
        line.setParameterExceptionHandler((error, a) -> {
            stderr.println("noisesearch-spark: " + error.getMessage());
            stderr.flush();
            return EXIT_USAGE;
        });
        line.setExecutionExceptionHandler((error, command, parsed) -> {
            boolean user = error instanceof NoiseSearchException n ? n.isUserError()
                    : error instanceof IllegalArgumentException;
            stderr.println("noisesearch-spark: " + (user ? "" : "internal error: ") + (user ? error.getMessage()
                    : error));
            if (parsed.hasMatchedOption("--debug")) {
                error.printStackTrace(stderr);
            }
            stderr.flush();
            return user ? EXIT_USAGE : EXIT_INTERNAL;
        });
        return line.execute(args);
    }

    @Override
    public Integer call() throws IOException {
        checkOptions();
        String sweepText;
        try {
            sweepText = Files.readString(sweepFile);
        } catch (IOException e) {
            throw new InvalidRequestException(sweepFile + ": cannot read the sweep file (" + e + ")", e);
        }
        String source = sweepFile.toString();
        Overrides set = Overrides.parse(overrides);
        Sweep sweep = SweepReader.parse(sweepText, source, set);
        SparkSession.Builder builder = SparkSession.builder().appName("noisesearch profile " + source);
        if (master != null) {
            builder.master(master);
        }
        for (String kv : conf) {
            int eq = kv.indexOf('=');
            builder.config(kv.substring(0, eq), kv.substring(eq + 1));
        }
        // A session the caller already runs (a test, a notebook) is used and left running.
        boolean ownSession = SparkSession.getDefaultSession().isEmpty();
        SparkSession spark = ownSession ? builder.getOrCreate() : SparkSession.getDefaultSession().get();
        try {
            int engineThreads = threads >= 0 ? threads : spark.sparkContext().conf().getInt("spark.task.cpus", 1);
            String cacheUri = noCache ? null : cache != null ? absolute(cache) : absolute(out) + "/cache";
            JobSettings settings = new JobSettings(sweepText, source, overrides,
                    modelsDir != null ? Path.of(modelsDir).toAbsolutePath().toString() : null, device, engineThreads,
                    precision, cacheUri, failFirstAttempts);
            // The driver's engine is the executors' in local mode (one per JVM and settings).
            Engine engine = ExecutorEngines.engine(settings);
            ProfileRun run = new ProfileRun(engine, sweep, source, set);
            run.check();
            SparkSweep job = new SparkSweep(spark, engine, run, settings, absolute(out), samplesPerUnit);
            PrintWriter stdout = spec.commandLine().getOut();
            SparkSweep.Summary summary = job.run(resume, spec.commandLine().getErr());
            stdout.printf(Locale.ROOT, "spark profile: %d configurations of %s in %d work units (%d run now, %d found"
                            + " in the table) in %.1f s; %d sample rows%s -> %s: %s%n", summary.configurations(),
                    source, summary.units(), summary.ran(), summary.resumed(), summary.wallMillis() / 1000.0,
                    summary.rows(), summary.duplicates() > 0 ? " (" + summary.duplicates() + " duplicates left out)"
                            : "", out, String.join(", ", summary.files()));
            stdout.flush();
        } finally {
            if (ownSession) {
                spark.stop();
            }
        }
        return 0;
    }

    private void checkOptions() {
        CommandLine line = spec.commandLine();
        if (noCache && cache != null) {
            throw new ParameterException(line, "--cache and --no-cache exclude each other");
        }
        try {
            Backends.check(device);
        } catch (InvalidRequestException e) {
            throw new ParameterException(line, e.getMessage());
        }
        if (samplesPerUnit < 0) {
            throw new ParameterException(line, "--samples-per-unit must be at least 0, got " + samplesPerUnit);
        }
        if (threads < -1) {
            throw new ParameterException(line, "--threads must be -1, 0 or more, got " + threads);
        }
        for (String kv : conf) {
            if (kv.indexOf('=') <= 0) {
                throw new ParameterException(line, "--conf takes KEY=VALUE, got '" + kv + "'");
            }
        }
        try {
            Precision.parse(precision, "--precision");
        } catch (InvalidRequestException e) {
            throw new ParameterException(line, e.getMessage());
        }
        try {
            URI.create(out);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(line, "--out is neither a path nor a URI: " + out);
        }
    }

    /** A path without a scheme made absolute, so that executors in other folders find the same place. */
    private static String absolute(String location) {
        URI uri = URI.create(location);
        return uri.getScheme() == null ? Path.of(location).toAbsolutePath().normalize().toUri().toString() : location;
    }
}

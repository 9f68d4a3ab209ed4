package io.noisesearch.spark;

import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An executor JVM killed mid-job on a {@code local-cluster} master (a master and two workers in this JVM, each
 * executor a process of its own): its tasks run again elsewhere, and the table holds every sample once.
 */
class LocalClusterTest {

    private static final String SWEEP = """
            name: spark-cluster
            models: gmm-image
            verifiers: oracle
            algorithms:
              - name: random
                candidates: [2, 4]
            searchSolver: euler
            searchSteps: 6
            finalSteps: 6
            evaluation:
              perClass: 8
              classes: [1, 4]
            """;

    /** The executors' command lines (their class path) are longer than ProcessHandle.Info reports: read /proc. */
    private static boolean isExecutor(ProcessHandle process) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(process.pid()), "cmdline"))
                    .contains("CoarseGrainedExecutorBackend");
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void aKilledExecutorLosesNoRowAndDuplicatesNone(@TempDir Path dir) throws Exception {
        // Worker JVMs are started from SPARK_HOME's layout (surefire points it at an empty jars/ folder); the classes
        // come from this JVM's class path.
        Files.createDirectories(Path.of(System.getenv("SPARK_HOME"), "jars"));
        Path sweep = Files.writeString(dir.resolve("sweep.yaml"), SWEEP);
        SparkSession spark = SparkSession.builder().master("local-cluster[2,1,1024]").appName("LocalClusterTest")
                .config("spark.ui.enabled", "false")
                .config("spark.executor.extraClassPath", System.getProperty("java.class.path"))
                .config("spark.executor.extraJavaOptions", System.getProperty("spark.jvm.flags")
                        + " -Dnoisesearch.models=" + System.getProperty("noisesearch.models"))
                .config("spark.task.maxFailures", "4").getOrCreate();
        try {
            AtomicInteger tasksEnded = new AtomicInteger();
            AtomicInteger executorsLost = new AtomicInteger();
            spark.sparkContext().addSparkListener(new SparkListener() {
                @Override
                public void onTaskEnd(SparkListenerTaskEnd end) {
                    tasksEnded.incrementAndGet();
                }

                @Override
                public void onExecutorRemoved(SparkListenerExecutorRemoved removed) {
                    executorsLost.incrementAndGet();
                }
            });
            StringWriter err = new StringWriter();
            CompletableFuture<Integer> job = CompletableFuture.supplyAsync(() -> SparkProfileCommand.execute(
                    new PrintWriter(new StringWriter()), new PrintWriter(err), sweep.toString(), "--out",
                    dir.resolve("out").toString(), "--samples-per-unit", "1", "--no-cache"));
            while (tasksEnded.get() < 3 && !job.isDone()) {
                Thread.sleep(20);
            }
            Optional<ProcessHandle> executor = ProcessHandle.current().children()
                    .filter(LocalClusterTest::isExecutor).findFirst();
            assertThat(job.isDone()).as("the job ended before an executor could be killed").isFalse();
            assertThat(executor).as("an executor process of the local cluster").isPresent();
            executor.get().destroyForcibly();
            assertThat(job.get(5, TimeUnit.MINUTES)).as(err.toString()).isZero();
            assertThat(executorsLost.get()).isPositive();
            List<String> keys = new ArrayList<>();
            for (Row r : spark.read().parquet(dir.resolve("out").resolve(SampleTable.FOLDER).toString())
                    .select("configuration", "seed").collectAsList()) {
                keys.add(r.getString(0) + "/" + r.getLong(1));
            }
            // 2 configurations (N = 2 and 4 from one pool) x 2 classes x 8 seeds, each once.
            assertThat(keys).hasSize(32).doesNotHaveDuplicates();
            assertThat(Files.readAllLines(dir.resolve("out").resolve("results.jsonl"))).hasSize(2);
        } finally {
            spark.stop();
        }
    }
}

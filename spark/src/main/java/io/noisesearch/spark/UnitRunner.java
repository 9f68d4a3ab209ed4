package io.noisesearch.spark;

import io.noisesearch.profile.Configuration;
import io.noisesearch.profile.Profiler;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/** The executor side of a Spark sweep: a work unit's samples, through this JVM's engine, as rows of the table. */
final class UnitRunner implements FlatMapFunction<WorkUnit, Row> {

    private final JobSettings settings;

    UnitRunner(JobSettings settings) {
        this.settings = settings;
    }

    @Override
    public Iterator<Row> call(WorkUnit unit) {
        ExecutorEngines.Prepared prepared = ExecutorEngines.prepared(settings);
        List<Configuration> group = unit.configurations().stream().map(prepared.configurations()::get).toList();
        Profiler.UnitSamples samples = prepared.profiler().samples(group, unit.from(), unit.to());
        long peak = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP && p.isValid())
                .map(MemoryPoolMXBean::getPeakUsage).mapToLong(u -> u.getUsed()).sum();
        String executor = SparkEnv.get() == null ? null : SparkEnv.get().executorId();
        List<Row> rows = new ArrayList<>();
        for (int p = 0; p < group.size(); p++) {
            SampleTable.Measured measured = new SampleTable.Measured(samples.wallMillis()[p],
                    samples.evaluationMillis()[p], peak, executor);
            for (var sample : samples.samples().get(p)) {
                rows.add(SampleTable.row(unit.id(), group.get(p).id(), unit.configurations().get(p), samples.pool(),
                        sample, measured));
            }
        }
        TaskContext task = TaskContext.get();
        if (settings.failFirstAttempts() && task != null && task.attemptNumber() == 0) {
            return failingHalfWay(rows, unit);
        }
        return rows.iterator();
    }

    /** The test hook: the first half of the rows reach the writer, then the attempt fails. */
    private static Iterator<Row> failingHalfWay(List<Row> rows, WorkUnit unit) {
        int half = rows.size() / 2;
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Row next() {
                if (next < half) {
                    return rows.get(next++);
                }
                if (next > rows.size()) {
                    throw new NoSuchElementException();
                }
                throw new IllegalStateException("injected failure of unit " + unit.id() + " after " + half
                        + " of its " + rows.size() + " rows (first attempt)");
            }
        };
    }
}

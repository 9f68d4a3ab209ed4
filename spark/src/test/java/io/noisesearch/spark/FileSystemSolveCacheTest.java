package io.noisesearch.spark;

import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.search.SolveCache;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class FileSystemSolveCacheTest {

    private static final SolveCache.Row ROW = new SolveCache.Row("model-sha", 3, 11L, 42L,
            new SolverSettings(SolverKind.EULER, 10), 2.5, Double.NaN);

    private static FileSystemSolveCache open(Path dir) {
        return FileSystemSolveCache.open(dir.toUri().toString(), new Configuration());
    }

    @Test
    void anotherProcessReadsWhatOneWrote(@TempDir Path dir) {
        float[] values = {1.5f, -2f, Float.MIN_VALUE};
        open(dir).putRow(ROW, values);
        open(dir).putScores(ROW, "classifier", new float[]{0.25f});
        FileSystemSolveCache reader = open(dir);
        assertThat(reader.row(ROW)).containsExactly(values);
        assertThat(reader.scores(ROW, "classifier")).containsExactly(0.25f);
        assertThat(reader.scores(ROW, "ssl")).isNull();
        assertThat(reader.row(new SolveCache.Row("model-sha", 3, 11L, 43L, ROW.solver(), 2.5, Double.NaN))).isNull();
    }

    @Test
    void concurrentWritersOfOneEntryLeaveOneWholeFile(@TempDir Path dir) throws Exception {
        float[] values = new float[4096];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.5f;
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> writes = new ArrayList<>();
        for (int w = 0; w < 16; w++) {
            // Each writer its own cache, as executors in other JVMs: none sees the others' memory.
            writes.add(pool.submit(() -> open(dir).putRow(ROW, values)));
        }
        for (Future<?> f : writes) {
            f.get();
        }
        pool.shutdown();
        assertThat(open(dir).row(ROW)).containsExactly(values);
        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.filter(p -> p.toString().endsWith(".floats")).count()).isEqualTo(1);
        }
        try (Stream<Path> parts = Files.walk(dir)) {
            assertThat(parts.filter(p -> p.toString().endsWith(".part")).count()).isZero();
        }
    }

    @Test
    void aDamagedEntryIsAMissNotAWrongRow(@TempDir Path dir) throws IOException {
        open(dir).putRow(ROW, new float[]{1, 2, 3});
        Path file;
        try (Stream<Path> files = Files.walk(dir)) {
            file = files.filter(p -> p.toString().endsWith(".floats")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(file);
        bytes[10] ^= 1;
        Files.write(file, bytes);
        assertThat(open(dir).row(ROW)).isNull();
        Files.write(file, java.util.Arrays.copyOf(bytes, 9));
        assertThat(open(dir).row(ROW)).isNull();
    }
}

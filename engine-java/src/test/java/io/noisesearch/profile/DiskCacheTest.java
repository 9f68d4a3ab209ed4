package io.noisesearch.profile;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.search.SolveCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The cache's files: records survive a reopen, torn tails and damaged files are skipped with a warning. */
class DiskCacheTest {

    private static final SolverSettings EULER = new SolverSettings(SolverKind.EULER, 10);

    @TempDir
    Path temp;

    private final List<String> warnings = new ArrayList<>();

    private DiskCache open() {
        return DiskCache.open(temp.resolve("cache"), "--cache", warnings::add);
    }

    private static SolveCache.Row row(long key) {
        return new SolveCache.Row("model-hash/host", 3, 7, key, EULER, 1.5, Double.NaN);
    }

    private static float[] values(long key) {
        float[] v = new float[5];
        for (int i = 0; i < v.length; i++) {
            v[i] = key * 10 + i + 0.25f;
        }
        return v;
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> entries = Files.list(temp.resolve("cache"))) {
            return entries.sorted().toList();
        }
    }

    /** A stochastic solver's rows are keyed by its noise too: euler-sde at 0.5 is not euler-sde at 1. */
    @Test
    void aStochasticSolversNoiseIsPartOfTheKey() {
        SolverSettings half = new SolverSettings(SolverKind.EULER_SDE, 10, 0.5);
        SolverSettings eta = new SolverSettings(SolverKind.DDIM, 10, 0.3);
        try (DiskCache cache = open()) {
            cache.putRow(new SolveCache.Row("model-hash/host", 3, 7, 0, half, 1.5, Double.NaN), values(1));
            cache.putRow(new SolveCache.Row("model-hash/host", 3, 7, 0, eta, 1.5, Double.NaN), values(2));
        }
        try (DiskCache cache = open()) {
            assertThat(cache.row(new SolveCache.Row("model-hash/host", 3, 7, 0, half, 1.5, Double.NaN)))
                    .containsExactly(values(1));
            assertThat(cache.row(new SolveCache.Row("model-hash/host", 3, 7, 0, eta, 1.5, Double.NaN)))
                    .containsExactly(values(2));
            assertThat(cache.row(new SolveCache.Row("model-hash/host", 3, 7, 0,
                    new SolverSettings(SolverKind.EULER_SDE, 10), 1.5, Double.NaN))).isNull();
            assertThat(cache.row(new SolveCache.Row("model-hash/host", 3, 7, 0,
                    new SolverSettings(SolverKind.DDIM, 10), 1.5, Double.NaN))).isNull();
        }
    }

    @Test
    void rowsAndScoresAreReadBackByANewProcessAndKeyedByEveryField() {
        try (DiskCache cache = open()) {
            for (long key = 0; key < 4; key++) {
                cache.putRow(row(key), values(key));
                cache.putScores(row(key), "oracle", new float[] {key, -key});
            }
            cache.putRow(new SolveCache.Row("model-hash/host", 3, 7, 0, EULER, 1.5, 0.5), values(99));
            assertThat(cache.row(row(2))).containsExactly(values(2));
        }
        try (DiskCache cache = open()) {
            assertThat(cache.rows()).isEqualTo(5);
            for (long key = 0; key < 4; key++) {
                assertThat(cache.row(row(key))).containsExactly(values(key));
                assertThat(cache.scores(row(key), "oracle")).containsExactly(key, -key);
            }
            assertThat(cache.row(new SolveCache.Row("model-hash/host", 3, 7, 0, EULER, 1.5, 0.5)))
                    .containsExactly(values(99));
            assertThat(cache.scores(row(0), "posterior")).isNull();
            assertThat(cache.row(new SolveCache.Row("other-hash/host", 3, 7, 0, EULER, 1.5, Double.NaN))).isNull();
            assertThat(cache.row(new SolveCache.Row("model-hash/host", 4, 7, 0, EULER, 1.5, Double.NaN))).isNull();
            assertThat(cache.row(new SolveCache.Row("model-hash/host", 3, 8, 0, EULER, 1.5, Double.NaN))).isNull();
            assertThat(cache.row(new SolveCache.Row("model-hash/host", 3, 7, 0,
                    new SolverSettings(SolverKind.HEUN, 10), 1.5, Double.NaN))).isNull();
            assertThat(cache.row(new SolveCache.Row("model-hash/host", 3, 7, 0, EULER, 1.0, Double.NaN))).isNull();
            assertThat(cache.row(new SolveCache.Row("model-hash/host", 3, 7, 0, EULER, 1.5, 0.25))).isNull();
        }
        assertThat(warnings).isEmpty();
    }

    @Test
    void aTornTailIsIgnoredWithAWarningAndTheRecordsBeforeItServe() throws IOException {
        try (DiskCache cache = open()) {
            for (long key = 0; key < 3; key++) {
                cache.putRow(row(key), values(key));
            }
        }
        Path file = files().getFirst();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() - 3);
        }
        try (DiskCache cache = open()) {
            assertThat(cache.row(row(0))).containsExactly(values(0));
            assertThat(cache.row(row(1))).containsExactly(values(1));
            assertThat(cache.row(row(2))).isNull();
            // A later process writes a file of its own; the torn one is left as it is.
            cache.putRow(row(2), values(2));
        }
        assertThat(warnings).singleElement().asString().contains(file.toString(), "torn or damaged");
        warnings.clear();
        try (DiskCache cache = open()) {
            assertThat(cache.row(row(2))).containsExactly(values(2));
        }
    }

    @Test
    void aFileCutAfterItWasIndexedIsAMissWithAWarning() throws IOException {
        try (DiskCache writer = open()) {
            writer.putRow(row(0), values(0));
            writer.putRow(row(1), values(1));
        }
        try (DiskCache cache = open()) {
            try (FileChannel channel = FileChannel.open(files().getFirst(), StandardOpenOption.WRITE)) {
                channel.truncate(channel.size() - 8);
            }
            assertThat(cache.row(row(0))).containsExactly(values(0));
            assertThat(cache.row(row(1))).isNull();
            cache.putRow(row(1), values(1));
            assertThat(cache.row(row(1))).containsExactly(values(1));
        }
        assertThat(warnings).singleElement().asString().contains("can no longer be read");
    }

    @Test
    void aDamagedRecordEndsItsFilesReadingAtItsChecksum() throws IOException {
        try (DiskCache cache = open()) {
            for (long key = 0; key < 3; key++) {
                cache.putRow(row(key), values(key));
            }
        }
        Path file = files().getFirst();
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 10] ^= 0x40;
        Files.write(file, bytes);
        try (DiskCache cache = open()) {
            assertThat(cache.row(row(1))).containsExactly(values(1));
            assertThat(cache.row(row(2))).isNull();
        }
        assertThat(warnings).singleElement().asString().contains("torn or damaged");
    }

    @Test
    void aFileThatIsNoCacheFileIsIgnoredWithAWarning() throws IOException {
        Files.createDirectories(temp.resolve("cache"));
        Files.writeString(temp.resolve("cache/solves-1-garbage.bin"), "not a cache file at all");
        Files.writeString(temp.resolve("cache/notes.txt"), "other files are not read");
        try (DiskCache cache = open()) {
            assertThat(cache.rows()).isZero();
            cache.putRow(row(0), values(0));
        }
        assertThat(warnings).singleElement().asString().contains("solves-1-garbage.bin", "not a noisesearch cache");
    }

    @Test
    void aCacheFolderThatIsAFileIsBadInputNamingTheOption() throws IOException {
        Path file = Files.writeString(temp.resolve("file"), "x");
        assertThatThrownBy(() -> DiskCache.open(file, "--cache", warnings::add))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("--cache").hasMessageContaining("not a folder");
    }

    /** Two caches on one folder (two processes) written from several threads each: every record reads back. */
    @Test
    void concurrentWritersOnOneFolderKeepEveryRecord() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try (DiskCache a = open(); DiskCache b = open()) {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                DiskCache cache = t % 2 == 0 ? a : b;
                int offset = t;
                done.add(threads.submit(() -> {
                    for (long key = offset; key < 200; key += 4) {
                        cache.putRow(row(key), values(key));
                        cache.putScores(row(key), "v", new float[] {key});
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            threads.shutdown();
        }
        assertThat(files()).hasSize(2);
        try (DiskCache cache = open()) {
            assertThat(cache.rows()).isEqualTo(200);
            assertThat(cache.scoreRows()).isEqualTo(200);
            for (long key = 0; key < 200; key++) {
                assertThat(cache.row(row(key))).containsExactly(values(key));
                assertThat(cache.scores(row(key), "v")).containsExactly(key);
            }
        }
        assertThat(warnings).isEmpty();
    }
}

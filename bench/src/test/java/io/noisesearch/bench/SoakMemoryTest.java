package io.noisesearch.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SoakMemoryTest {

    /** The head of `jcmd PID VM.native_memory summary` on JDK 25, with a category whose name has a space. */
    private static String summary(long heapKb, long otherKb) {
        long total = heapKb + 1415 + otherKb + 512;
        return """
                PID:

                Native Memory Tracking:

                (Omitting categories weighting less than 1KB)

                Total: reserved=7735338KB, committed=%dKB
                       malloc: 11446KB #48134, peak=19333KB #46523
                       mmap:   reserved=7723892KB, committed=465748KB

                -                 Java Heap (reserved=6172672KB, committed=%dKB)
                                            (mmap: reserved=6172672KB, committed=%dKB, at peak)

                -                     Class (reserved=1048775KB, committed=1415KB)
                                            (classes #2815)
                                            (malloc=199KB tag=Class #4751) (at peak)

                -                     Other (reserved=%dKB, committed=%dKB)
                                            (malloc=%dKB #12) (at peak)

                -               Arena Chunk (reserved=512KB, committed=512KB)
                                            (malloc=512KB #4) (at peak)
                """.formatted(total, heapKb, heapKb, otherKb, otherKb, otherKb);
    }

    @Test
    void eachCategoryAndTheTotalAreReadInMegabytes() {
        Map<String, Double> categories = LoadTest.Soak.parseNmt(summary(393216, 2048));
        assertThat(categories).containsOnlyKeys("Total", "Java Heap", "Class", "Other", "Arena Chunk");
        assertThat(categories.get("Total")).isCloseTo((393216 + 1415 + 2048 + 512) / 1024.0, within(1e-9));
        assertThat(categories.get("Java Heap")).isEqualTo(384.0);
        assertThat(categories.get("Other")).isEqualTo(2.0);
        assertThat(categories.get("Arena Chunk")).isEqualTo(0.5);
    }

    @Test
    void onlyCategoriesThatMovedByAMegabyteAreNamed() {
        Map<String, Double> first = LoadTest.Soak.parseNmt(summary(393216, 2048));
        Map<String, Double> heapGrew = LoadTest.Soak.parseNmt(summary(393216 + 40960, 2048 + 512));
        assertThat(LoadTest.Soak.grown(first, heapGrew)).isEqualTo("Java Heap 384.0 -> 424.0");
        assertThat(LoadTest.Soak.grown(first, first)).isEqualTo("none changed by 1 MB or more");
        assertThat(LoadTest.Soak.parseNmt("NMT is off")).isEmpty();
    }
}

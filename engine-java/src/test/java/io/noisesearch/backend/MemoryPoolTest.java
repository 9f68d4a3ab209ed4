package io.noisesearch.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The device pool's bookkeeping, on host slabs: alignment, reuse, merging, growth, no overlap. */
class MemoryPoolTest {

    /** Host slabs that count how often the pool asks for memory (the cudaMalloc calls on a device). */
    private static final class CountingSlabs implements MemoryPool.Slabs {
        int allocations;
        long bytes;

        @Override
        public MemorySegment allocate(Arena arena, long size) {
            allocations++;
            bytes += size;
            return arena.allocate(size, MemoryPool.ALIGNMENT);
        }
    }

    @Test
    void blocksAreAlignedDisjointAndReturnWhenTheirArenaCloses() {
        CountingSlabs slabs = new CountingSlabs();
        try (MemoryPool pool = new MemoryPool(slabs, 1 << 20)) {
            assertThat(slabs.allocations).as("the first slab is reserved up front").isEqualTo(1);
            try (Arena a = Arena.ofConfined()) {
                MemorySegment x = pool.take(a, 100);
                MemorySegment y = pool.take(a, 1000);
                assertThat(x.byteSize()).isEqualTo(100);
                assertThat(x.address() % MemoryPool.ALIGNMENT).isZero();
                assertThat(y.address() % MemoryPool.ALIGNMENT).isZero();
                assertThat(y.address()).isGreaterThanOrEqualTo(x.address() + 256);
                assertThat(pool.inUse()).isEqualTo(256 + 1024);
            }
            assertThat(pool.inUse()).isZero();
            assertThat(pool.largestFree()).as("freed neighbours merge back into one range").isEqualTo(1 << 20);
        }
    }

    @Test
    void aRepeatedWorkloadAllocatesNoNewSlabAfterTheFirstRound() {
        CountingSlabs slabs = new CountingSlabs();
        try (MemoryPool pool = new MemoryPool(slabs, 1 << 16)) {
            for (int round = 0; round < 100; round++) {
                try (Arena search = Arena.ofConfined()) {
                    for (int i = 0; i < 8; i++) {
                        pool.take(search, 30_000); // 8 x 30 KB: more than one slab of 64 KiB
                    }
                }
                if (round == 0) {
                    assertThat(slabs.allocations).isGreaterThan(1);
                }
            }
            int afterFirstRound = slabs.allocations;
            try (Arena search = Arena.ofConfined()) {
                for (int i = 0; i < 8; i++) {
                    pool.take(search, 30_000);
                }
            }
            assertThat(slabs.allocations).isEqualTo(afterFirstRound);
            assertThat(pool.reserved()).isEqualTo(slabs.bytes);
            assertThat(pool.inUse()).isZero();
        }
    }

    @Test
    void aBlockLargerThanASlabGetsItsOwnSlab() {
        CountingSlabs slabs = new CountingSlabs();
        try (MemoryPool pool = new MemoryPool(slabs, 4096); Arena a = Arena.ofConfined()) {
            MemorySegment big = pool.take(a, 10_000);
            assertThat(big.byteSize()).isEqualTo(10_000);
            assertThat(pool.slabCount()).isEqualTo(2);
            assertThat(pool.reserved()).isEqualTo(4096 + 10_240);
        }
    }

    @Test
    void randomTakesAndReturnsNeverOverlapAndLeaveThePoolEmpty() {
        CountingSlabs slabs = new CountingSlabs();
        SplittableRandom random = new SplittableRandom(7);
        try (MemoryPool pool = new MemoryPool(slabs, 1 << 15)) {
            List<Arena> arenas = new ArrayList<>();
            List<MemorySegment> blocks = new ArrayList<>();
            for (int step = 0; step < 5_000; step++) {
                if (!arenas.isEmpty() && random.nextInt(3) == 0) {
                    int victim = random.nextInt(arenas.size());
                    arenas.remove(victim).close();
                    blocks.remove(victim);
                } else {
                    Arena arena = Arena.ofConfined();
                    MemorySegment block = pool.take(arena, 1 + random.nextInt(9_000));
                    for (MemorySegment other : blocks) {
                        boolean disjoint = block.address() + block.byteSize() <= other.address()
                                || other.address() + other.byteSize() <= block.address();
                        assertThat(disjoint).as("block at step %d overlaps a live one", step).isTrue();
                    }
                    arenas.add(arena);
                    blocks.add(block);
                }
            }
            arenas.forEach(Arena::close);
            assertThat(pool.inUse()).isZero();
            assertThat(pool.freeRangeCount()).as("every slab is one free range again").isEqualTo(pool.slabCount());
            assertThat(pool.freeBytes()).isEqualTo(pool.reserved()).isEqualTo(slabs.bytes);
        }
    }

    @Test
    void takingFromAClosedPoolIsAnError() {
        MemoryPool pool = new MemoryPool(new CountingSlabs(), 4096);
        pool.close();
        try (Arena a = Arena.ofConfined()) {
            assertThatThrownBy(() -> pool.take(a, 16)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed");
        }
    }
}

package io.noisesearch.backend;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Device memory handed out from a few large slabs, so that a search allocates no device memory once the pool has
 * grown to its working size: the first slab is reserved when the backend opens, batches are carved from free
 * ranges (first fit, 256-byte aligned like cudaMalloc) and return to the pool, merged with their free neighbours,
 * when the arena that took them closes. A slab is added only when no free range fits; slabs are released when the
 * pool closes. Plain bookkeeping over addresses: the slabs come from {@link Slabs} (device memory for CUDA, host
 * memory in tests). Thread-safe.
 */
final class MemoryPool implements AutoCloseable {

    /** Where slabs come from. */
    interface Slabs {
        /** A slab of {@code bytes} bytes owned by {@code arena} (freed when the arena closes). */
        MemorySegment allocate(Arena arena, long bytes);
    }

    static final long ALIGNMENT = 256;

    private final Slabs source;
    private final long slabBytes;
    private final Arena slabArena = Arena.ofShared();
    private final List<Slab> slabs = new ArrayList<>();
    /** Live blocks by address: their slab and aligned size. */
    private final Map<Long, Block> live = new HashMap<>();
    private long inUse;
    private long reserved;
    private boolean closed;

    private record Block(Slab slab, long offset, long size) {
    }

    private static final class Slab {
        final MemorySegment memory;
        /** Free ranges: start offset -> end offset (exclusive), disjoint and never adjacent. */
        final TreeMap<Long, Long> free = new TreeMap<>();

        Slab(MemorySegment memory) {
            this.memory = memory;
            free.put(0L, memory.byteSize());
        }
    }

    /** A pool whose slabs are at least {@code slabBytes}; reserves the first one now. */
    MemoryPool(Slabs source, long slabBytes) {
        if (slabBytes <= 0) {
            throw new IllegalArgumentException("slab size must be positive, not " + slabBytes);
        }
        this.source = source;
        this.slabBytes = align(slabBytes);
        addSlab(this.slabBytes);
    }

    /**
     * {@code bytes} bytes owned by {@code owner}: back in the pool when {@code owner} closes. The segment carries
     * the address and size only; for device memory Java must not read it.
     */
    MemorySegment take(Arena owner, long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("cannot take " + bytes + " bytes from the pool");
        }
        long size = align(Math.max(bytes, 1));
        MemorySegment block;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the device memory pool is closed");
            }
            block = carve(size);
            if (block == null) {
                addSlab(Math.max(slabBytes, size));
                block = carve(size);
            }
        }
        long address = block.address();
        return block.reinterpret(bytes, owner, segment -> give(address));
    }

    /** Bytes handed out and not yet returned (aligned sizes). */
    synchronized long inUse() {
        return inUse;
    }

    /** Bytes of all slabs. */
    synchronized long reserved() {
        return reserved;
    }

    synchronized int slabCount() {
        return slabs.size();
    }

    /** The largest free range of any slab (what one take can get without a new slab). */
    synchronized long largestFree() {
        long largest = 0;
        for (Slab slab : slabs) {
            for (Map.Entry<Long, Long> range : slab.free.entrySet()) {
                largest = Math.max(largest, range.getValue() - range.getKey());
            }
        }
        return largest;
    }

    /** Free ranges over all slabs (one per slab when nothing is in use). */
    synchronized int freeRangeCount() {
        return slabs.stream().mapToInt(slab -> slab.free.size()).sum();
    }

    /** Bytes in free ranges over all slabs. */
    synchronized long freeBytes() {
        long sum = 0;
        for (Slab slab : slabs) {
            for (Map.Entry<Long, Long> range : slab.free.entrySet()) {
                sum += range.getValue() - range.getKey();
            }
        }
        return sum;
    }

    private MemorySegment carve(long size) {
        for (Slab slab : slabs) {
            for (Map.Entry<Long, Long> range : slab.free.entrySet()) {
                long start = range.getKey();
                long end = range.getValue();
                if (end - start >= size) {
                    slab.free.remove(start);
                    if (end - start > size) {
                        slab.free.put(start + size, end);
                    }
                    MemorySegment block = slab.memory.asSlice(start, size);
                    live.put(block.address(), new Block(slab, start, size));
                    inUse += size;
                    return block;
                }
            }
        }
        return null;
    }

    private synchronized void give(long address) {
        Block block = live.remove(address);
        if (block == null) {
            throw new IllegalStateException("address 0x" + Long.toHexString(address) + " is not a live pool block");
        }
        inUse -= block.size;
        if (closed) {
            return;
        }
        TreeMap<Long, Long> free = block.slab.free;
        long start = block.offset;
        long end = block.offset + block.size;
        Map.Entry<Long, Long> before = free.floorEntry(start);
        if (before != null && before.getValue() == start) {
            start = before.getKey();
            free.remove(before.getKey());
        }
        Long afterEnd = free.remove(end);
        if (afterEnd != null) {
            end = afterEnd;
        }
        free.put(start, end);
    }

    private void addSlab(long bytes) {
        slabs.add(new Slab(source.allocate(slabArena, bytes)));
        reserved += bytes;
    }

    private static long align(long bytes) {
        return (bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    /**
     * Releases the slabs. Blocks still owned by open arenas become dangling; their arenas' later closes are
     * accepted and ignored, so close the pool last (the backend does, after its engine closed every arena).
     */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            slabArena.close();
        }
    }
}

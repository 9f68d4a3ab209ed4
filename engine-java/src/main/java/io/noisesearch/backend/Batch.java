package io.noisesearch.backend;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A float32 tensor of shape [rows, dim], row-major, living where its backend computes (host memory for the
 * host and Java backends, device memory for CUDA). Candidates are rows; a view of some rows is a slice, not a
 * copy. The memory belongs to the arena that allocated it.
 */
public record Batch(MemorySegment data, int rows, int dim) {

    public static final long FLOAT_BYTES = ValueLayout.JAVA_FLOAT.byteSize();

    public Batch {
        if (rows < 0 || dim <= 0) {
            throw new IllegalArgumentException("batch shape [" + rows + ", " + dim + "] is invalid");
        }
        if (data.byteSize() < (long) rows * dim * FLOAT_BYTES) {
            throw new IllegalArgumentException("segment of " + data.byteSize() + " bytes is too small for [" + rows
                    + ", " + dim + "] floats");
        }
    }

    public long elements() {
        return (long) rows * dim;
    }

    public long bytes() {
        return elements() * FLOAT_BYTES;
    }

    /** Rows [first, first + count) as a view sharing this batch's memory. */
    public Batch rows(int first, int count) {
        if (first < 0 || count < 0 || (long) first + count > rows) {
            throw new IndexOutOfBoundsException("rows [" + first + ", " + (first + count) + ") of a batch of " + rows);
        }
        return new Batch(data.asSlice((long) first * dim * FLOAT_BYTES, (long) count * dim * FLOAT_BYTES), count, dim);
    }

    public Batch row(int r) {
        return rows(r, 1);
    }

    /** The same memory seen as [rows', dim'] with rows' * dim' = rows * dim. */
    public Batch reshape(int newRows, int newDim) {
        if ((long) newRows * newDim != elements()) {
            throw new IllegalArgumentException("cannot reshape [" + rows + ", " + dim + "] to [" + newRows + ", " + newDim + "]");
        }
        return new Batch(data.asSlice(0, bytes()), newRows, newDim);
    }
}

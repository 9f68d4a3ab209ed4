package io.noisesearch.backend;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The argument checks every {@link Kernels} implementation runs before it computes, so that the Java reference
 * and the native backends reject the same calls with the same messages, and nothing malformed reaches native
 * code. Messages name the kernel and the shapes involved.
 */
final class KernelArguments {

    static final int MAX_COMPONENTS = 1024;
    static final long HALF_BYTES = 2;

    private KernelArguments() {
    }

    static String shape(Batch b) {
        return "[" + b.rows() + ", " + b.dim() + "]";
    }

    /** Every batch has the shape of the first. */
    static void sameShape(String kernel, Batch first, Batch... others) {
        for (Batch other : others) {
            if (other.rows() != first.rows() || other.dim() != first.dim()) {
                throw new IllegalArgumentException(kernel + ": batch shapes differ, " + shape(first) + " and "
                        + shape(other) + " (all operands must have the same shape)");
            }
        }
    }

    static void length(String kernel, String what, int actual, long expected) {
        if (actual != expected) {
            throw new IllegalArgumentException(
                    kernel + ": " + what + " has length " + actual + " but the batch needs " + expected);
        }
    }

    static void philox(int[] counters, int[] keys, int[] out) {
        if (counters.length % 4 != 0 || keys.length * 2 != counters.length || out.length != counters.length) {
            throw new IllegalArgumentException("philox: " + counters.length + " counter words, " + keys.length
                    + " key words and " + out.length + " output words do not describe whole blocks (4, 2, 4 per block)");
        }
    }

    /**
     * A float16 buffer for {@code batch} holds exactly its elements as 16-bit values and does not overlap it (the
     * conversions run in parallel, and a float and its half sit at different offsets).
     */
    static void half(String kernel, Batch batch, MemorySegment half) {
        long needed = batch.elements() * HALF_BYTES;
        if (half.byteSize() != needed) {
            throw new IllegalArgumentException(kernel + ": the float16 buffer has " + half.byteSize()
                    + " bytes but the batch " + shape(batch) + " needs " + needed + " (" + batch.elements()
                    + " 16-bit values)");
        }
        if (batch.data().asSlice(0, batch.bytes()).asOverlappingSlice(half).isPresent()) {
            throw new IllegalArgumentException(kernel + ": the float16 buffer overlaps the batch " + shape(batch));
        }
    }

    static void neighbours(Batch pivot, Batch directions, Batch out, float cosine) {
        if (pivot.rows() != 1 || pivot.dim() != directions.dim()) {
            throw new IllegalArgumentException("zeroOrderNeighbours: pivot " + shape(pivot) + " must be one row of "
                    + "the directions' width " + directions.dim());
        }
        sameShape("zeroOrderNeighbours", directions, out);
        if (!(cosine >= -1f && cosine <= 1f)) {
            throw new IllegalArgumentException("zeroOrderNeighbours: cosine " + cosine + " is outside [-1, 1]");
        }
    }

    static void gather(Batch in, int[] indices, Batch out) {
        if (in.dim() != out.dim()) {
            throw new IllegalArgumentException(
                    "gatherRows: input " + shape(in) + " and output " + shape(out) + " differ in width");
        }
        length("gatherRows", "indices", indices.length, out.rows());
        for (int index : indices) {
            if (index < 0 || index >= in.rows()) {
                throw new IllegalArgumentException("gatherRows: index " + index + " is outside the " + in.rows()
                        + " rows of the input " + shape(in) + " (indices " + Arrays.toString(indices) + ")");
            }
        }
        if (in.data().asOverlappingSlice(out.data()).isPresent()) {
            throw new IllegalArgumentException("gatherRows: the output " + shape(out) + " overlaps the input");
        }
    }

    /** The output of a kernel that reads whole rows of its inputs before it writes does not overlap them. */
    static void distinct(String kernel, Batch out, Batch... inputs) {
        for (Batch in : inputs) {
            if (in.data().asSlice(0, in.bytes()).asOverlappingSlice(out.data().asSlice(0, out.bytes())).isPresent()) {
                throw new IllegalArgumentException(kernel + ": the output " + shape(out) + " overlaps an input "
                        + shape(in));
            }
        }
    }

    static void mixture(String kernel, Batch x, MixtureTensors mixture, int label) {
        if (x.dim() != mixture.dim()) {
            throw new IllegalArgumentException(kernel + ": samples " + shape(x) + " do not have the mixture's "
                    + mixture.dim() + " dimensions");
        }
        if (mixture.components() > MAX_COMPONENTS) {
            throw new IllegalArgumentException(kernel + ": " + mixture.components() + " components exceed the "
                    + MAX_COMPONENTS + " the kernels support");
        }
        if (label < 0 || label > mixture.classes()) {
            throw new IllegalArgumentException(kernel + ": label " + label + " is outside [0, " + mixture.classes()
                    + "] (the last is the unconditional mixture)");
        }
    }
}

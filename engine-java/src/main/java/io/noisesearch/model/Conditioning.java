package io.noisesearch.model;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;

/**
 * A denoiser's per-row conditioning inputs for one call: the time (float32 [rows]) and the class label (int64 [rows]),
 * in direct buffers that a runtime hands over without copying. One per thread, grown when a larger batch comes.
 */
public final class Conditioning {

    private ByteBuffer times = ByteBuffer.allocateDirect(0);
    private ByteBuffer labels = ByteBuffer.allocateDirect(0);
    private int rows;

    /** Every row gets time {@code t} and label {@code label}. */
    public Conditioning fill(int count, float t, int label) {
        ensure(count);
        for (int r = 0; r < count; r++) {
            times.putFloat(r * Float.BYTES, t);
            labels.putLong(r * Long.BYTES, label);
        }
        rows = count;
        return this;
    }

    /** Row r gets time {@code (float) t[r]} and label {@code label[r]}. */
    public Conditioning fill(double[] t, int[] label) {
        if (t.length != label.length) {
            throw new IllegalArgumentException(t.length + " times for " + label.length + " labels");
        }
        ensure(t.length);
        for (int r = 0; r < t.length; r++) {
            times.putFloat(r * Float.BYTES, (float) t[r]);
            labels.putLong(r * Long.BYTES, label[r]);
        }
        rows = t.length;
        return this;
    }

    private void ensure(int count) {
        if (times.capacity() < count * Float.BYTES) {
            times = ByteBuffer.allocateDirect(count * Float.BYTES).order(ByteOrder.nativeOrder());
            labels = ByteBuffer.allocateDirect(count * Long.BYTES).order(ByteOrder.nativeOrder());
        }
    }

    public FloatBuffer times() {
        return times.slice(0, rows * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    public LongBuffer labels() {
        return labels.slice(0, rows * Long.BYTES).order(ByteOrder.nativeOrder()).asLongBuffer();
    }

    public MemorySegment timeSegment() {
        return MemorySegment.ofBuffer(times).asSlice(0, (long) rows * Float.BYTES);
    }

    public MemorySegment labelSegment() {
        return MemorySegment.ofBuffer(labels).asSlice(0, (long) rows * Long.BYTES);
    }
}

package io.noisesearch.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The CUDA float16 conversions against the host library's, bit for bit, NaNs included: both compile the same
 * ns_half.cuh, and HostKernelsHalfTest ties the host to the JDK. Needs a GPU: skipped, with the reason, where there
 * is none.
 */
@Tag("gpu")
class CudaKernelsHalfGpuTest extends HostAndDeviceTest {

    @Test
    void everyHalfWidensToTheHostLibrarysBits() {
        MemorySegment halves = arena.allocate(65_536 * 2L, 64);
        for (int h = 0; h < 65_536; h++) {
            halves.setAtIndex(ValueLayout.JAVA_SHORT, h, (short) h);
        }
        Batch onHostFloats = host.allocate(arena, 256, 256);
        Batch onDeviceFloats = cuda.allocate(arena, 256, 256);
        onHost.fromHalf(halves, onHostFloats);
        onDevice.fromHalf(toDevice(halves), onDeviceFloats);
        assertThat(bits(cuda.download(onDeviceFloats))).isEqualTo(bits(host.download(onHostFloats)));
    }

    @Test
    void randomAndSpecialFloatsNarrowToTheHostLibrarysBits() {
        SplittableRandom random = new SplittableRandom(18);
        float[] values = new float[1 << 22];
        for (int i = 0; i < values.length; i++) {
            values[i] = i % 2 == 0 ? Float.intBitsToFloat(random.nextInt()) : (float) random.nextDouble(-7e4, 7e4);
        }
        float[] special = {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 65504f, 65519.99f,
            65520f, 0x1p-24f, 0x1p-25f, 1.5f * 0x1p-24f, 1f + 0x1p-11f, 1f + 3 * 0x1p-11f, Float.MIN_VALUE,
            Float.MAX_VALUE, -1f / 3};
        System.arraycopy(special, 0, values, 0, special.length);
        Batch onHostFloats = host.upload(arena, values, 1024, values.length / 1024);
        Batch onDeviceFloats = cuda.upload(arena, values, 1024, values.length / 1024);
        MemorySegment onHostHalves = arena.allocate(values.length * 2L, 64);
        MemorySegment onDeviceHalves = cuda.allocateScratch(arena, values.length * 2L);
        onHost.toHalf(onHostFloats, onHostHalves);
        onDevice.toHalf(onDeviceFloats, onDeviceHalves);
        assertThat(toHost(onDeviceHalves).toArray(ValueLayout.JAVA_SHORT))
                .isEqualTo(onHostHalves.toArray(ValueLayout.JAVA_SHORT));
    }

    private MemorySegment toDevice(MemorySegment values) {
        MemorySegment device = cuda.allocateScratch(arena, values.byteSize());
        cuda.makeCurrent();
        cuda.device().copyToDevice(onDevice.stream(), device, values, values.byteSize());
        return device;
    }

    /** Waits for the stream, then copies {@code device} back. */
    private MemorySegment toHost(MemorySegment device) {
        MemorySegment values = arena.allocate(device.byteSize(), 64);
        cuda.makeCurrent();
        cuda.device().copyToHost(onDevice.stream(), values, device, device.byteSize());
        onDevice.synchronize();
        return values;
    }

    private static int[] bits(float[] values) {
        return MemorySegment.ofArray(values).toArray(ValueLayout.JAVA_INT);
    }
}

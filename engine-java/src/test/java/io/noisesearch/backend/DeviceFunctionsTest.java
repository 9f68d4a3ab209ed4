package io.noisesearch.backend;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.noisesearch.NativeException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * The device-resource binding against the host library, which implements memory, copies and events on host
 * memory and refuses the device queries and graphs (noisesearch.h): the binding layer is exercised without a GPU.
 */
class DeviceFunctionsTest {

    private final DeviceFunctions host = DeviceFunctions.host();

    @Test
    void memoryRoundTripsThroughCopiesAndMemset() {
        float[] values = {1f, -2.5f, 3.25f, Float.MIN_VALUE, Float.MAX_VALUE};
        long bytes = values.length * JAVA_FLOAT.byteSize();
        try (Arena arena = Arena.ofConfined(); Kernels stream = new HostKernels(1)) {
            MemorySegment handle = ((NativeKernels) stream).stream();
            MemorySegment a = host.allocateDevice(arena, bytes, () -> { });
            MemorySegment b = host.allocateDevice(arena, bytes, () -> { });
            MemorySegment back = host.allocatePinned(arena, bytes);
            assertThat(a.address() % 256).isZero();

            host.copyToDevice(handle, a, MemorySegment.ofArray(values), bytes);
            host.copyOnDevice(handle, b, a, bytes);
            host.copyToHost(handle, back, b, bytes);
            stream.synchronize();
            assertThat(back.toArray(JAVA_FLOAT)).containsExactly(values);

            host.fill(handle, b, 0, bytes);
            host.copyToHost(handle, back, b, bytes);
            assertThat(back.toArray(JAVA_FLOAT)).containsOnly(0f);
        }
    }

    @Test
    void closingTheArenaFreesDeviceMemoryAndRunsTheReleaseAction() {
        int[] released = {0};
        try (Arena arena = Arena.ofConfined()) {
            host.allocateDevice(arena, 1 << 20, () -> released[0]++);
            host.allocateDevice(arena, 0, () -> released[0]++);
            assertThat(released[0]).isZero();
        }
        assertThat(released[0]).isEqualTo(2);
    }

    @Test
    void eventsMeasureElapsedTimeOnTheStream() throws InterruptedException {
        try (Arena arena = Arena.ofConfined(); Kernels stream = new HostKernels(1)) {
            MemorySegment handle = ((NativeKernels) stream).stream();
            MemorySegment start = host.event(arena);
            MemorySegment end = host.event(arena);
            host.record(handle, start);
            Thread.sleep(20);
            host.record(handle, end);
            assertThat(host.elapsedMillis(start, end)).isBetween(15f, 5_000f);
        }
    }

    @Test
    void deviceQueriesAndGraphsAreUnsupportedOnTheHostLibrary() {
        assertThatThrownBy(host::deviceCount).isInstanceOf(NativeException.class)
                .hasMessageContaining("ns_device_count").extracting(e -> ((NativeException) e).status()).isEqualTo(3);
        try (Kernels stream = new HostKernels(1)) {
            MemorySegment handle = ((NativeKernels) stream).stream();
            assertThatThrownBy(() -> host.beginCapture(handle)).isInstanceOf(NativeException.class)
                    .hasMessageContaining("not supported");
        }
    }

    @Test
    void negativeSizesAreRefusedBeforeNativeCode() {
        try (Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> host.allocateDevice(arena, -1, () -> { }))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
        }
    }
}

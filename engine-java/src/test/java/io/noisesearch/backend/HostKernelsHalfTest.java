package io.noisesearch.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The float16 conversions of the host library (ns_f32_to_f16, ns_f16_to_f32) give the JDK's IEEE binary16 values
 * (Float.floatToFloat16 / float16ToFloat, what the Java reference kernels call) bit for bit, and a NaN for a NaN:
 * every half exhaustively, the rounding cases by their closed-form halves, millions of random floats, and calls
 * split over two threads.
 */
class HostKernelsHalfTest extends HostAndJavaTest {

    private static final int QUIET_HALF = 0x7e00;
    private static final int QUIET_FLOAT = 0x7fc0_0000;


    @Test
    void everyHalfWidensToTheJdksFloatExactly() {
        MemorySegment halves = arena.allocate(65_536 * 2L, 64);
        for (int h = 0; h < 65_536; h++) {
            halves.setAtIndex(ValueLayout.JAVA_SHORT, h, (short) h);
        }
        Batch widened = host.allocate(arena, 256, 256);
        Batch javaWidened = host.allocate(arena, 256, 256);
        hostKernels.fromHalf(halves, widened);
        reference.fromHalf(halves, javaWidened);
        int[] bits = floatBits(widened);
        int[] javaBits = floatBits(javaWidened);
        for (int h = 0; h < 65_536; h++) {
            float expected = Float.float16ToFloat((short) h);
            String what = "half 0x%04x".formatted(h);
            if (Float.isNaN(expected)) {
                assertThat(bits[h] & QUIET_FLOAT).as(what + " widens to a quiet NaN").isEqualTo(QUIET_FLOAT);
                assertThat(bits[h] & 0x7fff_ffff).as(what).isGreaterThan(0x7f80_0000);
                assertThat(Float.intBitsToFloat(javaBits[h])).as(what).isNaN();
            } else {
                assertThat(bits[h]).as(what).isEqualTo(Float.floatToRawIntBits(expected));
                assertThat(javaBits[h]).as(what).isEqualTo(Float.floatToRawIntBits(expected));
            }
        }
    }

    /** A float and the half it rounds to, from the binary16 format itself (not from the JDK). */
    record Rounding(String name, float value, int half) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Rounding> roundings() {
        float ulpAtOne = 0x1p-10f;
        float tiny = 0x1p-24f; // the smallest subnormal half
        return Stream.of(
                new Rounding("+0", 0f, 0x0000),
                new Rounding("-0", -0f, 0x8000),
                new Rounding("+inf", Float.POSITIVE_INFINITY, 0x7c00),
                new Rounding("-inf", Float.NEGATIVE_INFINITY, 0xfc00),
                new Rounding("1", 1f, 0x3c00),
                new Rounding("-2", -2f, 0xc000),
                new Rounding("-1/3 (rounds down)", -1f / 3, 0xb555),
                new Rounding("the largest half, 65504", 65504f, 0x7bff),
                new Rounding("65519.99 (below the halfway point to 2^16)", 65519.99f, 0x7bff),
                new Rounding("65520 (halfway to 2^16, ties to even: infinity)", 65520f, 0x7c00),
                new Rounding("-65520", -65520f, 0xfc00),
                new Rounding("1e6 (overflows)", 1e6f, 0x7c00),
                new Rounding("Float.MAX_VALUE", Float.MAX_VALUE, 0x7c00),
                new Rounding("2^-14, the smallest normal half", 0x1p-14f, 0x0400),
                new Rounding("the largest subnormal half", 0x3ffp-24f, 0x03ff),
                new Rounding("the float below 2^-14 (rounds up to it)", Math.nextDown(0x1p-14f), 0x0400),
                new Rounding("2^-24, the smallest subnormal", tiny, 0x0001),
                new Rounding("-2^-24", -tiny, 0x8001),
                new Rounding("2^-25, half of it (tie to even: 0)", tiny / 2, 0x0000),
                new Rounding("-2^-25 (tie to even: -0)", -tiny / 2, 0x8000),
                new Rounding("just above 2^-25 (rounds up)", Math.nextUp(tiny / 2), 0x0001),
                new Rounding("1.5 x 2^-24 (tie: up to the even 2)", 1.5f * tiny, 0x0002),
                new Rounding("2.5 x 2^-24 (tie: down to the even 2)", 2.5f * tiny, 0x0002),
                new Rounding("Float.MIN_VALUE (underflows)", Float.MIN_VALUE, 0x0000),
                new Rounding("a subnormal float", Float.MIN_NORMAL / 2, 0x0000),
                new Rounding("1 + half an ulp (tie: down to the even 1)", 1f + ulpAtOne / 2, 0x3c00),
                new Rounding("1 + 3/2 ulp (tie: up to the even 1 + 2 ulp)", 1f + 1.5f * ulpAtOne, 0x3c02),
                new Rounding("-(1 + 3/2 ulp)", -(1f + 1.5f * ulpAtOne), 0xbc02),
                new Rounding("1 + half an ulp + 2^-23 (above the tie: up)", 1f + ulpAtOne / 2 + 0x1p-23f, 0x3c01),
                new Rounding("2047.5 (tie between 2047 and 2048: to 2048)", 2047.5f, 0x6800),
                new Rounding("2049 (tie between 2048 and 2050: to 2048)", 2049f, 0x6800),
                new Rounding("2051 (tie between 2050 and 2052: to 2052)", 2051f, 0x6802));
    }

    @ParameterizedTest
    @MethodSource("roundings")
    void floatsRoundToTheNearestHalfTiesToEven(Rounding rounding) {
        assertThat(Float.floatToFloat16(rounding.value()) & 0xffff).as("the JDK").isEqualTo(rounding.half());
        assertThat(narrow(hostKernels, new float[] {rounding.value()})[0]).as("the host library")
                .isEqualTo(rounding.half());
        assertThat(narrow(reference, new float[] {rounding.value()})[0]).as("the Java reference")
                .isEqualTo(rounding.half());
    }

    @Test
    void aNanNarrowsToAQuietNanOfTheSameSign() {
        int[] nans = {0x7fc0_0000, 0xffc0_0000, 0x7f80_0001, 0xff80_0001, 0x7fff_ffff, 0x7fa0_0000, 0x7f80_2000};
        float[] values = new float[nans.length];
        MemorySegment.copy(MemorySegment.ofArray(nans), 0, MemorySegment.ofArray(values), 0, nans.length * 4L);
        int[] halves = narrow(hostKernels, values);
        for (int i = 0; i < nans.length; i++) {
            assertThat(halves[i] & 0x7fff).as("0x%08x", nans[i]).isGreaterThanOrEqualTo(QUIET_HALF);
            assertThat(halves[i] & 0x8000).as("sign of 0x%08x", nans[i]).isEqualTo(nans[i] >>> 16 & 0x8000);
        }
    }

    @Test
    void millionsOfRandomFloatsNarrowAsTheJdk() {
        SplittableRandom random = new SplittableRandom(16);
        float[] patterns = new float[1 << 22];
        for (int i = 0; i < patterns.length; i++) {
            patterns[i] = Float.intBitsToFloat(random.nextInt());
        }
        assertNarrowsAsTheJdk(patterns, narrow(hostKernels, patterns));
        float[] values = new float[1 << 21];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextDouble(-70_000, 70_000);
        }
        assertNarrowsAsTheJdk(values, narrow(hostKernels, values));
    }

    /** Over 2^20 elements the host splits a call; the two halves of the work must agree with one thread. */
    @Test
    void callsSplitOverTwoThreadsMatchTheReference() {
        SplittableRandom random = new SplittableRandom(17);
        float[] values = new float[1100 * 1000];
        for (int i = 0; i < values.length; i++) {
            values[i] = i % 3 == 0 ? Float.intBitsToFloat(random.nextInt()) : (float) random.nextGaussian() * 100;
        }
        try (Kernels two = host.openStream(2)) {
            int[] halves = narrow(two, values);
            assertNarrowsAsTheJdk(values, halves);

            MemorySegment input = arena.allocate(values.length * 2L, 64);
            for (int i = 0; i < halves.length; i++) {
                input.setAtIndex(ValueLayout.JAVA_SHORT, i, (short) halves[i]);
            }
            Batch widened = host.allocate(arena, 1100, 1000);
            Batch oneThread = host.allocate(arena, 1100, 1000);
            two.fromHalf(input, widened);
            reference.fromHalf(input, oneThread);
            int[] bits = floatBits(widened);
            int[] referenceBits = floatBits(oneThread);
            for (int i = 0; i < bits.length; i++) {
                if (Float.isNaN(Float.intBitsToFloat(referenceBits[i]))) {
                    assertThat(Float.intBitsToFloat(bits[i])).as("element %d", i).isNaN();
                } else {
                    assertThat(bits[i]).as("element %d", i).isEqualTo(referenceBits[i]);
                }
            }
        }
    }

    static Stream<Backend> backends() {
        return Stream.of(new JavaBackend(), new HostBackend());
    }

    @ParameterizedTest
    @MethodSource("backends")
    void aHalfBufferOfTheWrongSizeIsRefusedWithTheSizes(Backend backend) {
        try (Arena local = Arena.ofConfined(); Kernels k = backend.openStream(1)) {
            Batch x = backend.allocate(local, 3, 5);
            MemorySegment small = local.allocate(28, 64);
            assertThatThrownBy(() -> k.toHalf(x, small)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("toHalf: the float16 buffer has 28 bytes but the batch [3, 5] needs 30 "
                            + "(15 16-bit values)");
            MemorySegment large = local.allocate(32, 64);
            assertThatThrownBy(() -> k.fromHalf(large, x)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("fromHalf: the float16 buffer has 32 bytes but the batch [3, 5] needs 30 "
                            + "(15 16-bit values)");
            MemorySegment inside = x.data().asSlice(0, 30);
            assertThatThrownBy(() -> k.toHalf(x, inside)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("toHalf: the float16 buffer overlaps the batch [3, 5]");
        }
    }

    @Test
    void theHostLibraryRefusesAHeapHalfBuffer() {
        Batch x = host.allocate(arena, 2, 4);
        assertThatThrownBy(() -> hostKernels.toHalf(x, MemorySegment.ofArray(new short[8])))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("toHalf: the float16 buffer is not in native memory");
    }

    private void assertNarrowsAsTheJdk(float[] values, int[] halves) {
        for (int i = 0; i < values.length; i++) {
            float value = values[i];
            String what = "%s (0x%08x)".formatted(value, Float.floatToRawIntBits(value));
            if (Float.isNaN(value)) {
                assertThat(halves[i] & 0x7fff).as(what).isGreaterThanOrEqualTo(QUIET_HALF);
            } else {
                assertThat(halves[i]).as(what).isEqualTo(Float.floatToFloat16(value) & 0xffff);
            }
        }
    }

    /** The halves {@code kernels} gives for {@code values}, as unsigned 16-bit ints. */
    private int[] narrow(Kernels kernels, float[] values) {
        Batch batch = host.upload(arena, values, 1, values.length);
        MemorySegment halves = arena.allocate(values.length * 2L, 64);
        kernels.toHalf(batch, halves);
        int[] out = new int[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = halves.getAtIndex(ValueLayout.JAVA_SHORT, i) & 0xffff;
        }
        return out;
    }

    private static int[] floatBits(Batch batch) {
        return batch.data().asSlice(0, batch.bytes()).toArray(ValueLayout.JAVA_INT);
    }
}

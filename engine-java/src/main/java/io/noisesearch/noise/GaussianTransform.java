package io.noisesearch.noise;

/**
 * The Gaussian transform of the noise contract: one Philox word to one standard normal float with IEEE-exact
 * operations only, the reference that kernels/include/ns_gaussian.cuh must match bit for bit (the formula, its
 * source and its accuracy are documented there). Java float arithmetic is IEEE single precision; the square
 * root goes through double, which rounds to the same float as a single-precision square root would.
 */
public final class GaussianTransform {

    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;

    private GaussianTransform() {
    }

    /** Element {@code element} of the noise of candidate {@code key} under {@code seed}. */
    public static float noise(long seed, long key, long element) {
        return fromBits(Philox.noiseWords(seed, key, element >>> 2)[(int) (element & 3)]);
    }

    public static float fromBits(int w) {
        int m = ((w >>> 8) & 0x007FFFFF) * 2 + 1;
        float p = (float) m * 0x1p-25f;
        float q = p - 0.5f;

        float r = 0.180625f - q * q;
        float a = ((5.9109374720e+01f * r + 1.5929113202e+02f) * r + 5.0434271938e+01f) * r + 3.3871327179e+00f;
        float b = ((6.7187563600e+01f * r + 7.8757757664e+01f) * r + 1.7895169469e+01f) * r + 1.0f;
        float centralNumerator = -q * a;

        float t = (float) Math.sqrt(-logPositive(p)) - 1.6f;
        float c = ((1.7023821103e-01f * t + 1.3067284816e+00f) * t + 2.7568153900e+00f) * t + 1.4234372777e+00f;
        float d = (1.2021132975e-01f * t + 7.3700164250e-01f) * t + 1.0f;

        boolean central = m > 2516582;
        float z = (central ? centralNumerator : c) / (central ? b : d);
        return Float.intBitsToFloat(Float.floatToRawIntBits(z) ^ (w & 0x80000000));
    }

    /** log p for a positive normal float: exponent plus 2 atanh((f - 1) / (f + 1)) to s^9. */
    static float logPositive(float p) {
        int bits = Float.floatToRawIntBits(p);
        float mantissa = Float.intBitsToFloat((bits & 0x007FFFFF) | 0x3F800000);
        int exponent = (bits >>> 23) - 127;
        int above = (bits & 0x007FFFFF) > 0x003504F3 ? 1 : 0;
        float f = above == 1 ? mantissa * 0.5f : mantissa;
        float e = (float) (exponent + above);
        float s = (f - 1.0f) / (f + 1.0f);
        float s2 = s * s;
        float series = s2 * ((1.0f / 3.0f) + s2 * ((1.0f / 5.0f) + s2 * ((1.0f / 7.0f) + s2 * (1.0f / 9.0f))));
        float twiceS = s + s;
        float logF = twiceS + twiceS * series;
        return e * LN2_HI + (e * LN2_LO + logF);
    }
}

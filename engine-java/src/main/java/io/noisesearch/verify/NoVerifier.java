package io.noisesearch.verify;

import io.noisesearch.backend.Kernels;

/**
 * No verifier ({@code --verifier none}): every candidate scores 0 and nothing runs, so a search keeps its first
 * candidate; the baseline without search on models that have no verifier yet (the text-to-image models).
 */
public final class NoVerifier implements Verifier {

    @Override
    public String name() {
        return "none";
    }

    @Override
    public String identity() {
        return "none";
    }

    @Override
    public long flopsPerSample() {
        return 0;
    }

    @Override
    public void score(Kernels kernels, VerifierInput input, float[][] out, int offset) {
        java.util.Arrays.fill(out[0], offset, offset + input.samples().rows(), 0f);
    }
}

package io.noisesearch.verify;

import io.noisesearch.backend.Kernels;

import java.util.List;

/** A verifier that passes every call to another; wrappers extend it and override only what they change. */
public abstract class ForwardingVerifier implements Verifier {

    protected final Verifier inner;

    protected ForwardingVerifier(Verifier inner) {
        this.inner = inner;
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public List<String> members() {
        return inner.members();
    }

    @Override
    public String identity() {
        return inner.identity();
    }

    @Override
    public long flopsPerSample() {
        return inner.flopsPerSample();
    }

    @Override
    public int decodesPerSample() {
        return inner.decodesPerSample();
    }

    @Override
    public double captureTime() {
        return inner.captureTime();
    }

    @Override
    public int rowsPerCall(int batchSize) {
        return inner.rowsPerCall(batchSize);
    }

    @Override
    public void score(Kernels kernels, VerifierInput input, float[][] out, int offset) {
        inner.score(kernels, input, out, offset);
    }

    @Override
    public float[] combine(Scores memberScores) {
        return inner.combine(memberScores);
    }
}

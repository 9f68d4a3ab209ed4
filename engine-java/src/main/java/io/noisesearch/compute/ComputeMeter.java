package io.noisesearch.compute;

import java.util.function.Consumer;

/**
 * Counts the compute of one request as it happens. Confined to the thread that runs the request; the
 * denoiser wrapper and the verifiers report into it, the search switches phases. Counts saturate at
 * {@link Long#MAX_VALUE} instead of wrapping (the engine refuses requests whose planned work does not fit).
 */
public final class ComputeMeter {

    private final long startNanos = System.nanoTime();
    private Phase phase = Phase.SEARCH;
    private long phaseStart = startNanos;
    private final long[] nfe = new long[Phase.values().length];
    private final long[] nanos = new long[Phase.values().length];
    private long forwardPasses;
    private long flops;
    private long verifierCalls;
    /** The part of the counts above that a cache served instead of running. */
    private final long[] servedNfe = new long[Phase.values().length];
    private long servedPasses;
    private long servedFlops;
    private long servedCalls;
    private final Consumer<Phase> onEnter;
    /** Called after every denoiser evaluation that ran (a search's batch boundary); may throw to stop the request. */
    private Runnable afterEvaluation = () -> { };
    /** The samples of the last denoiser evaluation that ran (what {@link #afterEvaluation} is called after). */
    private long lastSamples;

    public ComputeMeter() {
        this(p -> { });
    }

    /** A meter that also tells {@code onEnter} of every phase switch (the backend's transfer meter). */
    public ComputeMeter(Consumer<Phase> onEnter) {
        this.onEnter = onEnter;
    }

    /** Switches the phase that following work is charged to. */
    public void enter(Phase next) {
        long now = System.nanoTime();
        nanos[phase.ordinal()] += now - phaseStart;
        phase = next;
        phaseStart = now;
        onEnter.accept(next);
    }

    /** Sets what runs after every denoiser evaluation that ran (not those a cache served). */
    public void afterEvaluation(Runnable check) {
        this.afterEvaluation = check;
    }

    /** The samples of the last denoiser evaluation that ran (0 before any). */
    public long lastSamples() {
        return lastSamples;
    }

    public Phase phase() {
        return phase;
    }

    public long nfe(Phase p) {
        return nfe[p.ordinal()];
    }

    /** One denoiser evaluation of {@code samples} samples: passes = 2 with guidance, 1 without. */
    public void denoiserEvaluation(long samples, int passes, long flopsPerPass) {
        count(samples, passes, flopsPerPass);
        lastSamples = samples;
        afterEvaluation.run();
    }

    private void count(long samples, int passes, long flopsPerPass) {
        nfe[phase.ordinal()] = add(nfe[phase.ordinal()], samples);
        long passed = times(samples, passes);
        forwardPasses = add(forwardPasses, passed);
        flops = add(flops, times(passed, flopsPerPass));
    }

    /**
     * Forward passes of a model that is neither the denoiser nor a verifier (a latent model's decoder, a text encoder)
     * over {@code samples} rows: counted in forward passes and FLOPs, never as NFEs.
     */
    public void auxiliaryEvaluation(long samples, long flopsPerSample) {
        forwardPasses = add(forwardPasses, samples);
        flops = add(flops, times(samples, flopsPerSample));
    }

    public void verifierEvaluation(long samples, long flopsPerSample) {
        verifierCalls = add(verifierCalls, samples);
        flops = add(flops, times(samples, flopsPerSample));
    }

    /**
     * Denoiser evaluations a cache served: counted as {@link #denoiserEvaluation} counts them (a request accounts for
     * its work as if it ran alone), and apart in {@link #served()}.
     */
    public void servedDenoiserEvaluation(long samples, int passes, long flopsPerPass) {
        count(samples, passes, flopsPerPass);
        servedNfe[phase.ordinal()] = add(servedNfe[phase.ordinal()], samples);
        long passed = times(samples, passes);
        servedPasses = add(servedPasses, passed);
        servedFlops = add(servedFlops, times(passed, flopsPerPass));
    }

    /** Verifier scores a cache served: counted as {@link #verifierEvaluation} counts them, and apart. */
    public void servedVerifierEvaluation(long samples, long flopsPerSample) {
        verifierEvaluation(samples, flopsPerSample);
        servedCalls = add(servedCalls, samples);
        servedFlops = add(servedFlops, times(samples, flopsPerSample));
    }

    /** The part of {@link #snapshot()}'s counts that a cache served (no wall times): zero without a cache. */
    public Compute served() {
        return new Compute(servedNfe[Phase.SEARCH.ordinal()], servedNfe[Phase.FINAL.ordinal()], servedPasses,
                servedFlops, servedCalls, 0, 0, 0);
    }

    /** a + b for non-negative counts, {@link Long#MAX_VALUE} where it would overflow. */
    private static long add(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    /** a * b for non-negative counts, {@link Long#MAX_VALUE} where it would overflow. */
    private static long times(long a, long b) {
        return Math.multiplyHigh(a, b) != 0 || a * b < 0 ? Long.MAX_VALUE : a * b;
    }

    public Compute snapshot() {
        long now = System.nanoTime();
        long[] ns = nanos.clone();
        ns[phase.ordinal()] += now - phaseStart;
        return new Compute(nfe[Phase.SEARCH.ordinal()], nfe[Phase.FINAL.ordinal()], forwardPasses, flops,
                verifierCalls, (now - startNanos) / 1_000_000, ns[Phase.SEARCH.ordinal()] / 1_000_000,
                ns[Phase.FINAL.ordinal()] / 1_000_000);
    }
}

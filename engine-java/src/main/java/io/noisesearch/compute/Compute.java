package io.noisesearch.compute;

/**
 * Compute used by one request (DESIGN.md, compute accounting). NFE: one denoiser evaluation of one sample at
 * one solver stage; the unconditional pass of classifier-free guidance counts in forward passes and FLOPs,
 * not in NFEs. FLOPs sum the denoiser's and the verifiers' per-sample FLOPs.
 */
public record Compute(long searchNfe, long finalNfe, long forwardPasses, long flops, long verifierCalls,
                      long wallMillis, long searchMillis, long finalMillis) {

    /** Saturates like the meter's counts. */
    public long totalNfe() {
        long total = searchNfe + finalNfe;
        return total < 0 ? Long.MAX_VALUE : total;
    }

    public static final Compute ZERO = new Compute(0, 0, 0, 0, 0, 0, 0, 0);

    /** These counts less what a cache served ({@link ComputeMeter#served()}): the work that ran. */
    public Compute minus(Compute served) {
        return new Compute(searchNfe - served.searchNfe, finalNfe - served.finalNfe,
                forwardPasses - served.forwardPasses, flops - served.flops, verifierCalls - served.verifierCalls,
                wallMillis, searchMillis, finalMillis);
    }
}

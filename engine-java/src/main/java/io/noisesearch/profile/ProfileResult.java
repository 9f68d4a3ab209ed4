package io.noisesearch.profile;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * The measurements of one configuration over its evaluation set: one line of {@code results.jsonl}. Everything but
 * {@code measured} and {@code reuse} is a function of the configuration (the same on every run on the same machine,
 * whether or not the point shared a pool); metrics a model does not have are null (trained models: the evaluation
 * network's; exact mixtures: the oracle log-density).
 *
 * @param index       the configuration's place in the sweep's order
 * @param solvers     the solvers the configuration resolved to on its model ("euler x10")
 * @param precision   the precision the denoiser ran in (the engine's --precision: fp32, int8); null in lines written
 *                    before it was recorded
 */
public record ProfileResult(String id, int index, Configuration configuration, Solvers solvers,
                            @JsonInclude(JsonInclude.Include.NON_NULL) String precision, int samples,
                            Quality quality, Work compute, Measured measured,
                            @JsonInclude(JsonInclude.Include.NON_NULL) Reuse reuse) {

    /** A result of a configuration run alone. */
    public ProfileResult(String id, int index, Configuration configuration, Solvers solvers, String precision,
                         int samples, Quality quality, Work compute, Measured measured) {
        this(id, index, configuration, solvers, precision, samples, quality, compute, measured, null);
    }

    /** The same result at another place of a sweep's order (a resumed sweep that gained configurations before it). */
    public ProfileResult withIndex(int index) {
        return new ProfileResult(id, index, configuration, solvers, precision, samples, quality, compute, measured,
                reuse);
    }

    public record Solvers(String search, String last) {
    }

    /**
     * @param meanVerifierScore    the configuration's verifier's mean score of the returned samples (an ensemble's:
     *                             minus the mean rank, always -1 for a single sample)
     * @param meanOracleLogDensity exact mixtures: mean log p(x | class) of the returned samples
     * @param perClassAccuracy     per class of the model; null where the set has no sample of the class
     */
    public record Quality(Double accuracy, Double inceptionScore, Double fid, Double precision, Double recall,
                          List<Double> perClassAccuracy, Double meanVerifierScore, Double meanOracleLogDensity) {
    }

    /**
     * Compute summed over the evaluation set (docs/architecture.md, compute accounting). Denoiser GFLOPs are forward
     * passes times the model's FLOPs per pass; verifier GFLOPs the rest of the meter's FLOPs (verifier calls times
     * the verifier's FLOPs per sample).
     *
     * @param plannedSearchNfe one sample's planned search NFEs (the closed form, before any budget)
     * @param budgetExhausted  samples whose search the budget stopped
     */
    public record Work(long plannedSearchNfe, long searchNfe, long finalNfe, long forwardPasses, long verifierCalls,
                       double denoiserGflops, double verifierGflops, double gflops, int budgetExhausted) {
    }

    /**
     * What varies from run to run. {@code peakHeapBytes}: the sum of the JVM heap pools' peak usage while the
     * configuration ran (an upper bound of the heap's peak; native memory of ONNX Runtime and the kernels is not in
     * it). {@code workers}: null where the configuration's unit ran alone; else the units the run ran at once
     * (--workers), so the wall times are with the cores shared by that many, and the peak heap is the whole process's
     * from the start of the run to the configuration's end. {@code ran}: the compute that ran for the result in this
     * run: what it spent (after prefix reuse) less what the solve cache served (null in results written before the
     * cache existed).
     */
    public record Measured(long wallMillis, long searchMillis, long finalMillis, long evaluationMillis,
                           long peakHeapBytes, @JsonInclude(JsonInclude.Include.NON_NULL) Integer workers,
                           @JsonInclude(JsonInclude.Include.NON_NULL) Work ran) {

        /** Measured with the unit alone on the engine, without a record of what ran. */
        public Measured(long wallMillis, long searchMillis, long finalMillis, long evaluationMillis,
                        long peakHeapBytes) {
            this(wallMillis, searchMillis, finalMillis, evaluationMillis, peakHeapBytes, null, null);
        }
    }

    /**
     * A best-of-N point of a group that shared one pool (bench/sweeps/README.md, prefix reuse); its {@code compute}
     * stays what it would spend alone. What this run spent differs, so it is kept apart, like {@code measured}.
     *
     * @param pool   the id of the group's largest configuration, whose searches made the pool
     * @param reused true when the result was derived from the pool's first N candidates (false: the pool itself)
     * @param spent  the compute this run spent for the point: the pool's searches for the pool's configuration, the
     *               final solves of winners the pool did not return for the others (often none)
     */
    public record Reuse(String pool, boolean reused, Work spent) {
    }

    /** The compute this run spent for the result: its own unless it took part in prefix reuse. */
    public Work spent() {
        return reuse == null ? compute : reuse.spent();
    }

    /** What of {@link #spent()} ran: less what the solve cache served (all of it for results without a record). */
    public Work ran() {
        return measured != null && measured.ran() != null ? measured.ran() : spent();
    }

    public double searchNfePerSample() {
        return (double) compute.searchNfe() / samples;
    }

    public double totalNfePerSample() {
        return (double) (compute.searchNfe() + compute.finalNfe()) / samples;
    }

    public double gflopsPerSample() {
        return compute.gflops() / samples;
    }

    /** The configuration in one line, with the solvers it resolved to. */
    public String describe() {
        return configuration.describe(solvers.search(), solvers.last());
    }
}

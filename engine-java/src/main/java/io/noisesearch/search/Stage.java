package io.noisesearch.search;

/** The algorithm stage that names a candidate key (the top 8 bits of the key). */
public enum Stage {
    /** Random search candidates; candidate 0 is also the noise of "no search". */
    RANDOM(1),
    ZERO_ORDER_PIVOT(2),
    ZERO_ORDER_NEIGHBOUR(3),
    PATHS_INITIAL(4),
    PATHS_FORWARD(5),
    /** Early pruning's initial noises. */
    PRUNE(6),
    /** Beam search's neighbour directions (iteration: bfs level or dfs expansion; its roots are random's noises). */
    BEAM(10),
    /** Evolution's mutation directions (iteration: generation; generation 0 is random search's noises). */
    EVOLUTION(11),
    /**
     * First-order search's candidate r after k gradient steps (iteration k, index r): a name, no noise is drawn for it
     * (it is the random candidate r moved k times).
     */
    GRADIENT_STEP(12),
    /**
     * Beam search's stochastic-step children (--beam-expand step): the key whose step noise child c >= 1 draws from
     * the level where it was made on (iteration: bfs level or dfs expansion, as {@link #BEAM}).
     */
    BEAM_STEP(13),
    /** SMC's resampling after step j: its uniforms are the Philox words of key (SMC_RESAMPLE, j, 0). */
    SMC_RESAMPLE(16),
    /** Lineage entries of SMC: (SMC_MOVE, j, i) moved a particle into slot i, whose noise it draws from step j on. */
    SMC_MOVE(17);

    private final int code;

    Stage(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}

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
    /**
     * First-order search's candidate r after k gradient steps (iteration k, index r): a name, no noise is drawn for it
     * (it is the random candidate r moved k times); code 16 leaves room below for the other algorithms' stages.
     */
    GRADIENT_STEP(16);

    private final int code;

    Stage(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}

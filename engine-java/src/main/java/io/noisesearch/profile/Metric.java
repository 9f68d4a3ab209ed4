package io.noisesearch.profile;

import java.util.function.Function;

/** The quality metrics a sweep plots, with the direction that is better. */
public enum Metric {
    ACCURACY("accuracy", "accuracy", true, ProfileResult.Quality::accuracy),
    INCEPTION_SCORE("inception-score", "Inception Score", true, ProfileResult.Quality::inceptionScore),
    FID("fid", "FID", false, ProfileResult.Quality::fid),
    PRECISION("precision", "precision", true, ProfileResult.Quality::precision),
    RECALL("recall", "recall", true, ProfileResult.Quality::recall),
    VERIFIER_SCORE("verifier-score", "mean verifier score", true, ProfileResult.Quality::meanVerifierScore),
    ORACLE_LOG_DENSITY("oracle-log-density", "mean oracle log-density", true,
            ProfileResult.Quality::meanOracleLogDensity);

    private final String id;
    private final String label;
    private final boolean higherIsBetter;
    private final Function<ProfileResult.Quality, Double> value;

    Metric(String id, String label, boolean higherIsBetter, Function<ProfileResult.Quality, Double> value) {
        this.id = id;
        this.label = label;
        this.higherIsBetter = higherIsBetter;
        this.value = value;
    }

    /** For file names: "fid". */
    public String id() {
        return id;
    }

    /** For people: "FID". */
    public String label() {
        return label;
    }

    public boolean higherIsBetter() {
        return higherIsBetter;
    }

    /** The metric of a result, or null where its model does not have it. */
    public Double of(ProfileResult result) {
        return value.apply(result.quality());
    }
}

package io.noisesearch.schedule;

/** What a denoiser predicts; the codes are the NS_PRED_* values of the C ABI. */
public enum Prediction {
    VELOCITY(0), EPSILON(1), X0(2);

    private final int code;

    Prediction(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}

package io.noisesearch.verify;

import io.noisesearch.backend.Kernels;
import io.noisesearch.model.ImageModel;
import io.noisesearch.model.ModelIdentity;

/**
 * Supervised verifiers on a trained classifier's logits (the paper's DINO linear head analogue):
 * {@code classifier} scores log p(class | x) = logit_class - logsumexp(logits); {@code oracle-is} uses the
 * evaluation network instead and scores p(class | x) (the Inception-Score oracle, a ceiling, not a method).
 */
public final class ClassifierVerifier implements Verifier {

    public enum Kind {
        CLASSIFIER("classifier", "logits"), ORACLE_IS("oracle-is", "logits");

        final String id;
        final String output;

        Kind(String id, String output) {
            this.id = id;
            this.output = output;
        }
    }

    private final Kind kind;
    private final ImageModel model;
    private final int classes;

    public ClassifierVerifier(Kind kind, ImageModel model) {
        this.kind = kind;
        this.model = model;
        this.classes = model.outputWidth(kind.output);
    }

    @Override
    public String name() {
        return kind.id;
    }

    @Override
    public String identity() {
        return name() + "@" + ModelIdentity.of(model);
    }

    @Override
    public long flopsPerSample() {
        return model.manifest().flopsPerSample();
    }

    @Override
    public void score(Kernels kernels, VerifierInput input, float[][] out, int offset) {
        if (input.label() < 0 || input.label() >= classes) {
            throw new IllegalArgumentException("class " + input.label() + " is outside the " + classes
                    + " classes of verifier model " + model.manifest().name());
        }
        float[] logits = model.output(kernels, input.samples(), kind.output);
        for (int r = 0; r < input.samples().rows(); r++) {
            double logProbability = logSoftmax(logits, r * classes, classes, input.label());
            out[0][offset + r] = (float) (kind == Kind.CLASSIFIER ? logProbability : Math.exp(logProbability));
        }
        Verifier.requireFinite(name(), out[0], offset, input.samples().rows());
    }

    static double logSoftmax(float[] logits, int from, int count, int index) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = from; i < from + count; i++) {
            max = Math.max(max, logits[i]);
        }
        double sum = 0;
        for (int i = from; i < from + count; i++) {
            sum += Math.exp(logits[i] - max);
        }
        return logits[from + index] - max - Math.log(sum);
    }
}

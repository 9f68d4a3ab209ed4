package io.noisesearch.verify;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.backend.Kernels;
import io.noisesearch.model.ImageModel;
import io.noisesearch.model.Tokenizer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The aspect grader (docs/t2i-verifiers.md): one model that gives each image the probability that it is right on
 * each named aspect of its caption (object, colour, count, spatial, quality). Its members are the aspects, so their
 * scores are recorded with every pool and result; one score per candidate is their weighted mean,
 * {@code sum_a w_a p_a / sum_a w_a}. {@code grader} weighs every aspect 1; {@code grader@count=2,spatial=1} gives
 * the listed aspects those weights and the others 0.
 */
public final class GraderVerifier implements Verifier {

    /** The model's aspects, in the order of its {@code aspects} output. */
    public static final List<String> ASPECTS = List.of("object", "colour", "count", "spatial", "quality");
    static final String OUTPUT = "aspects";

    private final ImageModel model;
    private final Tokenizer tokenizer;
    private final double[] weights;
    private final String spec;

    public GraderVerifier(ImageModel model, double[] weights, String spec) {
        if (weights.length != ASPECTS.size()) {
            throw new IllegalArgumentException(weights.length + " weights for " + ASPECTS.size() + " aspects");
        }
        if (model.outputWidth(OUTPUT) != ASPECTS.size()) {
            throw new InvalidRequestException(model.folder().resolve("manifest.json") + ": output '" + OUTPUT
                    + "' of the grader must hold " + ASPECTS.size() + " values per image (" + ASPECTS + ")");
        }
        this.model = model;
        this.tokenizer = CaptionVerifier.captionTokenizer(model);
        this.weights = weights.clone();
        this.spec = spec;
    }

    /** Every aspect weighed 1 for {@code grader}; the listed weights for {@code grader@a=w,...}, others 0. */
    public static double[] weights(String spec) {
        double[] weights = new double[ASPECTS.size()];
        if (spec.equals("grader")) {
            java.util.Arrays.fill(weights, 1);
            return weights;
        }
        String list = spec.substring("grader@".length());
        Map<String, Double> given = new LinkedHashMap<>();
        for (String part : list.split(",", -1)) {
            int eq = part.indexOf('=');
            String aspect = eq < 0 ? part.trim() : part.substring(0, eq).trim();
            if (!ASPECTS.contains(aspect)) {
                throw new InvalidRequestException("--verifier " + spec + ": unknown aspect '" + aspect + "' (the grader's"
                        + " aspects: " + String.join(", ", ASPECTS) + "; write grader@aspect=weight,...)");
            }
            double w;
            try {
                w = eq < 0 ? Double.NaN : Double.parseDouble(part.substring(eq + 1).trim());
            } catch (NumberFormatException e) {
                w = Double.NaN;
            }
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new InvalidRequestException("--verifier " + spec + ": aspect " + aspect + " needs a weight, a"
                        + " finite number >= 0 (write " + aspect + "=W)");
            }
            if (given.put(aspect, w) != null) {
                throw new InvalidRequestException("--verifier " + spec + ": aspect " + aspect + " is weighed twice");
            }
        }
        double sum = 0;
        for (Map.Entry<String, Double> e : given.entrySet()) {
            weights[ASPECTS.indexOf(e.getKey())] = e.getValue();
            sum += e.getValue();
        }
        if (!(sum > 0)) {
            throw new InvalidRequestException("--verifier " + spec + ": at least one aspect needs a weight above 0");
        }
        return weights;
    }

    public double[] weights() {
        return weights.clone();
    }

    @Override
    public String name() {
        return spec;
    }

    @Override
    public List<String> members() {
        List<String> names = new ArrayList<>();
        ASPECTS.forEach(a -> names.add("grader:" + a));
        return names;
    }

    /** The scores depend on the caption, which the identity cannot name: never cached. */
    @Override
    public String identity() {
        return null;
    }

    @Override
    public long flopsPerSample() {
        return model.manifest().flopsPerSample();
    }

    @Override
    public void score(Kernels kernels, VerifierInput input, float[][] out, int offset) {
        long[] tokens = CaptionVerifier.tokens(tokenizer, name(), input);
        float[] aspects = model.outputs(kernels, input.samples(), tokens, List.of(OUTPUT)).getFirst();
        int rows = input.samples().rows();
        for (int a = 0; a < ASPECTS.size(); a++) {
            for (int r = 0; r < rows; r++) {
                out[a][offset + r] = aspects[r * ASPECTS.size() + a];
            }
            Verifier.requireFinite(name(), out[a], offset, rows);
        }
    }

    /** The weighted mean of the aspect probabilities. */
    @Override
    public float[] combine(Scores memberScores) {
        double sum = 0;
        for (double w : weights) {
            sum += w;
        }
        float[] combined = new float[memberScores.size()];
        for (int i = 0; i < combined.length; i++) {
            float[] column = memberScores.column(i);
            double total = 0;
            for (int a = 0; a < weights.length; a++) {
                total += weights[a] * column[a];
            }
            combined[i] = (float) (total / sum);
        }
        return combined;
    }
}

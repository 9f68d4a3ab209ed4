package io.noisesearch.verify;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.backend.Kernels;
import io.noisesearch.model.ImageModel;
import io.noisesearch.model.ModelIdentity;
import io.noisesearch.model.Tokenizer;

import java.util.List;

/**
 * Trained verifiers of the text track that read one score per image from their model's {@code score} output
 * (docs/t2i-verifiers.md): {@code clip} (the cosine of a dual encoder's image and caption embeddings), {@code reward}
 * (a cross-encoder's preference score for the caption) and {@code aesthetic} (a quality score that never reads the
 * caption). The caption is tokenised with the verifier model's own vocabulary; a pool chunk is one model call.
 */
public final class CaptionVerifier implements Verifier {

    public enum Kind {
        CLIP("clip", true), REWARD("reward", true), AESTHETIC("aesthetic", false);

        final String id;
        final boolean readsCaption;

        Kind(String id, boolean readsCaption) {
            this.id = id;
            this.readsCaption = readsCaption;
        }

        public String id() {
            return id;
        }
    }

    static final String OUTPUT = "score";

    private final Kind kind;
    private final ImageModel model;
    private final Tokenizer tokenizer;

    public CaptionVerifier(Kind kind, ImageModel model) {
        this.kind = kind;
        this.model = model;
        if (model.outputWidth(OUTPUT) != 1) {
            throw new InvalidRequestException(model.folder().resolve("manifest.json") + ": output '" + OUTPUT
                    + "' of verifier " + kind.id + " must hold one value per image");
        }
        this.tokenizer = kind.readsCaption ? captionTokenizer(model) : null;
    }

    /** The tokenizer of a captioned verifier model, from its manifest's {@code tokenizer}. */
    static Tokenizer captionTokenizer(ImageModel model) {
        if (model.manifest().tokenizer() == null) {
            throw new InvalidRequestException(model.folder().resolve("manifest.json") + ": field 'tokenizer' is missing"
                    + " (a verifier that reads the caption needs its vocabulary)");
        }
        return model.manifest().textTokenizer(model.folder());
    }

    /** The caption's token ids; a request without one (a class request) is refused. */
    static long[] tokens(Tokenizer tokenizer, String verifier, VerifierInput input) {
        if (input.prompt() == null) {
            throw new InvalidRequestException("--verifier " + verifier + " scores an image against a caption: give a"
                    + " text model's request a --prompt");
        }
        return tokenizer.encode(input.prompt());
    }

    @Override
    public String name() {
        return kind.id;
    }

    /**
     * The aesthetic score is a function of the image alone, so it may be cached; the others depend on the caption,
     * which the identity cannot name (it is not known when a cache asks), so they are never cached.
     */
    @Override
    public String identity() {
        return kind.readsCaption ? null : name() + "@" + ModelIdentity.of(model);
    }

    @Override
    public long flopsPerSample() {
        return model.manifest().flopsPerSample();
    }

    @Override
    public void score(Kernels kernels, VerifierInput input, float[][] out, int offset) {
        float[] scores = kind.readsCaption
                ? model.outputs(kernels, input.samples(), tokens(tokenizer, name(), input), List.of(OUTPUT)).getFirst()
                : model.output(kernels, input.samples(), OUTPUT);
        System.arraycopy(scores, 0, out[0], offset, input.samples().rows());
        Verifier.requireFinite(name(), out[0], offset, input.samples().rows());
    }
}

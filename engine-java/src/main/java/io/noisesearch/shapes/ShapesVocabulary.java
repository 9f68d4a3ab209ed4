package io.noisesearch.shapes;

import io.noisesearch.model.Tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * The words of the shapes captions, defined once from the generator's word lists: id = position, the padding
 * {@code <pad>} first (id 0). The shapes models' manifests carry this list as {@code "tokenizer": {"vocabulary":
 * [...], "maxTokens": 12}}; tensorrt-plans/shapes-vocabulary.json holds it for the training scripts (a test keeps the
 * file equal to this list).
 */
public final class ShapesVocabulary {

    /** Tokens of a caption row: the longest caption has 8 words. */
    public static final int MAX_TOKENS = 12;
    /** The committed file, relative to the repository root. */
    public static final String FILE = "tensorrt-plans/shapes-vocabulary.json";

    private static final List<String> WORDS = build();

    private ShapesVocabulary() {
    }

    public static List<String> words() {
        return WORDS;
    }

    public static Tokenizer tokenizer() {
        return new Tokenizer(WORDS, MAX_TOKENS);
    }

    /** The file's JSON, the manifest's tokenizer object: {"vocabulary": [...], "maxTokens": 12}. */
    public static String fileText() {
        StringBuilder s = new StringBuilder("{\n  \"vocabulary\": [");
        for (int i = 0; i < WORDS.size(); i++) {
            s.append(i == 0 ? "" : ", ").append('"').append(WORDS.get(i)).append('"');
        }
        return s.append("],\n  \"maxTokens\": ").append(MAX_TOKENS).append("\n}\n").toString();
    }

    private static List<String> build() {
        List<String> words = new ArrayList<>(List.of(Tokenizer.PAD, "a", "two", "three"));
        for (ShapeColour c : ShapeColour.values()) {
            words.add(c.word());
        }
        for (ShapeKind s : ShapeKind.values()) {
            words.add(s.word());
        }
        for (ShapeKind s : ShapeKind.values()) {
            words.add(s.plural());
        }
        // The words of the relations (Relation.words), each once; a test checks that every caption is covered.
        words.addAll(List.of("left", "right", "of", "above", "below"));
        return List.copyOf(words);
    }
}

package io.noisesearch.model;

import io.noisesearch.InvalidRequestException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The tokenizer of a text-conditioned model, from its manifest ({@code "tokenizer": {"vocabulary": ["<pad>", "a",
 * ...], "maxTokens": 12}}): a prompt is lower-cased and split on single spaces, each word's id is its position in the
 * vocabulary, and the row is padded with id 0 ({@code <pad>}) to {@code maxTokens}. The null caption of classifier-free
 * guidance is the row of pads.
 */
public final class Tokenizer {

    public static final String PAD = "<pad>";
    /** Words of a vocabulary and tokens of a row, at most. */
    public static final int MAX_VOCABULARY = 1 << 20;
    public static final int MAX_ROW = 4096;

    private final List<String> vocabulary;
    private final int maxTokens;
    private final Map<String, Integer> ids = new HashMap<>();

    /**
     * A tokenizer over {@code vocabulary} (pad first, words distinct, lower case without spaces); a vocabulary that is
     * not such a list is an IllegalArgumentException naming what is wrong.
     */
    public Tokenizer(List<String> vocabulary, int maxTokens) {
        if (vocabulary.isEmpty() || !PAD.equals(vocabulary.get(0))) {
            throw new IllegalArgumentException("the vocabulary must start with \"" + PAD + "\" (id 0)");
        }
        if (vocabulary.size() > MAX_VOCABULARY) {
            throw new IllegalArgumentException("the vocabulary has " + vocabulary.size() + " words, over "
                    + MAX_VOCABULARY);
        }
        if (maxTokens < 1 || maxTokens > MAX_ROW) {
            throw new IllegalArgumentException("maxTokens must be in 1.." + MAX_ROW + ", not " + maxTokens);
        }
        for (int i = 1; i < vocabulary.size(); i++) {
            String word = vocabulary.get(i);
            if (word == null || word.isEmpty() || !word.equals(word.toLowerCase(java.util.Locale.ROOT))
                    || word.chars().anyMatch(Character::isWhitespace) || word.equals(PAD)) {
                throw new IllegalArgumentException("vocabulary entry " + i + " is not a lower-case word");
            }
            if (ids.putIfAbsent(word, i) != null) {
                throw new IllegalArgumentException("vocabulary entry " + i + " '" + word + "' repeats an earlier one");
            }
        }
        this.vocabulary = List.copyOf(vocabulary);
        this.maxTokens = maxTokens;
    }

    /**
     * A tokenizer from a manifest's fields; a missing or bad field is one line naming {@code where} (the manifest)
     * and the field.
     */
    public static Tokenizer of(List<String> vocabulary, Integer maxTokens, String where) {
        if (vocabulary == null || maxTokens == null) {
            throw new InvalidRequestException(where + ": tokenizer." + (vocabulary == null ? "vocabulary" : "maxTokens")
                    + " is missing");
        }
        try {
            return new Tokenizer(vocabulary, maxTokens);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(where + ": tokenizer: " + e.getMessage(), e);
        }
    }

    public List<String> vocabulary() {
        return vocabulary;
    }

    public int maxTokens() {
        return maxTokens;
    }

    /**
     * The ids of {@code prompt}, padded to {@link #maxTokens}. An empty or blank prompt, a double space, a word outside
     * the vocabulary or more than maxTokens words is an InvalidRequestException naming the prompt and the word.
     */
    public long[] encode(String prompt) {
        String text = prompt.toLowerCase(java.util.Locale.ROOT);
        if (text.isBlank()) {
            throw new InvalidRequestException("prompt is empty: give a caption (words separated by single spaces)");
        }
        String[] words = text.split(" ", -1);
        if (words.length > maxTokens) {
            throw new InvalidRequestException("prompt '" + shown(prompt) + "' has " + words.length + " words; this"
                    + " model reads at most " + maxTokens);
        }
        long[] row = new long[maxTokens];
        for (int i = 0; i < words.length; i++) {
            if (words[i].isEmpty()) {
                throw new InvalidRequestException("prompt '" + shown(prompt) + "': words are separated by single"
                        + " spaces, with none before or after");
            }
            Integer id = ids.get(words[i]);
            if (id == null) {
                throw new InvalidRequestException("prompt '" + shown(prompt) + "': unknown word '" + shown(words[i])
                        + "' (not in the model's vocabulary of " + (vocabulary.size() - 1) + " words)");
            }
            row[i] = id;
        }
        return row;
    }

    /** The null caption: every token a pad. */
    public long[] nullCaption() {
        return new long[maxTokens];
    }

    private static String shown(String text) {
        String plain = text.replaceAll("\\p{Cntrl}", "?");
        return plain.length() <= 80 ? plain : plain.substring(0, 77) + "...";
    }
}

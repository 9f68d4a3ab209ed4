package io.noisesearch.model;

import io.noisesearch.InvalidRequestException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenizerTest {

    private final Tokenizer tokenizer = new Tokenizer(List.of("<pad>", "a", "red", "circle", "left", "of"), 5);

    @Test
    void idsArePositionsInTheVocabularyPaddedWithZeros() {
        assertThat(tokenizer.encode("a red circle")).containsExactly(1, 2, 3, 0, 0);
        assertThat(tokenizer.encode("A Red circle")).containsExactly(1, 2, 3, 0, 0);
        assertThat(tokenizer.encode("red circle left of a")).containsExactly(2, 3, 4, 5, 1);
        assertThat(tokenizer.nullCaption()).containsExactly(0, 0, 0, 0, 0);
    }

    @Test
    void anUnknownWordIsOneLineNamingIt() {
        assertThatThrownBy(() -> tokenizer.encode("a blue circle")).isInstanceOf(InvalidRequestException.class)
                .hasMessage("prompt 'a blue circle': unknown word 'blue' (not in the model's vocabulary of 5 words)");
        assertThatThrownBy(() -> tokenizer.encode("a <pad>")).hasMessageContaining("unknown word '<pad>'");
    }

    @Test
    void tooManyWordsEmptyPromptsAndDoubleSpacesAreRefused() {
        assertThatThrownBy(() -> tokenizer.encode("a red circle left of a")).isInstanceOf(InvalidRequestException.class)
                .hasMessage("prompt 'a red circle left of a' has 6 words; this model reads at most 5");
        assertThatThrownBy(() -> tokenizer.encode(" ")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("prompt is empty");
        assertThatThrownBy(() -> tokenizer.encode("a  red")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("single spaces");
        assertThatThrownBy(() -> tokenizer.encode("a red ")).hasMessageContaining("single spaces");
    }

    @Test
    void aBadVocabularyIsOneLineNamingTheManifest() {
        assertThatThrownBy(() -> Tokenizer.of(List.of("a", "<pad>"), 4, "m/manifest.json"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("m/manifest.json: tokenizer: the vocabulary must start with \"<pad>\" (id 0)");
        assertThatThrownBy(() -> Tokenizer.of(List.of("<pad>", "a", "a"), 4, "m/manifest.json"))
                .hasMessageContaining("vocabulary entry 2 'a' repeats an earlier one");
        assertThatThrownBy(() -> Tokenizer.of(List.of("<pad>", "Red"), 4, "m/manifest.json"))
                .hasMessageContaining("vocabulary entry 1 is not a lower-case word");
        assertThatThrownBy(() -> Tokenizer.of(List.of("<pad>", "a b"), 4, "m/manifest.json"))
                .hasMessageContaining("vocabulary entry 1 is not a lower-case word");
        assertThatThrownBy(() -> Tokenizer.of(List.of("<pad>"), 0, "m/manifest.json"))
                .hasMessageContaining("maxTokens must be in 1..4096, not 0");
        assertThatThrownBy(() -> Tokenizer.of(null, 4, "m/manifest.json"))
                .hasMessage("m/manifest.json: tokenizer.vocabulary is missing");
    }
}

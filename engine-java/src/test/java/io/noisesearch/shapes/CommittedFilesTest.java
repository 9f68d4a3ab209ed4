package io.noisesearch.shapes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.noisesearch.model.Tokenizer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The files the training scripts and benchmarks read are the generator's own lists: the evaluation prompts and the
 * vocabulary; and the vocabulary covers every caption within its row.
 */
class CommittedFilesTest {

    static Path repository() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("bench/prompts")) && Files.isDirectory(p.resolve("tensorrt-plans"))) {
                return p;
            }
        }
        throw new IllegalStateException("the repository root is not above " + Path.of("").toAbsolutePath());
    }

    @Test
    void thePromptFileIsThePromptSet() throws IOException {
        assertThat(Files.readString(repository().resolve(PromptSet.FILE))).isEqualTo(PromptSet.fileText());
    }

    @Test
    void theVocabularyFileIsTheVocabularyAsTheManifestCarriesIt() throws IOException {
        Path file = repository().resolve(ShapesVocabulary.FILE);
        assertThat(Files.readString(file)).isEqualTo(ShapesVocabulary.fileText());
        JsonNode json = new ObjectMapper().readTree(file.toFile());
        List<String> words = new ArrayList<>();
        json.path("vocabulary").forEach(w -> words.add(w.asText()));
        assertThat(words).isEqualTo(ShapesVocabulary.words());
        assertThat(json.path("maxTokens").asInt()).isEqualTo(12);
    }

    @Test
    void everyCaptionTokenizesAndEveryWordIsUsed() {
        Tokenizer tokenizer = ShapesVocabulary.tokenizer();
        boolean[] used = new boolean[tokenizer.vocabulary().size()];
        used[0] = true;
        for (Caption c : Caption.all()) {
            long[] row = tokenizer.encode(c.text());
            String[] words = c.text().split(" ");
            for (int i = 0; i < row.length; i++) {
                assertThat(row[i]).isEqualTo(i < words.length ? tokenizer.vocabulary().indexOf(words[i]) : 0);
                used[(int) row[i]] = true;
            }
        }
        for (int i = 0; i < used.length; i++) {
            assertThat(used[i]).as("word '%s' is used by a caption", tokenizer.vocabulary().get(i)).isTrue();
        }
    }
}

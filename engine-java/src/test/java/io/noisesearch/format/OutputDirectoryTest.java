package io.noisesearch.format;

import io.noisesearch.InvalidRequestException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OutputDirectoryTest {

    @TempDir
    Path temp;

    @Test
    void createsMissingFoldersAndLeavesNoProbeBehind() throws IOException {
        Path dir = OutputDirectory.prepare(temp.resolve("a/b/c"), "--out");

        assertThat(dir).isDirectory();
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void aFileOrAFolderUnderAFileIsRefusedNamingTheOption() throws IOException {
        Path file = Files.writeString(temp.resolve("file"), "x");

        assertThatThrownBy(() -> OutputDirectory.prepare(file, "--out"))
                .isInstanceOf(InvalidRequestException.class).hasMessageStartingWith("--out");
        assertThatThrownBy(() -> OutputDirectory.prepare(file.resolve("below"), "--out"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("not writable");
    }
}

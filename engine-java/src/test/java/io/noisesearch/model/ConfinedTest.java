package io.noisesearch.model;

import io.noisesearch.InvalidRequestException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Paths a model folder names stay inside it, after links; model names stay inside the registry. */
class ConfinedTest {

    @TempDir
    Path temp;

    @Test
    void relativeNamesInsideTheRootResolveThere() throws Exception {
        Path root = Files.createDirectories(temp.resolve("m"));
        assertThat(Confined.require(root, "model.onnx", "field")).isEqualTo(root.toAbsolutePath().resolve("model.onnx"));
        assertThat(Confined.require(root, "a/../b.onnx", "field")).isEqualTo(root.toAbsolutePath().resolve("b.onnx"));
    }

    @Test
    void absoluteParentAndEmptyNamesAreRefusedNamingTheField() throws Exception {
        Path root = Files.createDirectories(temp.resolve("m"));
        for (String bad : new String[] {"/etc/passwd", "../x.onnx", "a/../../x", "", ".", "a\0b"}) {
            assertThatThrownBy(() -> Confined.require(root, bad, "manifest.json: field 'file'"))
                    .as(bad).isInstanceOf(InvalidRequestException.class)
                    .hasMessageStartingWith("manifest.json: field 'file'");
        }
    }

    @Test
    void aLinkThatLeadsOutsideIsRefused() throws Exception {
        Path root = Files.createDirectories(temp.resolve("m"));
        Files.writeString(temp.resolve("outside.onnx"), "x");
        Files.createSymbolicLink(root.resolve("model.onnx"), temp.resolve("outside.onnx"));
        Files.createDirectories(temp.resolve("elsewhere"));
        Files.createSymbolicLink(root.resolve("dir"), temp.resolve("elsewhere"));
        assertThatThrownBy(() -> Confined.require(root, "model.onnx", "field"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("symbolic link");
        Files.writeString(temp.resolve("elsewhere/w.bin"), "x");
        assertThatThrownBy(() -> Confined.require(root, "dir/w.bin", "field"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("symbolic link");
    }

    @Test
    void modelNamesAndSiblingNamesStayInTheRegistry() throws Exception {
        Path root = Files.createDirectories(temp.resolve("models"));
        Files.createDirectories(root.resolve("flow"));
        Files.createDirectories(temp.resolve("secret"));
        ModelRepository repository = new ModelRepository(root);
        assertThat(repository.folder("flow")).isEqualTo(root.resolve("flow"));
        for (String bad : new String[] {"..", ".", " "}) {
            assertThatThrownBy(() -> repository.folder(bad)).as(bad).isInstanceOf(InvalidRequestException.class)
                    .hasMessageStartingWith("--model");
        }
        for (String bad : new String[] {"../secret", "/tmp", "..", "a/b"}) {
            assertThatThrownBy(() -> repository.sibling(root.resolve("flow"), bad)).as(bad)
                    .isInstanceOf(InvalidRequestException.class).hasMessageContaining("'verifiers'");
        }
        Files.createSymbolicLink(root.resolve("linked"), temp.resolve("secret"));
        assertThatThrownBy(() -> repository.sibling(root.resolve("flow"), "linked"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("symbolic link");
    }
}

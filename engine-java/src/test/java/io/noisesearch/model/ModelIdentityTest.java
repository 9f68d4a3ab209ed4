package io.noisesearch.model;

import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Backends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** A model's identity follows what it computes: every file of a trained model's folder, a mixture's parameters. */
class ModelIdentityTest {

    @TempDir
    Path temp;

    /** A trained model as the identity sees it: only its folder. */
    private record Folder(ModelFiles files) implements TrainedModel {
    }

    private static String identity(Path folder) {
        return ModelIdentity.of(new Folder(new ModelFiles(folder, null)));
    }

    @Test
    void aTrainedModelsIdentityChangesWithAnyByteOfItsFilesAndNotWithItsPlace() throws IOException {
        Path a = Files.createDirectories(temp.resolve("a"));
        Files.write(a.resolve("model.onnx"), new byte[] {1, 2, 3, 4});
        Files.writeString(a.resolve("manifest.json"), "{}");
        Path b = Files.createDirectories(temp.resolve("b"));
        Files.write(b.resolve("model.onnx"), new byte[] {1, 2, 3, 4});
        Files.writeString(b.resolve("manifest.json"), "{}");
        String before = identity(a);
        assertThat(before).hasSize(64).isEqualTo(identity(b));
        Files.write(b.resolve("model.onnx"), new byte[] {1, 2, 3, 5});
        assertThat(identity(b)).isNotEqualTo(before);
        Files.write(b.resolve("model.onnx"), new byte[] {1, 2, 3, 4});
        Files.write(b.resolve("model.onnx.data"), new byte[] {0});
        assertThat(identity(b)).as("external data").isNotEqualTo(before);
        Files.delete(b.resolve("model.onnx.data"));
        Files.writeString(b.resolve("manifest.json"), "{ }");
        assertThat(identity(b)).as("manifest").isNotEqualTo(before);
        // The same bytes under other names are another model.
        Files.writeString(b.resolve("manifest.json"), "{}");
        Files.move(b.resolve("model.onnx"), b.resolve("other.onnx"));
        assertThat(identity(b)).isNotEqualTo(before);
    }

    @Test
    void aMixturesIdentityIsThatOfItsParameters() {
        try (Backend backend = Backends.open("java"); Arena arena = Arena.ofConfined()) {
            String image = ModelIdentity.of(BuiltinModels.open("gmm-image", backend, arena));
            assertThat(ModelIdentity.of(BuiltinModels.open("gmm-image", backend, arena))).isEqualTo(image);
            assertThat(ModelIdentity.of(BuiltinModels.open("gmm-image-vp", backend, arena))).isNotEqualTo(image);
            assertThat(ModelIdentity.of(BuiltinModels.open("gmm-2d", backend, arena))).isNotEqualTo(image);
        }
    }
}

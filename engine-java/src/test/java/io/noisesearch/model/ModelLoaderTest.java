package io.noisesearch.model;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Backends;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelLoaderTest {

    @TempDir
    Path models;

    /** A runtime that runs what it is told to and records what happens to it and its models. */
    private static final class StandIn implements ModelRuntime {
        final String name;
        final String refusal;
        final List<String> events;

        StandIn(String name, String refusal, List<String> events) {
            this.name = name;
            this.refusal = refusal;
            this.events = events;
        }

        @Override
        public String unavailable(Path folder) {
            return refusal;
        }

        @Override
        public Denoiser denoiser(Path folder) {
            events.add(name + " opens " + folder.getFileName());
            ModelInfo info = BuiltinModels.info("gmm-image");
            return new Denoiser() {
                @Override
                public ModelInfo info() {
                    return info;
                }

                @Override
                public void predict(Kernels kernels, Batch x, double t, int label, Batch out) {
                }

                @Override
                public void close() {
                    events.add(name + " model closed");
                }
            };
        }

        @Override
        public ImageModel imageModel(Path folder) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
            events.add(name + " closed");
        }
    }

    @Test
    void theFirstRuntimeThatCanRunAFolderOpensItOnceAndClosesAfterItsSharedState() throws IOException {
        Files.createDirectories(models.resolve("flow"));
        List<String> events = new ArrayList<>();
        try (Backend backend = Backends.open("java")) {
            ModelLoader loader = new ModelLoader(backend, new ModelRepository(models), List.of(
                    new StandIn("a", "a cannot", events), new StandIn("b", null, events),
                    new StandIn("c", null, events)));
            Denoiser first = loader.denoiser("flow");
            assertThat(loader.denoiser("flow")).isSameAs(first);
            assertThat(loader.denoiser("gmm-image")).isInstanceOf(MixtureDenoiser.class);
            loader.close();
        }
        assertThat(events).containsExactly("b opens flow", "a closed", "b closed", "c closed", "b model closed");
    }

    @Test
    void aFolderNoRuntimeCanRunIsOneLineWithEveryReason() throws IOException {
        Files.createDirectories(models.resolve("flow"));
        List<String> events = new ArrayList<>();
        try (Backend backend = Backends.open("java");
             ModelLoader loader = new ModelLoader(backend, new ModelRepository(models), List.of(
                     new StandIn("a", "a needs X", events), new StandIn("b", "b needs Y", events)))) {
            assertThatThrownBy(() -> loader.denoiser("flow")).isInstanceOf(InvalidRequestException.class)
                    .hasMessage("--model flow: a needs X, and b needs Y");
            assertThatThrownBy(() -> loader.denoiser("nowhere")).isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("unknown model 'nowhere'");
        }
    }

    @Test
    void anExactMixtureNamesNoVerifierModels() {
        try (Backend backend = Backends.open("java");
             ModelLoader loader = new ModelLoader(backend, new ModelRepository(models), List.of())) {
            Denoiser mixture = loader.denoiser("gmm-image");
            assertThatThrownBy(() -> loader.auxiliary(mixture, "classifier"))
                    .isInstanceOf(InvalidRequestException.class).hasMessage("--verifier: model gmm-image has no"
                            + " classifier model");
        }
    }

    @Test
    void anInt8LoaderRefusesMixturesAndRuntimesWithoutAVariantPathInOneLine() throws IOException {
        Files.createDirectories(models.resolve("flow"));
        List<String> events = new ArrayList<>();
        try (Backend backend = Backends.open("java");
             ModelLoader loader = new ModelLoader(backend, new ModelRepository(models),
                     List.of(new StandIn("a", null, events)), Precision.INT8)) {
            assertThatThrownBy(() -> loader.denoiser("gmm-image")).isInstanceOf(InvalidRequestException.class)
                    .hasMessageStartingWith("--precision int8: model gmm-image is an exact Gaussian mixture");
            assertThatThrownBy(() -> loader.denoiser("flow")).isInstanceOf(InvalidRequestException.class)
                    .hasMessage("--precision int8: StandIn has no int8 path; the int8 variants run on ONNX Runtime"
                            + " (--device cpu)");
        }
        assertThat(events).as("nothing was opened").containsExactly("a closed");
    }
}

package io.noisesearch.engine;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.noisesearch.InvalidRequestException;
import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Backends;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import io.noisesearch.compute.Compute;
import io.noisesearch.compute.ComputeMeter;
import io.noisesearch.model.EncodedPrompt;
import io.noisesearch.model.ModelManifest;
import io.noisesearch.model.ModelRepository;
import io.noisesearch.onnx.OnnxTextDenoiser;
import io.noisesearch.sampling.GuidedDenoiser;
import io.noisesearch.search.NoSearch;
import io.noisesearch.search.RandomSearch;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.SearchResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Text-conditioned latent models on the committed random-weight fixtures (scripts/train/make_shapes_fixtures.py):
 * the prompt encoded once per request, classifier-free guidance against the null caption, the decoder counted in
 * the compute but not as NFEs, and requests of the wrong kind refused.
 */
class TextToImageTest {

    static final Path MODELS = Path.of("src/test/resources/shapes-models");
    static Engine engine;

    @BeforeAll
    static void open() {
        engine = Engine.open(Backends.open("java"), 1, 1, new ModelRepository(MODELS));
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    static SearchRequest request(String model, String prompt, int candidates) {
        SearchRequest r = SearchRequest.of(model, 0, candidates == 0 ? new NoSearch() : new RandomSearch(candidates),
                "none", 3);
        return prompt == null ? r : r.withPrompt(prompt);
    }

    @Test
    void thePromptIsEncodedOncePerRequestWhateverTheCandidates() {
        OnnxTextDenoiser model = (OnnxTextDenoiser) engine.model("tiny-shapes-flow");
        long before = model.encodes();
        engine.search(request("tiny-shapes-flow", "a red circle", 8).withBatchSize(3));
        assertThat(model.encodes() - before).isEqualTo(1);
        engine.search(request("tiny-shapes-flow", "two blue squares", 0));
        assertThat(model.encodes() - before).isEqualTo(2);
    }

    @Test
    void theDecodeAndTheTextEncodingAreCountedInComputeButNotAsNfes() {
        SearchResult r = engine.search(request("tiny-shapes-flow", "a red circle", 0));
        ModelManifest flow = ModelManifest.read(MODELS.resolve("tiny-shapes-flow"));
        ModelManifest ae = ModelManifest.read(MODELS.resolve("tiny-shapes-ae"));
        Compute c = r.compute();
        // Euler 4 steps under guidance 2: 4 NFEs of 2 passes; then the prompt and null caption, and one decode
        assertThat(c.searchNfe()).isZero();
        assertThat(c.finalNfe()).isEqualTo(4);
        assertThat(c.forwardPasses()).isEqualTo(4 * 2 + 2 + 1);
        assertThat(c.flops()).isEqualTo(8 * flow.flopsPerSample() + 2 * flow.textEncoder().flopsPerSample()
                + ae.flopsPerSample());
        assertThat(r.sample()).hasSize(3 * 32 * 32);
        assertThat(r.model().channels()).isEqualTo(3);
        assertThat(r.model().height()).isEqualTo(32);
        for (float v : r.sample()) {
            assertThat(v).isBetween(-1f, 1f);
        }
    }

    @Test
    void anEngineThatBatchesAcrossRequestsRunsTextRequestsAsAlone() {
        SearchRequest r = request("tiny-shapes-flow", "a green square below a red triangle", 4).withBatchSize(2);
        SearchResult alone = engine.search(r);
        try (Engine batching = Engine.open(Backends.open("java"), 1, 2, new ModelRepository(MODELS),
                io.noisesearch.batching.BatchingOptions.on(200, 64))) {
            SearchResult batched = batching.search(r);
            assertThat(batched.sample()).containsExactly(alone.sample());
            assertThat(batched.compute().forwardPasses()).isEqualTo(alone.compute().forwardPasses());
        }
    }

    @Test
    void requestsOfTheWrongKindAreRefusedInOneLine() {
        assertThatThrownBy(() -> engine.search(request("gmm-image", "a red circle", 0)))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("--prompt: model gmm-image is not text-conditioned: give a class with --class, not a prompt");
        assertThatThrownBy(() -> engine.search(request("tiny-shapes-flow", null, 0)))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("--prompt: model tiny-shapes-flow is text-conditioned: give a caption with --prompt, not a"
                        + " class");
        assertThatThrownBy(() -> engine.search(request("tiny-shapes-eps", "a purple circle", 0)))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("unknown word 'purple'");
    }

    @Test
    void aVerifierOfAnotherModelIsRefusedInOneLine() {
        SearchRequest r = SearchRequest.of("tiny-shapes-flow", 0, new RandomSearch(2), "classifier", 0)
                .withPrompt("a red circle");
        assertThatThrownBy(() -> engine.search(r)).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("classifier");
    }

    @Test
    void guidanceCombinesThePromptWithTheNullCaptionAsTheGraphsComputeThem() throws Exception {
        OnnxTextDenoiser model = (OnnxTextDenoiser) engine.model("tiny-shapes-eps");
        String prompt = "a green triangle left of a yellow square";
        EncodedPrompt encoded = model.encode(prompt);
        int rows = 3;
        int dim = 4 * 8 * 8;
        float[] x = new float[rows * dim];
        Random random = new Random(5);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        double t = 0.6;
        double scale = 3.0;
        float[] engineOut;
        ComputeMeter meter = new ComputeMeter();
        try (Backend backend = Backends.open("java"); Arena arena = Arena.ofConfined();
             Kernels kernels = backend.openStream(1)) {
            Batch in = backend.upload(arena, x, rows, dim);
            Batch out = backend.allocate(arena, rows, dim);
            Batch scratch = backend.allocate(arena, rows, dim);
            new GuidedDenoiser(model, encoded, scale, meter).predict(kernels, in, t, out, scratch);
            engineOut = backend.download(out);
        }
        assertThat(meter.snapshot().forwardPasses()).isEqualTo(2L * rows);

        // the plain reference: the two graphs called directly with the prompt's and the pads' token rows
        long[] ids = {1, 5, 10, 14, 16, 1, 7, 9, 0, 0, 0, 0};
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        Path folder = MODELS.resolve("tiny-shapes-eps");
        float[][] text = new float[2][];
        float[][] mask = new float[2][];
        try (OrtSession encoder = env.createSession(folder.resolve("text-encoder.onnx").toString());
             OrtSession denoiser = env.createSession(folder.resolve("model.onnx").toString())) {
            for (int k = 0; k < 2; k++) {
                long[] row = k == 0 ? ids : new long[12];
                try (OnnxTensor tokens = OnnxTensor.createTensor(env, LongBuffer.wrap(row), new long[] {1, 12});
                     OrtSession.Result r = encoder.run(Map.of("tokens", tokens))) {
                    text[k] = floats((OnnxTensor) r.get("text").orElseThrow());
                    mask[k] = floats((OnnxTensor) r.get("textMask").orElseThrow());
                }
            }
            float[][] pred = new float[2][];
            for (int k = 0; k < 2; k++) {
                float[] texts = new float[rows * text[k].length];
                float[] masks = new float[rows * 12];
                float[] times = new float[rows];
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(text[k], 0, texts, r * text[k].length, text[k].length);
                    System.arraycopy(mask[k], 0, masks, r * 12, 12);
                    times[r] = (float) t;
                }
                try (OnnxTensor xs = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {rows, 4, 8, 8});
                     OnnxTensor ts = OnnxTensor.createTensor(env, FloatBuffer.wrap(times), new long[] {rows});
                     OnnxTensor te = OnnxTensor.createTensor(env, FloatBuffer.wrap(texts), new long[] {rows, 12, 16});
                     OnnxTensor ms = OnnxTensor.createTensor(env, FloatBuffer.wrap(masks), new long[] {rows, 12});
                     OrtSession.Result r = denoiser.run(Map.of("x", xs, "t", ts, "text", te, "textMask", ms))) {
                    pred[k] = floats((OnnxTensor) r.get("eps").orElseThrow());
                }
            }
            assertThat(mask[1]).containsOnly(0f);
            for (int i = 0; i < engineOut.length; i++) {
                double expected = pred[1][i] + scale * (pred[0][i] - pred[1][i]);
                assertThat((double) engineOut[i]).isCloseTo(expected, within(1e-4));
            }
            // the null caption matters: the conditional prediction alone differs from the guided one
            assertThat(pred[0]).isNotEqualTo(pred[1]);
        }
    }

    @Test
    void aVerifierOfALatentModelSeesTheDecodedImagesAndIsChargedTheirDecode() {
        io.noisesearch.model.ImageModel decoder = engine.decoder(engine.model("tiny-shapes-flow"));
        long decodeFlops = decoder.manifest().flopsPerSample();
        // scores each image by its first value and its size: the decoded images' values, 3 x 32 x 32 of them
        io.noisesearch.verify.Verifier firstValue = new io.noisesearch.verify.Verifier() {
            public String name() {
                return "first";
            }

            public long flopsPerSample() {
                return 7;
            }

            public void score(Kernels kernels, io.noisesearch.verify.VerifierInput input, float[][] out, int offset) {
                float[] values = engine.backend().download(input.samples());
                for (int r = 0; r < input.samples().rows(); r++) {
                    out[0][offset + r] = values[r * input.samples().dim()] + input.samples().dim();
                }
            }
        };
        io.noisesearch.verify.DecodingVerifier verifier = new io.noisesearch.verify.DecodingVerifier(firstValue,
                decoder, engine.backend());
        assertThat(verifier.flopsPerSample()).isEqualTo(7 + decodeFlops);
        // a search of 3 candidates: each decoded once before it is scored, beside what the same search costs unscored
        SearchRequest search = request("tiny-shapes-flow", "a red circle", 3);
        Compute scored = engine.search(search, verifier).compute();
        Compute unscored = engine.search(search, new io.noisesearch.verify.NoVerifier()).compute();
        assertThat(scored.searchNfe()).isEqualTo(unscored.searchNfe()).isEqualTo(12);
        assertThat(scored.forwardPasses() - unscored.forwardPasses()).isEqualTo(3);
        assertThat(scored.flops() - unscored.flops()).isEqualTo(3 * (7 + decodeFlops));
        int rows = 2;
        float[] latents = new float[rows * 256];
        Random random = new Random(2);
        for (int i = 0; i < latents.length; i++) {
            latents[i] = (float) random.nextGaussian();
        }
        try (Arena arena = Arena.ofConfined(); Kernels kernels = engine.backend().openStream(1)) {
            Batch batch = engine.backend().upload(arena, latents, rows, 256);
            float[] images = decoder.output(kernels, batch, "image");
            float[][] out = new float[1][rows];
            verifier.score(kernels, new io.noisesearch.verify.VerifierInput(batch, null, 0), out, 0);
            for (int r = 0; r < rows; r++) {
                assertThat(out[0][r]).isEqualTo(images[r * 3072] + 3072);
            }
        }
    }

    @Test
    void aChangedOrMisplacedTextEncoderIsRefusedInOneLine(@org.junit.jupiter.api.io.TempDir Path temp)
            throws Exception {
        for (String name : new String[] {"tiny-shapes-ae", "tiny-shapes-eps"}) {
            Path to = java.nio.file.Files.createDirectories(temp.resolve(name));
            try (var files = java.nio.file.Files.list(MODELS.resolve(name))) {
                for (Path f : files.toList()) {
                    java.nio.file.Files.copy(f, to.resolve(f.getFileName()));
                }
            }
        }
        Path eps = temp.resolve("tiny-shapes-eps");
        byte[] graph = java.nio.file.Files.readAllBytes(eps.resolve("text-encoder.onnx"));
        graph[graph.length - 1] ^= 1;
        java.nio.file.Files.write(eps.resolve("text-encoder.onnx"), graph);
        try (Engine changed = Engine.open(Backends.open("java"), 1, 1, new ModelRepository(temp))) {
            assertThatThrownBy(() -> changed.model("tiny-shapes-eps")).isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("text-encoder.onnx: SHA-256 differs from the manifest's 'textEncoder.sha256'");
        }
        String manifest = java.nio.file.Files.readString(eps.resolve("manifest.json"))
                .replace("\"file\": \"text-encoder.onnx\"", "\"file\": \"../tiny-shapes-ae/model.onnx\"");
        java.nio.file.Files.writeString(eps.resolve("manifest.json"), manifest);
        try (Engine misplaced = Engine.open(Backends.open("java"), 1, 1, new ModelRepository(temp))) {
            assertThatThrownBy(() -> misplaced.model("tiny-shapes-eps")).isInstanceOf(InvalidRequestException.class)
                    .hasMessageContaining("field 'textEncoder.file'");
        }
    }

    private static float[] floats(OnnxTensor tensor) {
        FloatBuffer b = tensor.getFloatBuffer();
        float[] a = new float[b.remaining()];
        b.get(a);
        return a;
    }
}

package io.noisesearch.cli;

import io.noisesearch.format.NpyArray;
import io.noisesearch.format.Npz;
import io.noisesearch.format.NpzUnicodeTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code generate} and {@code search} with prompts on the committed tiny text-to-image fixtures, in-process. */
class GenerateTextCommandTest {

    static final String MODELS = Path.of("src/test/resources/shapes-models").toString();

    @TempDir
    Path temp;

    @Test
    void generateWritesArr0AndPromptsThatNumpyReadsAndACaptionedGrid() throws Exception {
        Path prompts = temp.resolve("prompts.txt");
        Files.writeString(prompts, "a red circle\n\ntwo blue squares\n");
        Path out = temp.resolve("t");
        CliRun run = CliRun.of("generate", "--models-dir", MODELS, "--model", "tiny-shapes-flow", "--prompts",
                prompts.toString(), "--per-prompt", "2", "--out", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("generated 4 samples of tiny-shapes-flow for 2 prompts (none, verifier none)");
        Npz npz = Npz.read(out.resolve("samples.npz"));
        assertThat(npz.get("arr_0", NpyArray.Dtype.UINT8, 4).shape()).containsExactly(4, 32, 32, 3);
        assertThat(npz.get("prompts", NpyArray.Dtype.UNICODE, 1).unicode())
                .containsExactly("a red circle", "a red circle", "two blue squares", "two blue squares");
        String checked = NpzUnicodeTest.python("import numpy as np, sys\n"
                + "z = np.load(sys.argv[1])\n"
                + "assert z['arr_0'].dtype == np.uint8 and z['arr_0'].shape == (4, 32, 32, 3)\n"
                + "assert list(z['prompts']) == ['a red circle'] * 2 + ['two blue squares'] * 2, z['prompts']\n"
                + "print('ok')\n", out.resolve("samples.npz").toString());
        assertThat(checked.strip()).isEqualTo("ok");
        BufferedImage grid = ImageIO.read(out.resolve("grid.png").toFile());
        // two columns of 128-pixel images with three caption lines under each
        assertThat(grid.getWidth()).isEqualTo(2 * 128 + 4);
        assertThat(grid.getHeight()).isGreaterThan(2 * 128);
        // the samples differ by seed: the first two images are not the same pixels
        byte[] pixels = npz.get("arr_0", NpyArray.Dtype.UINT8, 4).uint8();
        assertThat(java.util.Arrays.copyOfRange(pixels, 0, 3072))
                .isNotEqualTo(java.util.Arrays.copyOfRange(pixels, 3072, 6144));
    }

    @Test
    void searchWithAPromptWritesTheDecodedImage() throws Exception {
        Path out = temp.resolve("s");
        CliRun run = CliRun.of("search", "--models-dir", MODELS, "--model", "tiny-shapes-eps", "--prompt",
                "a yellow triangle above a green circle", "--algorithm", "random", "--candidates", "3", "--verifier",
                "none", "--out", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        BufferedImage best = ImageIO.read(out.resolve("best.png").toFile());
        assertThat(best.getWidth()).isEqualTo(32 * SearchCommand.PNG_SCALE);
        var result = CliRun.json(out.resolve("result.json"));
        assertThat(result.path("compute").path("searchNfe").asLong()).isEqualTo(12);
        assertThat(result.path("prompt").asText()).isEqualTo("a yellow triangle above a green circle");
    }

    @Test
    void searchOnATextModelDefaultsToNoSearchWithoutAVerifier() throws Exception {
        Path out = temp.resolve("d");
        CliRun run = CliRun.of("search", "--models-dir", MODELS, "--model", "tiny-shapes-flow", "--prompt",
                "three red circles", "--out", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        var result = CliRun.json(out.resolve("result.json"));
        assertThat(result.path("algorithm").asText()).isEqualTo("none");
        assertThat(result.path("verifier").asText()).isEqualTo("none");
        assertThat(result.path("compute").path("finalNfe").asLong()).isEqualTo(4);
    }

    @Test
    void wrongKindsAndUnknownWordsAreOneLineAndExitTwo() {
        String[][] cases = {
            {"generate", "--model", "tiny-shapes-flow", "--prompt", "a purple circle"},
            {"generate", "--model", "tiny-shapes-flow", "--per-class", "2"},
            {"generate", "--model", "gmm-image", "--prompt", "a red circle"},
            {"search", "--model", "tiny-shapes-flow", "--class", "3", "--verifier", "none"},
            {"search", "--model", "tiny-shapes-flow", "--prompt", "a red circle", "--class", "1"},
            {"search", "--model", "tiny-shapes-flow", "--prompt", "a red circle", "--verifier", "classifier"},
            {"search", "--model", "gmm-image", "--prompt", "a red circle"},
        };
        String[] expected = {"unknown word 'purple'", "text-conditioned", "not text-conditioned",
            "text-conditioned", "--class and --prompt", "classifier", "not text-conditioned"};
        for (int i = 0; i < cases.length; i++) {
            String[] args = new String[cases[i].length + 4];
            System.arraycopy(cases[i], 0, args, 0, cases[i].length);
            args[cases[i].length] = "--models-dir";
            args[cases[i].length + 1] = MODELS;
            args[cases[i].length + 2] = "--out";
            args[cases[i].length + 3] = temp.resolve("e" + i).toString();
            CliRun run = CliRun.of(args);
            assertThat(run.exitCode()).as(String.join(" ", cases[i]) + ": " + run.err()).isEqualTo(2);
            assertThat(run.errLines()).as(String.join(" ", cases[i])).hasSize(1);
            assertThat(run.err()).as(String.join(" ", cases[i])).contains(expected[i]);
        }
    }
}

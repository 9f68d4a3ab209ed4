package io.noisesearch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.noisesearch.format.NpyArray;
import io.noisesearch.format.Npz;
import io.noisesearch.shapes.Scene;
import io.noisesearch.shapes.SceneObject;
import io.noisesearch.shapes.ShapesGenerator;
import io.noisesearch.shapes.ShapesVocabulary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code shapes-data} and {@code shapes-check}, in-process. */
class ShapesCommandsTest {

    @TempDir
    Path temp;

    @Test
    void shapesDataWritesTheScenesOfASplitWithTheirAnnotations() {
        Path file = temp.resolve("data/train.npz");
        CliRun run = CliRun.of("shapes-data", "--split", "train", "--count", "5000", "--seed", "4", "--out",
                file.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("wrote 5000 train scenes (seed 4) to ");
        Npz npz = Npz.read(file);
        assertThat(npz.names()).containsExactly("images", "captions", "tokens", "category", "objects");
        NpyArray images = npz.get("images", NpyArray.Dtype.UINT8, 4);
        assertThat(images.shape()).containsExactly(5000, 32, 32, 3);
        String[] captions = npz.get("captions", NpyArray.Dtype.UNICODE, 1).unicode();
        long[] tokens = npz.get("tokens", NpyArray.Dtype.INT64, 2).int64();
        long[] category = npz.get("category", NpyArray.Dtype.INT64, 1).int64();
        long[] objects = npz.get("objects", NpyArray.Dtype.INT64, 3).int64();
        byte[] pixels = images.uint8();
        for (int i = 0; i < 5000; i++) {
            Scene scene = ShapesGenerator.scene(4, ShapesGenerator.Split.TRAIN, i);
            assertThat(Arrays.copyOfRange(pixels, i * Scene.BYTES, (i + 1) * Scene.BYTES)).isEqualTo(scene.render());
            assertThat(captions[i]).isEqualTo(scene.caption().text());
            assertThat(Arrays.copyOfRange(tokens, i * 12, i * 12 + 12))
                    .isEqualTo(ShapesVocabulary.tokenizer().encode(captions[i]));
            assertThat(category[i]).isEqualTo(scene.caption().category().ordinal());
            for (int k = 0; k < 3; k++) {
                long[] row = Arrays.copyOfRange(objects, (i * 3 + k) * 5, (i * 3 + k) * 5 + 5);
                if (k < scene.objects().size()) {
                    SceneObject o = scene.objects().get(k);
                    assertThat(row).containsExactly(o.colour().ordinal(), o.shape().ordinal(), o.x(), o.y(), o.size());
                } else {
                    assertThat(row).containsOnly(-1);
                }
            }
        }
    }

    @Test
    void badOptionsAreOneLineAndExitTwo() {
        Path out = temp.resolve("x.npz");
        for (String[] args : new String[][] {
                {"shapes-data", "--split", "test", "--count", "1", "--out", out.toString()},
                {"shapes-data", "--count", "-1", "--out", out.toString()},
                {"shapes-data", "--count", "10", "--out", temp.resolve("x.txt").toString()},
                {"shapes-check", "--samples", temp.resolve("missing.npz").toString(), "--out", temp.toString()}}) {
            CliRun run = CliRun.of(args);
            assertThat(run.exitCode()).as(String.join(" ", args)).isEqualTo(2);
            assertThat(run.errLines()).hasSize(1);
        }
        assertThat(CliRun.of("shapes-data", "--split", "test", "--count", "1", "--out", out.toString()).err())
                .contains("--split must be train or eval, got 'test'");
    }

    @Test
    void shapesCheckPassesTheGroundTruthOfTheEvalSplit() throws IOException {
        Path file = temp.resolve("eval.npz");
        assertThat(CliRun.of("shapes-data", "--split", "eval", "--count", "400", "--out", file.toString())
                .exitCode()).isZero();
        CliRun run = CliRun.of("shapes-check", "--samples", file.toString(), "--out", temp.resolve("c").toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("| held-out relational | 100 ").contains("| all ").doesNotContain("99.");
        JsonNode json = CliRun.json(temp.resolve("c/check.json"));
        assertThat(json.path("count").asInt()).isEqualTo(400);
        assertThat(json.at("/categories/single/samples").asInt()).isEqualTo(80);
        assertThat(json.at("/categories/count/aspects/numeracy/passed").asInt()).isEqualTo(120);
        assertThat(json.at("/categories/all/aspects/overall/rate").asDouble()).isEqualTo(1.0);
        assertThat(json.path("judgements")).hasSize(400);
        assertThat(json.at("/judgements/0/caption").asText()).isEqualTo("a red circle");
    }

    /** The layout issue 12's generate writes: arr_0 and prompts; a wrong image fails. */
    @Test
    void shapesCheckReadsGeneratesLayoutAndJudgesEachSample() throws IOException {
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        byte[] pixels = new byte[2 * Scene.BYTES];
        ShapesGenerator.scene(0, ShapesGenerator.Split.EVAL, 0).render(pixels, 0);
        arrays.put("arr_0", NpyArray.ofUint8(pixels, 2, 32, 32, 3));
        arrays.put("prompts", NpyArray.ofUnicode(new String[] {"a red circle", "two blue squares"}, 2));
        Path file = temp.resolve("samples.npz");
        Npz.write(file, arrays);
        CliRun run = CliRun.of("shapes-check", "--samples", file.toString(), "--out", temp.resolve("c").toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        JsonNode json = CliRun.json(temp.resolve("c/check.json"));
        assertThat(json.at("/judgements/0/aspects/overall").asBoolean()).isTrue();
        assertThat(json.at("/judgements/1/aspects/overall").asBoolean()).isFalse();
        assertThat(json.at("/judgements/1/aspects/count").asBoolean()).isFalse();
        assertThat(json.at("/categories/all/aspects/overall/passed").asInt()).isEqualTo(1);

        CliRun evaluate = CliRun.of("evaluate", "--samples", file.toString());
        assertThat(evaluate.exitCode()).as(evaluate.err()).isZero();
        assertThat(evaluate.out()).contains("| single ").contains("| count ").contains("50.0% (1)");
    }

    @Test
    void theSameSeedWritesTheSameFile() throws IOException {
        Path a = temp.resolve("a.npz");
        Path b = temp.resolve("b.npz");
        assertThat(CliRun.of("shapes-data", "--count", "300", "--seed", "8", "--out", a.toString()).exitCode()).isZero();
        assertThat(CliRun.of("shapes-data", "--count", "300", "--seed", "8", "--out", b.toString()).exitCode()).isZero();
        assertThat(java.nio.file.Files.readAllBytes(a)).isEqualTo(java.nio.file.Files.readAllBytes(b));
    }

    @Test
    void aFileOfTheWrongLayoutIsOneLineNamingTheEntry() {
        Path file = temp.resolve("bad.npz");
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        arrays.put("arr_0", NpyArray.ofUint8(new byte[Scene.BYTES], 1, 32, 32, 3));
        arrays.put("prompts", NpyArray.ofUnicode(new String[] {"a red cube"}, 1));
        Npz.write(file, arrays);
        CliRun run = CliRun.of("shapes-check", "--samples", file.toString(), "--out", temp.resolve("c").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).containsExactly("noisesearch: " + file + " entry 'prompts' index 0: caption"
                + " 'a red cube' is not a shapes caption: 'cube' is not circle, square or triangle");

        arrays.put("arr_0", NpyArray.ofUint8(new byte[28 * 28], 1, 28, 28, 1));
        Npz.write(file, arrays);
        run = CliRun.of("shapes-check", "--samples", file.toString(), "--out", temp.resolve("c").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("entry 'arr_0': expected uint8 [N,32,32,3], got |u1 (1, 28, 28, 1)");

        arrays.clear();
        arrays.put("arr_0", NpyArray.ofUint8(new byte[Scene.BYTES], 1, 32, 32, 3));
        arrays.put("labels", NpyArray.ofInt64(new long[] {1}, 1));
        Npz.write(file, arrays);
        run = CliRun.of("shapes-check", "--samples", file.toString(), "--out", temp.resolve("c").toString());
        assertThat(run.err()).contains("no entry 'captions' or 'prompts' (entries: arr_0, labels)");
    }
}

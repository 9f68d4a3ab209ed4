package io.noisesearch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.noisesearch.format.NpyArray;
import io.noisesearch.format.Npz;
import io.noisesearch.metrics.TinyEval;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** {@code evaluate --samples} on the tiny evaluation model of src/test/resources/tiny-eval. */
class EvaluateCommandTest {

    @TempDir
    Path temp;

    private static CliRun evaluate(Path samples, String... more) {
        String[] args = new String[4 + more.length];
        args[0] = "evaluate";
        args[1] = "--samples";
        args[2] = samples.toString();
        args[3] = "--threads=1";
        System.arraycopy(more, 0, args, 4, more.length);
        return CliRun.of(args);
    }

    @Test
    void printsTheMetricsOfASamplesFileAsJson() throws IOException {
        Path folder = TinyEval.folder();
        CliRun run = evaluate(folder.resolve("heldout-digits.npz"), "--evaluator", folder.toString());
        assertThat(run.exitCode()).as("stderr: %s", run.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertThat(json.path("evaluator").asText()).isEqualTo("tiny-eval");
        assertThat(json.path("count").asInt()).isEqualTo(200);
        assertThat(json.path("accuracy").asDouble()).isGreaterThan(0.85);
        assertThat(json.path("inceptionScore").asDouble()).isBetween(6.0, 10.0);
        assertThat(json.path("fid").asDouble()).isPositive();
        assertThat(json.path("precision").asDouble()).isGreaterThan(0.7);
        assertThat(json.path("recall").asDouble()).isGreaterThan(0.7);
        assertThat(json.path("k").asInt()).isEqualTo(3);
        assertThat(json.path("referenceCount").asInt()).isEqualTo(200);
        assertThat(json.path("perClassAccuracy")).hasSize(10);
        assertThat(json.path("perClassCount").get(3).asInt()).isEqualTo(20);
        assertThat(run.out()).as("pretty-printed").contains("\n  \"accuracy\"");
    }

    @Test
    void theModelsDirFindsTheEvaluatorByNameAndClassesWithoutSamplesAreNull() throws IOException {
        Path folder = TinyEval.folder();
        Npz digits = Npz.read(folder.resolve("reference-digits.npz"));
        // The first 40 reference digits: twenty zeros and twenty ones.
        byte[] pixels = java.util.Arrays.copyOf(digits.get("arr_0").uint8(), 40 * 784);
        long[] labels = java.util.Arrays.copyOf(digits.get("labels").int64(), 40);
        Path samples = write("two-classes.npz", NpyArray.ofUint8(pixels, 40, 28, 28, 1), NpyArray.ofInt64(labels, 40));

        CliRun run = evaluate(samples, "--models-dir", folder.getParent().toString(), "--evaluator", "tiny-eval");
        assertThat(run.exitCode()).as("stderr: %s", run.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertThat(json.path("count").asInt()).isEqualTo(40);
        assertThat(json.path("perClassAccuracy").get(0).asDouble()).isGreaterThan(0.8);
        assertThat(json.path("perClassAccuracy").get(2).isNull()).isTrue();
        assertThat(json.path("perClassCount").get(2).asInt()).isZero();
        assertThat(json.path("inceptionScore").asDouble()).isCloseTo(2.0, within(0.3));
    }

    @Test
    void badSamplesFilesEndWithOneLineAndExitCode2() {
        Path folder = TinyEval.folder();
        String eval = folder.toString();
        byte[] pixels = new byte[8 * 784];
        NpyArray labels8 = NpyArray.ofInt64(new long[8], 8);

        Path noImages = write("no-images.npz", null, labels8);
        expectUsageError(evaluate(noImages, "--evaluator", eval), noImages + ": no entry 'arr_0' (entries: labels)");

        Path rank3 = write("rank3.npz", NpyArray.ofUint8(pixels, 8, 28, 28), labels8);
        expectUsageError(evaluate(rank3, "--evaluator", eval),
                rank3 + " entry 'arr_0': expected uint8 [N,28,28,1] (N images, height, width, channels) for"
                        + " tiny-eval, got |u1 (8, 28, 28)");

        Path floats = write("floats.npz", NpyArray.ofFloat32(new float[8 * 784], 8, 28, 28, 1), labels8);
        expectUsageError(evaluate(floats, "--evaluator", eval), "got <f4 (8, 28, 28, 1)");

        Path fewLabels = write("few-labels.npz", NpyArray.ofUint8(pixels, 8, 28, 28, 1), NpyArray.ofInt64(new long[7], 7));
        expectUsageError(evaluate(fewLabels, "--evaluator", eval), fewLabels + ": 7 labels for 8 images");

        Path noLabels = write("no-labels.npz", NpyArray.ofUint8(pixels, 8, 28, 28, 1), null);
        expectUsageError(evaluate(noLabels, "--evaluator", eval), "no entry 'labels'");

        long[] bad = new long[8];
        bad[6] = 12;
        Path badLabel = write("bad-label.npz", NpyArray.ofUint8(pixels, 8, 28, 28, 1), NpyArray.ofInt64(bad, 8));
        expectUsageError(evaluate(badLabel, "--evaluator", eval), "label 12 at index 6 is outside 0..9");

        Path tooFew = write("too-few.npz", NpyArray.ofUint8(new byte[3 * 784], 3, 28, 28, 1),
                NpyArray.ofInt64(new long[3], 3));
        expectUsageError(evaluate(tooFew, "--evaluator", eval), "3 images; the metrics need more than 3");

        Path missing = temp.resolve("missing.npz");
        expectUsageError(evaluate(missing, "--evaluator", eval), missing + ": no such file");

        expectUsageError(evaluate(folder.resolve("heldout-digits.npz"), "--models-dir", temp.toString()),
                "--evaluator: no evaluation model 'mnist-eval'");
    }

    @Test
    void samplesIsRequired() {
        CliRun run = CliRun.of("evaluate");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.err()).contains("--samples");
    }

    private static void expectUsageError(CliRun run, String message) {
        assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isEqualTo(2);
        assertThat(run.errLines()).as("one line").hasSize(1);
        assertThat(run.err()).startsWith("noisesearch: ").contains(message);
        assertThat(run.out()).isEmpty();
    }

    private Path write(String name, NpyArray images, NpyArray labels) {
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        if (images != null) {
            arrays.put("arr_0", images);
        }
        if (labels != null) {
            arrays.put("labels", labels);
        }
        Path file = temp.resolve(name);
        Npz.write(file, arrays);
        return file;
    }
}

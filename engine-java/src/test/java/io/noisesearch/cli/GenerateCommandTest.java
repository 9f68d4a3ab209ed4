package io.noisesearch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.noisesearch.engine.Engine;
import io.noisesearch.format.Npz;
import io.noisesearch.format.Pixels;
import io.noisesearch.search.RandomSearch;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.SearchResult;
import io.noisesearch.format.NpyArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class GenerateCommandTest {

    @TempDir
    Path temp;

    @Test
    void writesSamplesInTheFidSuiteLayoutWithLabelsAndCompute() throws Exception {
        CliRun run = CliRun.of("generate", "--model", "gmm-image", "--per-class", "2", "--algorithm", "random",
                "--candidates", "3", "--seed", "5", "--out", temp.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        Npz npz = Npz.read(temp.resolve("samples.npz"));
        NpyArray images = npz.get("arr_0");
        assertThat(images.dtype()).isEqualTo(NpyArray.Dtype.UINT8);
        assertThat(images.shape()).containsExactly(20, 16, 16, 1);
        assertThat(npz.get("labels").int64()).containsExactly(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9);
        JsonNode summary = CliRun.json(temp.resolve("summary.json"));
        assertThat(summary.get("samples").asInt()).isEqualTo(20);
        assertThat(summary.get("compute").get("searchNfe").asLong()).isEqualTo(20L * 3 * 19);
    }

    @Test
    void sampleIIsTheSearchWithSeedPlusI() {
        CliRun generated = CliRun.of("generate", "--model", "gmm-image", "--per-class", "1", "--classes", "4,6",
                "--candidates", "2", "--seed", "10", "--out", temp.toString());
        assertThat(generated.exitCode()).as(generated.err()).isZero();
        Npz npz = Npz.read(temp.resolve("samples.npz"));
        assertThat(npz.get("labels").int64()).containsExactly(4, 6);
        try (Engine engine = Engine.open("host", 0)) {
            SearchResult second = engine.search(SearchRequest.of("gmm-image", 6, new RandomSearch(2), "oracle", 11));
            byte[] expected = Pixels.toHwc(second.sample(), second.model().layout());
            byte[] all = npz.get("arr_0").uint8();
            assertThat(Arrays.copyOfRange(all, 256, 512)).isEqualTo(expected);
        }
    }

    @Test
    void badPerClassAndPointModelsExitWith2() {
        CliRun zero = CliRun.of("generate", "--per-class", "0", "--out", temp.resolve("a").toString());
        assertThat(zero.exitCode()).isEqualTo(2);
        assertThat(zero.errLines()).hasSize(1);
        assertThat(zero.err()).contains("--per-class");
        CliRun points = CliRun.of("generate", "--model", "gmm-2d", "--out", temp.resolve("b").toString());
        assertThat(points.exitCode()).isEqualTo(2);
        assertThat(points.err()).contains("gmm-2d");
    }

    @Test
    void oracleFidIsRejectedOutsideGenerate() {
        CliRun run = CliRun.of("search", "--model", "gmm-image", "--verifier", "oracle-fid", "--out",
                temp.resolve("c").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("oracle-fid");
    }
}

package io.noisesearch.bench.race;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Backends;
import io.noisesearch.format.Npy;
import io.noisesearch.format.NpyArray;
import io.noisesearch.noise.CandidateKeys;
import io.noisesearch.noise.GaussianTransform;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RaceEngineTest {

    private static final int DIM = 28 * 28;

    /** Element i of candidate r is the noise contract's value for (seed, first random key + r, i). */
    private static void assertReferenceNoise(float[] noise, long seed, int candidates) {
        assertThat(noise).hasSize(candidates * DIM);
        for (int r = 0; r < candidates; r++) {
            for (int i = 0; i < DIM; i++) {
                float expected = GaussianTransform.noise(seed, CandidateNoise.FIRST_KEY + r, i);
                if (Float.floatToRawIntBits(noise[r * DIM + i]) != Float.floatToRawIntBits(expected)) {
                    throw new AssertionError("candidate " + r + " element " + i + ": " + noise[r * DIM + i]
                            + " instead of " + expected);
                }
            }
        }
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = RaceEngine.commandLine();
        commandLine.setOut(new PrintWriter(out));
        commandLine.setErr(new PrintWriter(err));
        int exit = commandLine.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void theCandidatesAreRandomSearchKeysFromZero() {
        assertThat(CandidateKeys.decode(CandidateNoise.FIRST_KEY))
                .isEqualTo(new CandidateKeys.Parts(1, 0, 0));
    }

    @Test
    void hostNoiseOfTheCandidatesIsThePlainJavaReferenceBitForBit() {
        try (Backend backend = Backends.open("cpu")) {
            assertReferenceNoise(CandidateNoise.draw(backend, 2, 42, 5, DIM), 42, 5);
        }
    }

    @Test
    void searchWritesTheNoisesItSearchedAndReportsItsWinner(@TempDir Path dir) throws Exception {
        Path noiseFile = dir.resolve("noise.npy");
        Run run = run("search", "--candidates", "3", "--batch", "2", "--threads", "1", "--rounds", "2",
                "--warmup", "0", "--seed", "7", "--class", "4", "--noise-out", noiseFile.toString());
        assertThat(run.exit()).as(run.err()).isZero();

        NpyArray noise = Npy.decode(Files.readAllBytes(noiseFile), noiseFile.toString());
        assertThat(noise.shape()).containsExactly(3L, 1L, 28L, 28L);
        assertReferenceNoise(noise.float32(), 7, 3);

        JsonNode report = new ObjectMapper().readTree(run.out());
        JsonNode winner = report.get("winner");
        int index = winner.get("index").asInt();
        assertThat(index).isBetween(0, 2);
        assertThat(winner.get("key").asLong()).isEqualTo(CandidateNoise.FIRST_KEY + index);
        assertThat(report.get("roundsMs")).hasSize(2);
        // Euler x10 per candidate, Euler x25 for the winner (the race's request).
        assertThat(report.get("compute").get("searchNfe").asLong()).isEqualTo(30);
        assertThat(report.get("compute").get("finalNfe").asLong()).isEqualTo(25);
        // Log-probabilities of the class: at most 0.
        assertThat(winner.get("score").asDouble()).isLessThanOrEqualTo(0);
        assertThat(winner.get("searchScore").asDouble()).isLessThanOrEqualTo(0);
        assertThat(report.get("noiseShare").asDouble()).isPositive();
    }

    @Test
    void badOptionsEndInOneLineNamingTheOptionAndExitTwo() {
        Run threads = run("search", "--candidates", "4", "--batch", "4", "--threads", "0");
        assertThat(threads.exit()).isEqualTo(2);
        assertThat(threads.err().strip()).startsWith("race-engine: --threads must lie in 1..").doesNotContain("\n");

        Run candidates = run("search", "--candidates", "0", "--batch", "4");
        assertThat(candidates.exit()).isEqualTo(2);
        assertThat(candidates.err()).contains("--candidates");

        Run size = run("noise", "--size", "0");
        assertThat(size.exit()).isEqualTo(2);
        assertThat(size.err()).contains("--size");
    }
}

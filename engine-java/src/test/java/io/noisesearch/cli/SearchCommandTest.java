package io.noisesearch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The acceptance check through the command line: more candidates find a better sample, and search NFEs
 * follow each algorithm's closed formula for gmm-image's default solver, Heun x10.
 */
class SearchCommandTest {

    /** Heun with 10 steps: two evaluations per step except the last, which ends at t = 0. */
    private static final int HEUN_10_NFE = 2 * 10 - 1;

    @TempDir
    Path temp;

    private JsonNode search(String name, String... options) throws IOException {
        Path out = temp.resolve(name);
        List<String> args = new ArrayList<>(List.of("search", "--model", "gmm-image", "--class", "3",
                "--verifier", "oracle", "--seed", "1", "--out", out.toString()));
        args.addAll(List.of(options));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.exitCode()).as("exit code, stderr: %s", run.err()).isZero();
        return CliRun.json(out.resolve("result.json"));
    }

    private static double score(JsonNode result) {
        return result.path("best").path("score").asDouble();
    }

    private static long searchNfe(JsonNode result) {
        return result.path("compute").path("searchNfe").asLong();
    }

    @Test
    void randomSearchOf16BeatsOneAndSpends16FullSolves() throws IOException {
        JsonNode sixteen = search("random16", "--algorithm", "random", "--candidates", "16");
        JsonNode one = search("random1", "--algorithm", "random", "--candidates", "1");

        assertThat(score(sixteen)).isGreaterThan(score(one));
        assertThat(searchNfe(sixteen)).isEqualTo(16L * HEUN_10_NFE).isEqualTo(304);
        assertThat(sixteen.path("searchNfePlanned").asLong()).isEqualTo(304);
        assertThat(sixteen.path("compute").path("finalNfe").asLong()).as("winner reused").isZero();
        assertThat(sixteen.path("finalReused").asBoolean()).isTrue();
    }

    @Test
    void smcRunsFromTheCommandLineWithAStochasticSolverAndRecordsItsNoise() throws IOException {
        JsonNode smc = search("smc", "--algorithm", "smc", "--particles", "6", "--solver", "euler-sde",
                "--noise-scale", "0.7", "--steps", "12", "--resampling", "residual");

        assertThat(smc.path("algorithm").asText()).isEqualTo("smc");
        assertThat(searchNfe(smc)).isEqualTo(6 * 12).isEqualTo(smc.path("searchNfePlanned").asLong());
        assertThat(smc.path("compute").path("finalNfe").asLong()).isZero();
        assertThat(smc.path("solvers").path("search").path("solver").asText()).isEqualTo("euler-sde");
        assertThat(smc.path("solvers").path("search").path("noise").asDouble()).isEqualTo(0.7);
        assertThat(smc.path("solvers").path("final").path("noise").asDouble()).isEqualTo(0.7);
    }

    @Test
    void ddimWithEtaSearchesTheVpMixtureAndDdpmToo() throws IOException {
        for (String[] solver : new String[][] {{"--solver", "ddim", "--eta", "0.5"}, {"--solver", "ddpm"}}) {
            Path out = temp.resolve("vp-" + solver[1]);
            List<String> args = new ArrayList<>(List.of("search", "--model", "gmm-image-vp", "--class", "3",
                    "--algorithm", "random", "--candidates", "4", "--out", out.toString()));
            args.addAll(List.of(solver));
            CliRun run = CliRun.of(args.toArray(String[]::new));
            assertThat(run.exitCode()).as("exit code, stderr: %s", run.err()).isZero();
            JsonNode random = CliRun.json(out.resolve("result.json"));
            assertThat(random.path("solvers").path("search").path("solver").asText()).isEqualTo(solver[1]);
            assertThat(searchNfe(random)).isEqualTo(4 * 20);
        }
    }

    @Test
    void zeroOrderSearchOf16BeatsOneAndSpendsOnePlusNKSolves() throws IOException {
        JsonNode sixteen = search("zo16", "--algorithm", "zero-order", "--candidates", "16", "--iterations", "4");
        JsonNode one = search("zo1", "--algorithm", "zero-order", "--candidates", "1", "--iterations", "4");

        assertThat(score(sixteen)).isGreaterThan(score(one));
        assertThat(searchNfe(sixteen)).isEqualTo((1 + 16L * 4) * HEUN_10_NFE);
        assertThat(searchNfe(one)).isEqualTo((1 + 4L) * HEUN_10_NFE);
    }

    @Test
    void pathSearchOf16BeatsOneAndSpendsItsClosedFormula() throws IOException {
        JsonNode sixteen = search("paths16", "--algorithm", "paths", "--candidates", "16");
        JsonNode one = search("paths1", "--algorithm", "paths", "--candidates", "1");

        assertThat(score(sixteen)).isGreaterThan(score(one));
        assertThat(searchNfe(sixteen)).isEqualTo(pathsNfe(16, 2)).isEqualTo(1408);
        assertThat(searchNfe(one)).isEqualTo(pathsNfe(1, 2));
        assertThat(sixteen.path("compute").path("finalNfe").asLong()).isZero();
    }

    /**
     * Paths with the default sigma 0.4, df 0.05, db 0.1, L 2 and Heun x10: the first solve 1 -> 0.4 takes
     * round(0.6 * 10) = 6 Heun steps (12 NFEs); each round goes down by db - df = 0.05, so 8 rounds reach 0. The 7
     * rounds that end above 0 cost 2 Heun steps (4 NFEs) plus the x-prediction (1); the last ends at 0 (3 NFEs).
     */
    private static long pathsNfe(int paths, int width) {
        return paths * (12L + width * (7L * (4 + 1) + 3));
    }

    @Test
    void pruneOf64SpendsItsClosedFormulaAndRecordsItsHyperparameters() throws IOException {
        JsonNode pruned = search("prune64", "--algorithm", "prune", "--candidates", "64", "--prune-at", "0.7,0.4",
                "--keep", "4");
        JsonNode one = search("random1", "--algorithm", "random", "--candidates", "1");

        // Heun x10, segments of 3, 3 and 4 steps: 64 (6 + 1) + 16 (6 + 1) + 4 (8 - 1) NFEs.
        assertThat(searchNfe(pruned)).isEqualTo(64 * 7 + 16 * 7 + 4 * 7).isEqualTo(588);
        assertThat(pruned.path("searchNfePlanned").asLong()).isEqualTo(588);
        assertThat(score(pruned)).isGreaterThan(score(one));
        assertThat(pruned.path("parameters").path("pruneAt").toString()).isEqualTo("[0.7,0.4]");
        assertThat(pruned.path("parameters").path("keep").asInt()).isEqualTo(4);
        assertThat(pruned.path("best").path("keyParts").path("stage").asInt()).isEqualTo(6);
        assertThat(pruned.path("trace")).hasSize(3);
    }

    @Test
    void beamAndEvolutionSpendTheirClosedFormulasAndRecordTheirHyperparameters() throws IOException {
        JsonNode beam = search("beam", "--algorithm", "beam", "--beam-width", "4", "--beam-children", "3",
                "--beam-at", "0.7,0.4");
        // Heun x10, levels on steps 3 and 6: 4 (6 + 3) + 4 (6 + 3) + 4 (8 - 1) NFEs.
        assertThat(searchNfe(beam)).isEqualTo(4 * 9 + 4 * 9 + 4 * 7).isEqualTo(100);
        assertThat(beam.path("parameters").path("levels").toString()).isEqualTo("[0.7,0.4]");
        assertThat(beam.path("parameters").path("mode").asText()).isEqualTo("bfs");
        assertThat(beam.path("trace")).hasSize(3);
        assertThat(beam.path("stoppedBy").asText()).isEqualTo("completed");

        JsonNode dfs = search("dfs", "--algorithm", "beam", "--beam-mode", "dfs", "--beam-threshold", "-1000",
                "--beam-width", "2", "--beam-children", "2", "--beam-at", "0.5");
        assertThat(dfs.path("parameters").path("threshold").asDouble()).isEqualTo(-1000);
        assertThat(dfs.path("trace").get(dfs.path("trace").size() - 1).path("stage").asText())
                .isEqualTo("beam-dfs-leaf");

        JsonNode evolution = search("evolution", "--algorithm", "evolution", "--population", "6,4,4",
                "--generations", "2", "--elites", "2");
        assertThat(searchNfe(evolution)).isEqualTo((6 + 2 + 2) * HEUN_10_NFE);
        assertThat(evolution.path("parameters").path("population").toString()).isEqualTo("[6,4,4]");
        assertThat(evolution.path("trace")).hasSize(3);
    }

    @Test
    void aStoppingRuleIsWrittenWithTheRuleThatEndedTheSearch() throws IOException {
        JsonNode free = search("free", "--algorithm", "random", "--candidates", "16", "--batch-size", "1");
        JsonNode scores = free.path("trace").get(0).path("scores");
        double target = scores.get(2).asDouble();
        int firedAt = 0;
        while (scores.get(firedAt).asDouble() < target) {
            firedAt++;
        }
        JsonNode stopped = search("target", "--algorithm", "random", "--candidates", "16", "--batch-size", "1",
                "--stop-at-score", String.valueOf(target));
        assertThat(stopped.path("stoppedBy").asText()).isEqualTo("target");
        assertThat(stopped.path("stopRules").path("atScore").asDouble()).isEqualTo(target);
        assertThat(stopped.path("stopRules").has("patience")).isFalse();
        assertThat(stopped.path("trace").get(0).path("keys")).hasSize(firedAt + 1);
        assertThat(searchNfe(stopped)).isEqualTo((firedAt + 1L) * HEUN_10_NFE);

        JsonNode plateau = search("plateau", "--algorithm", "zero-order", "--candidates", "4", "--iterations", "20",
                "--stop-patience", "6", "--stop-margin", "0.5");
        assertThat(plateau.path("stopRules").path("patience").asInt()).isEqualTo(6);
        assertThat(plateau.path("stoppedBy").asText()).isIn("plateau", "completed");
        assertThat(free.has("stopRules")).isFalse();
        assertThat(free.path("stoppedBy").asText()).isEqualTo("completed");
    }

    @Test
    void cheaperSearchSolverIsCountedApartFromTheFinalSolve() throws IOException {
        JsonNode result = search("split", "--algorithm", "random", "--candidates", "4", "--solver", "heun",
                "--steps", "10", "--search-solver", "euler", "--search-steps", "5");

        assertThat(searchNfe(result)).isEqualTo(4 * 5);
        assertThat(result.path("compute").path("finalNfe").asLong()).isEqualTo(HEUN_10_NFE);
        assertThat(result.path("finalReused").asBoolean()).isFalse();
        assertThat(result.path("solvers").path("search").path("solver").asText()).isEqualTo("euler");
        assertThat(result.path("solvers").path("final").path("nfe").asInt()).isEqualTo(HEUN_10_NFE);
    }

    @Test
    void budgetStopsTheSearchAndIsReported() throws IOException {
        JsonNode result = search("budget", "--algorithm", "random", "--candidates", "16", "--budget-nfe", "100");

        assertThat(searchNfe(result)).isEqualTo(5L * HEUN_10_NFE);
        assertThat(result.path("budgetExhausted").asBoolean()).isTrue();
        assertThat(result.path("budgetNfe").asLong()).isEqualTo(100);
        assertThat(result.path("searchNfePlanned").asLong()).isEqualTo(304);
    }

    @Test
    void aDeadlineIsWrittenWithWhetherItWasReached() throws IOException {
        JsonNode timed = search("deadline", "--algorithm", "random", "--candidates", "4", "--deadline-ms", "3600000");
        JsonNode free = search("no-deadline", "--algorithm", "random", "--candidates", "4");

        assertThat(timed.path("deadlineMs").asLong()).isEqualTo(3_600_000);
        assertThat(timed.path("deadlineReached").asBoolean()).isFalse();
        assertThat(timed.path("best").path("key").asLong()).isEqualTo(free.path("best").path("key").asLong());
        assertThat(free.path("deadlineMs").isNull()).isTrue();
    }

    @Test
    void aDeadlineOutsideItsRangeNamesTheOption() {
        for (String bad : new String[] {"0", "-5", "3600001"}) {
            CliRun run = CliRun.of("search", "--deadline-ms", bad, "--out", temp.resolve("bad").toString());
            assertThat(run.exitCode()).as(bad).isEqualTo(2);
            assertThat(run.err()).as(bad).contains("--deadline-ms must lie in 1..3600000");
        }
    }

    @Test
    void eachAlgorithmHasItsOwnNAndTakesCandidatesWhereItIsNotGiven() throws IOException {
        JsonNode own = search("neighbours", "--algorithm", "zero-order", "--neighbours", "3", "--candidates", "9",
                "--iterations", "2");
        JsonNode fallback = search("zo-candidates", "--algorithm", "zero-order", "--candidates", "3", "--iterations", "2");
        assertThat(own.path("parameters").path("neighbours").asInt()).isEqualTo(3);
        assertThat(own.path("best")).isEqualTo(fallback.path("best"));
        assertThat(own.path("trace")).isEqualTo(fallback.path("trace"));

        JsonNode paths = search("paths", "--algorithm", "paths", "--paths", "2", "--candidates", "9");
        assertThat(paths.path("parameters").path("paths").asInt()).isEqualTo(2);
        assertThat(searchNfe(paths)).isEqualTo(2 * 88);
    }

    @Test
    void resultJsonHoldsTheDocumentedFields() throws IOException {
        JsonNode result = search("fields", "--algorithm", "zero-order", "--candidates", "4", "--iterations", "2");

        assertThat(result.path("seed").asLong()).isEqualTo(1);
        assertThat(result.path("model").asText()).isEqualTo("gmm-image");
        assertThat(result.path("class").asInt()).isEqualTo(3);
        assertThat(result.path("algorithm").asText()).isEqualTo("zero-order");
        assertThat(result.path("verifier").asText()).isEqualTo("oracle");
        JsonNode best = result.path("best");
        assertThat(Long.decode(best.path("keyHex").asText())).isEqualTo(best.path("key").asLong());
        assertThat(best.path("memberScores")).hasSize(1);
        assertThat(best.path("memberScores").get(0).asDouble()).isEqualTo(best.path("score").asDouble());
        assertThat(best.path("lineage").get(best.path("lineage").size() - 1).asText())
                .isEqualTo(best.path("keyHex").asText());
        for (String field : List.of("searchNfe", "finalNfe", "forwardPasses", "flops", "wallMillis", "searchMillis",
                "finalMillis")) {
            assertThat(result.path("compute").has(field)).as(field).isTrue();
        }
        assertThat(result.path("compute").path("flops").asLong()).isPositive();
        assertThat(result.path("trace")).hasSize(1 + 2);
        assertThat(result.path("trace").get(1).path("keys")).hasSize(4);
        assertThat(result.path("solvers").path("search").path("steps").asInt()).isEqualTo(10);
        assertThat(result.path("parameters").path("neighbours").asInt()).isEqualTo(4);
    }

    @Test
    void imageModelsGetAnUpscaledPng() throws IOException {
        search("png", "--algorithm", "random", "--candidates", "2");

        BufferedImage image = ImageIO.read(temp.resolve("png").resolve("best.png").toFile());
        assertThat(image.getWidth()).isEqualTo(16 * SearchCommand.PNG_SCALE);
        assertThat(image.getHeight()).isEqualTo(16 * SearchCommand.PNG_SCALE);
    }

    @Test
    void pointModelsGetTheSampleInTheJsonAndNoPng() throws IOException {
        Path out = temp.resolve("points");
        CliRun run = CliRun.of("search", "--model", "gmm-2d", "--class", "1", "--candidates", "4", "--out",
                out.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(CliRun.json(out.resolve("result.json")).path("best").path("sample")).hasSize(2);
        assertThat(out.resolve("best.png")).doesNotExist();
    }

    @Test
    void summaryLineNamesScoreAndCompute() {
        CliRun run = CliRun.of("search", "--candidates", "2", "--out", temp.resolve("summary").toString());

        assertThat(run.out().strip().lines()).hasSize(1);
        assertThat(run.out()).contains("random on gmm-image class 0", "best score", "search 38 NFEs", "final 0 NFEs");
    }

    @Test
    void sameCommandGivesTheSameBestKeyAndScore() throws IOException {
        JsonNode first = search("again1", "--algorithm", "paths", "--candidates", "3", "--threads", "1");
        JsonNode second = search("again2", "--algorithm", "paths", "--candidates", "3", "--threads", "2",
                "--batch-size", "2");

        assertThat(second.path("best")).isEqualTo(first.path("best"));
    }
}

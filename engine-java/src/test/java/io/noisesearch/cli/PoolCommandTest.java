package io.noisesearch.cli;

import io.noisesearch.format.NpyArray;
import io.noisesearch.format.Npz;
import io.noisesearch.shapes.Caption;
import io.noisesearch.shapes.ShapeChecker;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code pool} on the trained shapes-flow and its verifiers: best-of-n read from one pool of 16 is what {@code generate
 * --algorithm random --candidates n --verifier V} returns (the same image bytes), for a single verifier and the rank
 * ensemble, and the table's checker columns are the checker's verdicts on the kept images.
 */
class PoolCommandTest {

    static final String MODELS = repositoryModels().toString();
    static final List<String> CAPTIONS = List.of("two blue squares", "a red circle left of a green triangle",
            "a yellow triangle");
    static final int N = 16;

    @TempDir
    static Path temp;
    static Path pool;

    @BeforeAll
    static void runPool() throws Exception {
        Path prompts = temp.resolve("prompts.txt");
        Files.writeString(prompts, String.join("\n", CAPTIONS) + "\n");
        pool = temp.resolve("pool");
        CliRun run = CliRun.of("pool", "--models-dir", MODELS, "--model", "shapes-flow", "--prompts",
                prompts.toString(), "--candidates", String.valueOf(N), "--seed", "5", "--verifier",
                "ensemble:clip,reward,grader,aesthetic", "--choose", "clip", "--choose",
                "ensemble:clip,reward,grader", "--out", pool.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
    }

    @Test
    void bestOfNFromThePoolIsWhatGenerateReturns() throws Exception {
        byte[] images = Npz.read(pool.resolve("images.npz")).get("arr_0", NpyArray.Dtype.UINT8, 4).uint8();
        Map<String, Integer> choices = choices();
        int differentFromFirst = 0;
        for (String verifier : List.of("clip", "ensemble:clip,reward,grader")) {
            for (int n : List.of(4, N)) {
                Path out = temp.resolve("gen-" + verifier.replace(':', '-').replace(',', '-') + "-" + n);
                CliRun run = CliRun.of("generate", "--models-dir", MODELS, "--model", "shapes-flow", "--prompts",
                        temp.resolve("prompts.txt").toString(), "--per-prompt", "1", "--seed", "5", "--algorithm",
                        "random", "--candidates", String.valueOf(n), "--verifier", verifier, "--out", out.toString());
                assertThat(run.exitCode()).as(run.err()).isZero();
                byte[] generated = Npz.read(out.resolve("samples.npz")).get("arr_0", NpyArray.Dtype.UINT8, 4).uint8();
                for (int p = 0; p < CAPTIONS.size(); p++) {
                    int c = choices.get(p + "|" + verifier + "|" + n);
                    assertThat(c).isBetween(0, n - 1);
                    differentFromFirst += c == 0 ? 0 : 1;
                    assertThat(Arrays.copyOfRange(generated, p * 3072, (p + 1) * 3072))
                            .as("%s best-of-%d, prompt %d: candidate %d", verifier, n, p, c)
                            .isEqualTo(Arrays.copyOfRange(images, (p * N + c) * 3072, (p * N + c + 1) * 3072));
                }
            }
        }
        // the check means something only where some winner is not the first candidate
        assertThat(differentFromFirst).isPositive();
    }

    @Test
    void theTableHoldsEveryCandidateWithItsScoresAndTheCheckersVerdict() throws Exception {
        byte[] images = Npz.read(pool.resolve("images.npz")).get("arr_0", NpyArray.Dtype.UINT8, 4).uint8();
        List<String> lines = Files.readAllLines(pool.resolve("pool.csv"));
        List<String> header = List.of(lines.getFirst().split(",", -1));
        assertThat(header).contains("score:clip", "score:reward", "score:grader:count", "score:aesthetic",
                "check:overall", "check:numeracy", "check:spatial");
        assertThat(lines).hasSize(1 + CAPTIONS.size() * N);
        int overall = header.indexOf("check:overall");
        for (int i = 1; i < lines.size(); i++) {
            String[] row = lines.get(i).split(",", -1);
            int p = Integer.parseInt(row[0]);
            int c = Integer.parseInt(row[header.indexOf("candidate")]);
            assertThat(row[1]).isEqualTo(CAPTIONS.get(p));
            assertThat(Long.parseLong(row[header.indexOf("seed")])).isEqualTo(5 + p);
            boolean judged = ShapeChecker.judge(images, (p * N + c) * 3072, Caption.parse(CAPTIONS.get(p))).overall();
            assertThat(row[overall]).isEqualTo(judged ? "1" : "0");
        }
        // numeracy is judged for the count caption only, spatial for the relational one only
        assertThat(lines.get(1).split(",", -1)[header.indexOf("check:numeracy")]).isNotEmpty();
        assertThat(lines.get(1).split(",", -1)[header.indexOf("check:spatial")]).isEmpty();
        assertThat(lines.get(1 + N).split(",", -1)[header.indexOf("check:spatial")]).isNotEmpty();
    }

    @Test
    void aChooserWhoseMembersThePoolDidNotScoreIsOneLineAndExitTwo() {
        CliRun run = CliRun.of("pool", "--models-dir", MODELS, "--model", "shapes-flow", "--prompt", "a red circle",
                "--candidates", "4", "--verifier", "ensemble:clip,reward", "--choose", "aesthetic", "--out",
                temp.resolve("bad").toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--choose aesthetic: member aesthetic is not scored by --verifier"
                + " ensemble:clip,reward");
        CliRun none = CliRun.of("pool", "--models-dir", MODELS, "--model", "shapes-flow", "--prompt",
                "a red circle", "--candidates", "4", "--out", temp.resolve("bad2").toString());
        assertThat(none.exitCode()).isEqualTo(2);
        assertThat(none.err()).contains("--verifier: name the verifier");
    }

    static Path repositoryModels() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("tensorrt-plans/models"))) {
                return p.resolve("tensorrt-plans/models");
            }
        }
        throw new IllegalStateException("tensorrt-plans/models not found");
    }

    private static Map<String, Integer> choices() throws Exception {
        Map<String, Integer> choices = new HashMap<>();
        for (String line : Files.readAllLines(pool.resolve("choices.csv")).subList(1, 1 + 2 * CAPTIONS.size() * 3)) {
            // prompt_index,verifier (quoted where it has commas),n,candidate
            String[] head = line.split(",", 2);
            int last = head[1].lastIndexOf(',');
            int before = head[1].lastIndexOf(',', last - 1);
            String verifier = head[1].substring(0, before).replace("\"", "");
            String n = head[1].substring(before + 1, last);
            choices.put(head[0] + "|" + verifier + "|" + n, Integer.parseInt(head[1].substring(last + 1)));
        }
        return choices;
    }
}

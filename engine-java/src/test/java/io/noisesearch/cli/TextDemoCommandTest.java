package io.noisesearch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.noisesearch.shapes.Caption;
import io.noisesearch.shapes.Category;
import io.noisesearch.shapes.PromptSet;
import io.noisesearch.verify.ScoringServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code demo --track t2i} on the tiny text-to-image fixtures (CI has no trained verifier model), searching with a
 * remote verifier on a local server: the fixed prompt slice, the checker's table, the grid and the samples files.
 */
class TextDemoCommandTest {

    private static final String MODELS = Path.of("src/test/resources/shapes-models").toString();

    @TempDir
    Path temp;

    @Test
    void theDemoPromptsAreSixDistinctOfEachCategoryOfTheEvaluationPrompts() {
        List<Caption> prompts = TextDemo.prompts();

        assertThat(prompts).hasSize(24).doesNotHaveDuplicates();
        assertThat(PromptSet.captions()).containsAll(prompts);
        for (Category category : Category.values()) {
            assertThat(prompts.stream().filter(c -> c.category() == category)).as(category.label()).hasSize(6);
        }
    }

    @Test
    void noSearchAgainstSearchWritesTheTableTheGridAndBothSampleFiles() throws Exception {
        // the last candidate of each call wins: search's samples are not no search's
        try (ScoringServer server = ScoringServer.start((exchange, call, request) -> {
            List<String> scores = new ArrayList<>();
            request.get("candidates").forEach(c -> scores.add(Integer.toString(c.get("id").asInt())));
            ScoringServer.sendScores(exchange, scores);
        })) {
            Path out = temp.resolve("demo");
            String verifier = "remote:" + server.url();
            CliRun run = CliRun.of("demo", "--track", "t2i", "--models-dir", MODELS, "--model", "tiny-shapes-flow",
                    "--verifier", verifier, "--candidates", "3", "--out", out.toString());

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.out()).contains("| category", "| held-out relational", "| all", "none overall",
                    "random N=3 overall");
            // each method: one warm-up request and 24 prompts; no search's sample is scored alone, search scores a
            // pool of 3 candidates in one call
            List<JsonNode> requests = server.requests();
            List<JsonNode> pools = requests.stream().filter(q -> q.get("candidates").size() == 3).toList();
            assertThat(requests.size()).isEqualTo(50);
            assertThat(pools.size()).isEqualTo(25);
            List<String> sent = new ArrayList<>();
            pools.subList(1, 25).forEach(q -> sent.add(q.get("prompt").asText()));
            assertThat(sent).isEqualTo(TextDemo.prompts().stream().map(Caption::text).toList());

            JsonNode report = CliRun.json(out.resolve("report.json"));
            assertThat(report.path("track").asText()).isEqualTo("t2i");
            assertThat(report.path("verifier").asText()).isEqualTo(verifier);
            JsonNode methods = report.path("methods");
            assertThat(methods).hasSize(2);
            assertThat(methods.get(0).path("method").asText()).isEqualTo("none");
            assertThat(methods.get(0).path("verdicts")).hasSize(24);
            // each method's table agrees with evaluate on its samples file
            for (String file : List.of("samples-none.npz", "samples-search.npz")) {
                CliRun evaluate = CliRun.of("evaluate", "--samples", out.resolve(file).toString());
                assertThat(evaluate.exitCode()).as(evaluate.err()).isZero();
                JsonNode aspects = methods.get(file.contains("none") ? 0 : 1).path("categories").path("all")
                        .path("aspects");
                List<Integer> passed = new ArrayList<>();
                aspects.forEach(a -> passed.add(a.path("passed").asInt()));
                String all = evaluate.out().lines().filter(l -> l.startsWith("| all")).findFirst().orElseThrow();
                List<Integer> evaluated = java.util.regex.Pattern.compile("\\((\\d+)\\)").matcher(all).results()
                        .map(m -> Integer.parseInt(m.group(1))).toList();
                assertThat(evaluated).as(file).isEqualTo(passed);
                assertThat(passed).hasSize(7);
            }
            // search NFEs: none solves one noise, random N=3 three
            long noneNfe = methods.get(0).path("totalNfe").asLong();
            assertThat(methods.get(1).path("totalNfe").asLong()).isEqualTo(3 * noneNfe);

            BufferedImage grid = ImageIO.read(out.resolve("grid.png").toFile());
            assertThat(grid.getWidth()).as("six 192-pixel cells a row").isEqualTo(6 * 192 + 5 * 4);
            assertThat(out.resolve("report.md")).content().contains("# noisesearch demo: text to image");
        }
    }

    @Test
    void theDefaultVerifierMissingIsOneLineAndExitTwo() {
        CliRun run = CliRun.of("demo", "--track", "t2i", "--models-dir", MODELS, "--model", "tiny-shapes-flow",
                "--out", temp.resolve("d").toString());

        assertThat(run.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(run.errLines()).singleElement().asString()
                .startsWith("noisesearch: --verifier clip (the t2i track's default): ")
                .endsWith("choose another with --verifier");
    }

    @Test
    void badTrackOptionsAreOneLineNamingTheOptionAndExitTwo() {
        record Case(List<String> options, String named) {
        }
        List<Case> cases = List.of(
                new Case(List.of("--track", "video"), "--track"),
                new Case(List.of("--candidates", "4"), "--candidates"),
                new Case(List.of("--track", "t2i", "--candidates", "0", "--models-dir", MODELS, "--model",
                        "tiny-shapes-flow"), "--candidates"),
                new Case(List.of("--track", "t2i", "--per-class", "2", "--models-dir", MODELS), "--per-class"),
                new Case(List.of("--track", "t2i", "--model", "mnist-flow-s", "--verifier", "none"), "--model"));
        for (Case c : cases) {
            List<String> args = new ArrayList<>(List.of("demo", "--out", temp.resolve("b").toString()));
            args.addAll(c.options());

            CliRun run = CliRun.of(args.toArray(String[]::new));

            assertThat(run.exitCode()).as(c.options().toString()).isEqualTo(Main.EXIT_USAGE);
            assertThat(run.errLines()).as(c.options().toString()).singleElement().asString().contains(c.named());
        }
    }
}

package io.noisesearch.shapes;

import io.noisesearch.InvalidRequestException;
import org.junit.jupiter.api.Test;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The generator against its description (docs/t2i.md), over many scenes of both splits. */
class ShapesGeneratorTest {

    private static final int SCENES = 20_000;
    private static final String THING = "(red|green|blue|yellow) (circle|square|triangle)";
    private static final Pattern GRAMMAR = Pattern.compile("a " + THING
            + "|(two|three) (red|green|blue|yellow) (circles|squares|triangles)"
            + "|a " + THING + " (left of|right of|above|below) a " + THING);

    @Test
    void everySceneMatchesTheDescription() {
        for (ShapesGenerator.Split split : ShapesGenerator.Split.values()) {
            for (int i = 0; i < SCENES; i++) {
                Scene scene = ShapesGenerator.scene(7, split, i);
                checkScene(scene);
            }
        }
    }

    private static void checkScene(Scene scene) {
        Caption caption = scene.caption();
        String text = caption.text();
        assertThat(text).matches(GRAMMAR);
        assertThat(Caption.parse(text)).isEqualTo(caption);
        List<SceneObject> objects = scene.objects();
        assertThat(objects).hasSize(switch (caption) {
            case Caption.Single s -> 1;
            case Caption.Count c -> c.count();
            case Caption.Relational r -> 2;
        });
        for (int i = 0; i < objects.size(); i++) {
            SceneObject o = objects.get(i);
            assertThat(o.size()).as(text).isBetween(8, 12);
            assertThat(o.x()).isBetween(0, 32 - o.size());
            assertThat(o.y()).isBetween(0, 32 - o.size());
            assertThat(new Caption.Thing(o.colour(), o.shape())).isEqualTo(caption.things().get(i));
            for (int j = 0; j < i; j++) {
                SceneObject p = objects.get(j);
                boolean apartX = p.x() + p.size() + 2 <= o.x() || o.x() + o.size() + 2 <= p.x();
                boolean apartY = p.y() + p.size() + 2 <= o.y() || o.y() + o.size() + 2 <= p.y();
                assertThat(apartX || apartY).as("boxes 2 px apart in %s: %s, %s", text, p, o).isTrue();
            }
        }
        if (caption instanceof Caption.Relational r) {
            SceneObject a = objects.get(0);
            SceneObject b = objects.get(1);
            double dx = (b.x() + b.size() / 2.0) - (a.x() + a.size() / 2.0);
            double dy = (b.y() + b.size() / 2.0) - (a.y() + a.size() / 2.0);
            double along = switch (r.relation()) {
                case LEFT_OF -> dx;
                case RIGHT_OF -> -dx;
                case ABOVE -> dy;
                case BELOW -> -dy;
            };
            assertThat(along).as(text).isGreaterThanOrEqualTo(4);
        }
    }

    @Test
    void rendersHoldExactlyTheObjectsPixelsInPureColours() {
        for (int i = 0; i < 2000; i++) {
            Scene scene = ShapesGenerator.scene(3, ShapesGenerator.Split.TRAIN, i);
            byte[] image = scene.render();
            for (int row = 0; row < 32; row++) {
                for (int column = 0; column < 32; column++) {
                    int p = (row * 32 + column) * 3;
                    int[] rgb = {image[p] & 0xff, image[p + 1] & 0xff, image[p + 2] & 0xff};
                    int c = column;
                    int r = row;
                    List<SceneObject> owners = scene.objects().stream().filter(o -> o.covers(c, r)).toList();
                    assertThat(owners.size()).isLessThanOrEqualTo(1);
                    int[] want = owners.isEmpty() ? new int[3] : new int[] {owners.get(0).colour().r(),
                            owners.get(0).colour().g(), owners.get(0).colour().b()};
                    assertThat(rgb).isEqualTo(want);
                }
            }
        }
    }

    @Test
    void theTrainingSplitNeverEmitsTheHeldOutFamily() {
        assertThat(ShapesGenerator.trainingCaptions()).noneMatch(c -> c.category() == Category.HELD_OUT);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            Caption c = ShapesGenerator.scene(11, ShapesGenerator.Split.TRAIN, i).caption();
            if (c instanceof Caption.Relational r) {
                Set<ShapeColour> colours = java.util.EnumSet.of(r.first().colour(), r.second().colour());
                assertThat(colours).as(c.text()).isNotEqualTo(java.util.EnumSet.of(ShapeColour.RED, ShapeColour.BLUE));
            }
            seen.add(c.text());
        }
        // Every training caption turns up in 100k draws (540 captions, the rarest drawn with p = 1/912).
        assertThat(seen).hasSize(ShapesGenerator.trainingCaptions().size());
    }

    @Test
    void theHeldOutFamilyIsTheRedAndBlueRelations() {
        List<Caption> all = Caption.all();
        assertThat(all).hasSize(12 + 24 + 12 * 11 * 4);
        assertThat(all.stream().filter(c -> c.category() == Category.HELD_OUT)).hasSize(2 * 9 * 4)
                .allMatch(c -> c.text().matches("a (red .* a blue|blue .* a red) .*"));
        assertThat(ShapesGenerator.trainingCaptions()).hasSize(all.size() - 72);
    }

    @Test
    void trainingKindsAreAQuarterSingleAQuarterCountAndHalfRelational() {
        Map<Category, Integer> counts = new EnumMap<>(Category.class);
        int n = 40_000;
        for (int i = 0; i < n; i++) {
            counts.merge(ShapesGenerator.scene(5, ShapesGenerator.Split.TRAIN, i).caption().category(), 1,
                    Integer::sum);
        }
        // Binomial standard deviations are below 0.0025; 0.01 is four of them.
        assertThat(counts.get(Category.SINGLE) / (double) n).isCloseTo(0.25, within(0.01));
        assertThat(counts.get(Category.COUNT) / (double) n).isCloseTo(0.25, within(0.01));
        assertThat(counts.get(Category.RELATIONAL) / (double) n).isCloseTo(0.5, within(0.01));
    }

    @Test
    void aSceneIsAFunctionOfSeedSplitAndIndexAlone() {
        List<Scene> inOrder = IntStream.range(0, 500)
                .mapToObj(i -> ShapesGenerator.scene(9, ShapesGenerator.Split.TRAIN, i)).toList();
        List<Scene> parallelReversed = IntStream.range(0, 500).parallel().map(i -> 499 - i)
                .mapToObj(i -> ShapesGenerator.scene(9, ShapesGenerator.Split.TRAIN, i)).toList().reversed();
        assertThat(parallelReversed).isEqualTo(inOrder);
        assertThat(ShapesGenerator.scene(10, ShapesGenerator.Split.TRAIN, 0))
                .isNotEqualTo(ShapesGenerator.scene(9, ShapesGenerator.Split.TRAIN, 0));
        assertThat(ShapesGenerator.scene(9, ShapesGenerator.Split.TRAIN, 1 + (1L << 32)))
                .isNotEqualTo(ShapesGenerator.scene(9, ShapesGenerator.Split.TRAIN, 1));
    }

    @Test
    void theEvalSplitCyclesThroughTheTwoHundredPrompts() {
        for (int i = 0; i < 400; i++) {
            assertThat(ShapesGenerator.scene(1, ShapesGenerator.Split.EVAL, i).caption())
                    .isEqualTo(PromptSet.captions().get(i % 200));
        }
    }

    @Test
    void thePromptSetHasTheIssuesComposition() {
        List<Caption> prompts = PromptSet.captions();
        assertThat(prompts).hasSize(200);
        Map<Category, Integer> counts = new EnumMap<>(Category.class);
        prompts.forEach(c -> counts.merge(c.category(), 1, Integer::sum));
        assertThat(counts).containsExactlyInAnyOrderEntriesOf(Map.of(Category.SINGLE, 40, Category.COUNT, 60,
                Category.RELATIONAL, 50, Category.HELD_OUT, 50));
        Map<String, Integer> repeats = new HashMap<>();
        prompts.forEach(c -> repeats.merge(c.text(), 1, Integer::sum));
        prompts.stream().filter(c -> c instanceof Caption.Single).forEach(c ->
                assertThat(repeats.get(c.text())).isBetween(3, 4));
        prompts.stream().filter(c -> c instanceof Caption.Count).forEach(c ->
                assertThat(repeats.get(c.text())).isBetween(2, 3));
        prompts.stream().filter(c -> c instanceof Caption.Relational).forEach(c ->
                assertThat(repeats.get(c.text())).isOne());
    }

    @Test
    void captionsOutsideTheGrammarAreOneLineNamingThem() {
        assertThatThrownBy(() -> Caption.parse("a purple circle")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("'purple' is not red, green, blue or yellow");
        assertThatThrownBy(() -> Caption.parse("four red circles")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("caption 'four red circles'");
        assertThatThrownBy(() -> Caption.parse("a red circle near a blue square"))
                .hasMessageContaining("'near' is not left of, right of, above or below");
        assertThatThrownBy(() -> Caption.parse("a red circle left of a red circle"))
                .hasMessageContaining("two different things");
        assertThatThrownBy(() -> Caption.parse("a red  circle")).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> Caption.parse("A red circle")).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> Caption.parse("two red circle")).hasMessageContaining("'circle' is not circles");
    }
}

package io.noisesearch.shapes;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The checker: exact on ground-truth renders, false on known failures, and sturdy under blur and noise. */
class ShapeCheckerTest {

    private static ShapeChecker.Judgement judge(Scene scene, Caption caption) {
        return ShapeChecker.judge(scene.render(), 0, caption);
    }

    @Test
    void passesEveryAspectOfOneThousandGroundTruthRendersOfEachSplit() {
        for (ShapesGenerator.Split split : ShapesGenerator.Split.values()) {
            CheckSummary summary = new CheckSummary();
            for (int i = 0; i < 1000; i++) {
                Scene scene = ShapesGenerator.scene(21, split, i);
                ShapeChecker.Judgement j = judge(scene, scene.caption());
                assertThat(j.aspects()).as("%s %d '%s': %s", split, i, scene.caption().text(), j.found())
                        .doesNotContainValue(false);
                assertThat(j.aspects().keySet()).isEqualTo(Aspect.of(scene.caption().category()));
                summary.add(j);
            }
            assertThat(summary.all().rate(Aspect.OVERALL)).isEqualTo(1.0);
        }
    }

    @Test
    void findsEachObjectsColourShapeAndBoxOnEverySizeAndParity() {
        for (ShapeKind shape : ShapeKind.values()) {
            for (int size = SceneObject.MIN_SIZE; size <= SceneObject.MAX_SIZE; size++) {
                SceneObject o = new SceneObject(ShapeColour.YELLOW, shape, 3, 5, size);
                Scene scene = new Scene(new Caption.Single(new Caption.Thing(ShapeColour.YELLOW, shape)), List.of(o));
                List<ShapeChecker.Found> found = ShapeChecker.segment(scene.render(), 0);
                assertThat(found).hasSize(1);
                ShapeChecker.Found f = found.get(0);
                assertThat(f.shape()).as("%s of side %d", shape, size).isEqualTo(shape);
                assertThat(f.colour()).isEqualTo(ShapeColour.YELLOW);
                assertThat(f.centreX()).isEqualTo(o.centreX());
                // A triangle of even side leaves its box's top row empty, so its found centre is half a row lower.
                double shift = shape == ShapeKind.TRIANGLE && size % 2 == 0 ? 0.5 : 0;
                assertThat(f.centreY()).isEqualTo(o.centreY() + shift);
            }
        }
    }

    private static final Caption.Thing RED_CIRCLE = new Caption.Thing(ShapeColour.RED, ShapeKind.CIRCLE);
    private static final Caption.Thing BLUE_SQUARE = new Caption.Thing(ShapeColour.BLUE, ShapeKind.SQUARE);

    private static Scene scene(Caption caption, SceneObject... objects) {
        return new Scene(caption, List.of(objects));
    }

    @Test
    void aWrongColourFailsColourBindingAndOverall() {
        Scene greenCircle = scene(new Caption.Single(RED_CIRCLE),
                new SceneObject(ShapeColour.GREEN, ShapeKind.CIRCLE, 10, 10, 10));
        ShapeChecker.Judgement j = judge(greenCircle, new Caption.Single(RED_CIRCLE));
        assertThat(j.aspects()).containsExactlyInAnyOrderEntriesOf(Map.of(Aspect.COLOUR, false, Aspect.SHAPE, true,
                Aspect.BINDING, false, Aspect.COUNT, true, Aspect.OVERALL, false));
    }

    @Test
    void aWrongShapeFailsShapeBindingAndOverall() {
        Scene redSquare = scene(new Caption.Single(RED_CIRCLE),
                new SceneObject(ShapeColour.RED, ShapeKind.SQUARE, 10, 10, 10));
        ShapeChecker.Judgement j = judge(redSquare, new Caption.Single(RED_CIRCLE));
        assertThat(j.aspects()).containsExactlyInAnyOrderEntriesOf(Map.of(Aspect.COLOUR, true, Aspect.SHAPE, false,
                Aspect.BINDING, false, Aspect.COUNT, true, Aspect.OVERALL, false));
    }

    @Test
    void swappedColoursKeepColourAndShapeButFailBinding() {
        Caption caption = new Caption.Relational(RED_CIRCLE, Relation.LEFT_OF, BLUE_SQUARE);
        Scene swapped = scene(caption, new SceneObject(ShapeColour.BLUE, ShapeKind.CIRCLE, 2, 10, 10),
                new SceneObject(ShapeColour.RED, ShapeKind.SQUARE, 18, 10, 10));
        ShapeChecker.Judgement j = judge(swapped, caption);
        assertThat(j.aspects()).containsExactlyInAnyOrderEntriesOf(Map.of(Aspect.COLOUR, true, Aspect.SHAPE, true,
                Aspect.BINDING, false, Aspect.COUNT, true, Aspect.SPATIAL, false, Aspect.OVERALL, false));
    }

    @Test
    void aWrongCountFailsCountNumeracyAndOverall() {
        Caption three = new Caption.Count(3, RED_CIRCLE);
        Scene two = scene(three, new SceneObject(ShapeColour.RED, ShapeKind.CIRCLE, 2, 2, 10),
                new SceneObject(ShapeColour.RED, ShapeKind.CIRCLE, 18, 18, 10));
        assertThat(judge(two, three).aspects()).containsExactlyInAnyOrderEntriesOf(Map.of(Aspect.COLOUR, true,
                Aspect.SHAPE, true, Aspect.BINDING, true, Aspect.COUNT, false, Aspect.NUMERACY, false,
                Aspect.OVERALL, false));
        // Three objects, but one of another colour: the count holds, the numeracy of red circles does not.
        Scene mixed = scene(three, new SceneObject(ShapeColour.RED, ShapeKind.CIRCLE, 2, 2, 10),
                new SceneObject(ShapeColour.RED, ShapeKind.CIRCLE, 18, 18, 10),
                new SceneObject(ShapeColour.RED, ShapeKind.SQUARE, 2, 18, 10));
        assertThat(judge(mixed, three).aspects()).containsEntry(Aspect.COUNT, true)
                .containsEntry(Aspect.NUMERACY, false).containsEntry(Aspect.SHAPE, false)
                .containsEntry(Aspect.OVERALL, false);
    }

    @Test
    void aSwappedRelationFailsSpatialAndOverallOnly() {
        for (Relation relation : Relation.values()) {
            Caption caption = new Caption.Relational(RED_CIRCLE, relation, BLUE_SQUARE);
            Scene scene = ShapesGenerator.layout(caption, new SceneRandom(4, 9, relation.ordinal()));
            Caption converse = new Caption.Relational(RED_CIRCLE, relation.converse(), BLUE_SQUARE);
            assertThat(judge(scene, caption).overall()).isTrue();
            assertThat(judge(scene, converse).aspects()).as(caption.text())
                    .containsExactlyInAnyOrderEntriesOf(Map.of(Aspect.COLOUR, true, Aspect.SHAPE, true,
                            Aspect.BINDING, true, Aspect.COUNT, true, Aspect.SPATIAL, false, Aspect.OVERALL, false));
        }
    }

    @Test
    void anExtraObjectFailsTheCount() {
        Caption single = new Caption.Single(RED_CIRCLE);
        Scene extra = scene(single, new SceneObject(ShapeColour.RED, ShapeKind.CIRCLE, 2, 2, 10),
                new SceneObject(ShapeColour.RED, ShapeKind.CIRCLE, 18, 18, 10));
        assertThat(judge(extra, single).aspects()).containsEntry(Aspect.BINDING, true)
                .containsEntry(Aspect.COUNT, false).containsEntry(Aspect.OVERALL, false);
        assertThat(ShapeChecker.judge(new byte[Scene.BYTES], 0, single).aspects()).doesNotContainValue(true);
    }

    @Test
    void specksBelowTheMinimumAreaAreNotObjects() {
        byte[] image = ShapesGenerator.scene(2, ShapesGenerator.Split.EVAL, 0).render();
        for (int p = 0; p < 3 * 3; p++) {
            int q = ((28 + p / 3) * 32 + 28 + p % 3) * 3;
            if (image[q] == 0 && image[q + 1] == 0 && image[q + 2] == 0) {
                image[q + 1] = (byte) 255;
            }
        }
        Caption caption = PromptSet.captions().get(0);
        assertThat(ShapeChecker.judge(image, 0, caption).overall()).isTrue();
    }

    /** Blur and noise, as a model's samples might show them: the checker still reads most renders right. */
    @Test
    void staysSensibleOnBlurredNoisyAndOffColourRenders() {
        Map<String, Double> rates = new java.util.LinkedHashMap<>();
        rates.put("blur 1-2-1", overallRate(ShapeCheckerTest::blur));
        rates.put("noise sigma 20", overallRate((image, random) -> noise(image, random, 20)));
        rates.put("noise sigma 40", overallRate((image, random) -> noise(image, random, 40)));
        rates.put("off-colour (x0.7, +40)", overallRate(ShapeCheckerTest::offColour));
        rates.put("blur then noise 20", overallRate((image, random) -> noise(blur(image, random), random, 20)));
        rates.put("blur twice", overallRate((image, random) -> blur(blur(image, random), random)));
        rates.put("noise sigma 60", overallRate((image, random) -> noise(image, random, 60)));
        System.out.println("checker overall on 1000 degraded eval renders: " + rates);
        assertThat(rates.get("blur 1-2-1")).isGreaterThanOrEqualTo(0.97);
        assertThat(rates.get("noise sigma 20")).isGreaterThanOrEqualTo(0.99);
        assertThat(rates.get("noise sigma 40")).isGreaterThanOrEqualTo(0.9);
        assertThat(rates.get("off-colour (x0.7, +40)")).isGreaterThanOrEqualTo(0.99);
        assertThat(rates.get("blur then noise 20")).isGreaterThanOrEqualTo(0.95);
        assertThat(rates.get("blur twice")).isGreaterThanOrEqualTo(0.97);
        // Noise of sigma 60 breaks objects into pieces and lights specks; most renders still read right.
        assertThat(rates.get("noise sigma 60")).isGreaterThanOrEqualTo(0.7);
    }

    interface Degradation {
        byte[] apply(byte[] image, Random random);
    }

    private static double overallRate(Degradation degradation) {
        Random random = new Random(77);
        int passed = 0;
        for (int i = 0; i < 1000; i++) {
            Scene scene = ShapesGenerator.scene(31, ShapesGenerator.Split.EVAL, i);
            byte[] image = degradation.apply(scene.render(), random);
            passed += ShapeChecker.judge(image, 0, scene.caption()).overall() ? 1 : 0;
        }
        return passed / 1000.0;
    }

    /** A separable [1 2 1] / 4 blur, edges clamped. */
    static byte[] blur(byte[] image, Random unused) {
        return pass(pass(image, 3), 32 * 3);
    }

    private static byte[] pass(byte[] image, int step) {
        byte[] out = new byte[image.length];
        for (int p = 0; p < image.length; p++) {
            int pixel = p / 3;
            boolean first = step == 3 ? pixel % 32 == 0 : pixel / 32 == 0;
            boolean last = step == 3 ? pixel % 32 == 31 : pixel / 32 == 31;
            int before = image[first ? p : p - step] & 0xff;
            int after = image[last ? p : p + step] & 0xff;
            out[p] = (byte) ((before + 2 * (image[p] & 0xff) + after + 2) / 4);
        }
        return out;
    }

    static byte[] noise(byte[] image, Random random, double sigma) {
        byte[] out = new byte[image.length];
        for (int p = 0; p < image.length; p++) {
            long v = Math.round((image[p] & 0xff) + sigma * random.nextGaussian());
            out[p] = (byte) Math.clamp(v, 0, 255);
        }
        return out;
    }

    /** Dimmed to 70% and every channel lifted by 40: e.g. red becomes (219, 40, 40), black (40, 40, 40). */
    static byte[] offColour(byte[] image, Random unused) {
        byte[] out = new byte[image.length];
        for (int p = 0; p < image.length; p++) {
            out[p] = (byte) Math.min(255, Math.round(0.7 * (image[p] & 0xff)) + 40);
        }
        return out;
    }
}

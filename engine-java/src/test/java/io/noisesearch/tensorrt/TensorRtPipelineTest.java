package io.noisesearch.tensorrt;

import static org.assertj.core.api.Assertions.assertThat;

import io.noisesearch.tensorrt.TensorRtPipeline.Registry;
import org.junit.jupiter.api.Test;

/**
 * The bookkeeping of the TensorRT pipeline all the models of an engine share, which needs no GPU: the workspace
 * is sized to the largest plan registered so far, a plan registered twice counts once, and a lane knows from the
 * registry's generation which contexts it lacks and whether its workspace must grow (every context re-bound).
 * Plans are plain objects here, told apart by identity as TensorRT plans are. Creating contexts and re-binding them
 * with TensorRT is not run here (no GPU, no TensorRT).
 */
class TensorRtPipelineTest {

    private final Object denoiser = new Object();
    private final Object classifier = new Object();
    private final Object ssl = new Object();

    @Test
    void anEmptyPipelineNeedsOneAlignedBlockAndHasGenerationZero() {
        Registry<Object> empty = Registry.empty();
        assertThat(empty.generation()).isZero();
        assertThat(empty.workspaceBytes()).isEqualTo(TensorRtPipeline.IO_ALIGNMENT);
    }

    @Test
    void theWorkspaceIsTheLargestActivationSizeRegisteredSoFar() {
        Registry<Object> one = Registry.empty().with(denoiser, 3_000_000);
        Registry<Object> two = one.with(classifier, 12_500_000);
        Registry<Object> three = two.with(ssl, 400);
        assertThat(one.workspaceBytes()).isEqualTo(3_000_000);
        assertThat(two.workspaceBytes()).isEqualTo(12_500_000);
        assertThat(three.workspaceBytes()).isEqualTo(12_500_000);
        assertThat(three.plans()).containsExactly(denoiser, classifier, ssl);
    }

    @Test
    void registeringTheSamePlanTwiceChangesNothing() {
        Registry<Object> once = Registry.empty().with(denoiser, 3_000_000);
        assertThat(once.with(denoiser, 3_000_000)).isSameAs(once);
        assertThat(once.with(denoiser, 3_000_000).generation()).isEqualTo(1);
    }

    @Test
    void plansAreToldApartByIdentityNotEquality() {
        String first = new String("mnist-classifier.plan");
        String second = new String("mnist-classifier.plan");
        assertThat(Registry.<String>empty().with(first, 1).with(second, 1).generation()).isEqualTo(2);
    }

    @Test
    void aRegistryIsNeverChangedByTheNextRegistration() {
        Registry<Object> one = Registry.empty().with(denoiser, 3_000_000);
        one.with(classifier, 12_500_000);
        assertThat(one.plans()).containsExactly(denoiser);
        assertThat(one.workspaceBytes()).isEqualTo(3_000_000);
    }

    @Test
    void aNewLaneCreatesEveryContextOnAWorkspaceOfTheLargestSize() {
        Registry<Object> two = Registry.empty().with(denoiser, 3_000_000).with(classifier, 12_500_000);
        // A lane starts with no contexts and no workspace.
        assertThat(two.addedSince(0)).containsExactly(denoiser, classifier);
        assertThat(two.outgrows(0)).isTrue();
    }

    @Test
    void aLaneUpToDateHasNothingToDo() {
        Registry<Object> two = Registry.empty().with(denoiser, 3_000_000).with(classifier, 12_500_000);
        assertThat(two.addedSince(two.generation())).isEmpty();
        assertThat(two.outgrows(two.workspaceBytes())).isFalse();
    }

    @Test
    void aSmallerPlanRegisteredLateGetsAContextOnTheWorkspaceTheLaneHas() {
        Registry<Object> before = Registry.empty().with(denoiser, 3_000_000);
        Registry<Object> after = before.with(classifier, 1_000_000);
        assertThat(after.generation()).isGreaterThan(before.generation());
        assertThat(after.addedSince(before.generation())).containsExactly(classifier);
        assertThat(after.outgrows(before.workspaceBytes())).as("no larger workspace, no re-binding").isFalse();
    }

    @Test
    void aLargerPlanRegisteredLateGrowsTheWorkspaceAndRebindsEveryContext() {
        Registry<Object> before = Registry.empty().with(denoiser, 3_000_000);
        Registry<Object> after = before.with(classifier, 12_500_000);
        assertThat(after.addedSince(before.generation())).containsExactly(classifier);
        assertThat(after.outgrows(before.workspaceBytes())).isTrue();
        assertThat(after.workspaceBytes()).isEqualTo(12_500_000);
    }

    @Test
    void aLaneSeveralRegistrationsBehindCatchesUpOnAllOfThemAtOnce() {
        Registry<Object> seen = Registry.empty().with(denoiser, 3_000_000);
        Registry<Object> now = seen.with(classifier, 1_000_000).with(ssl, 5_000_000);
        assertThat(now.addedSince(seen.generation())).containsExactly(classifier, ssl);
        assertThat(now.outgrows(seen.workspaceBytes())).isTrue();
        assertThat(now.workspaceBytes()).isEqualTo(5_000_000);
    }
}

package io.noisesearch.tensorrt;

import io.noisesearch.model.ModelManifest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.util.List;

/** The parts of binding a plan that need no GPU: shapes, the shared workspace's size, the model's description. */
class TensorRtBindingTest {

    @Test
    void oneWorkspaceServesEveryEngineOfAPipelineSoItIsSizedToTheLargest() {
        TensorRtPipeline.Registry<String> three = TensorRtPipeline.Registry.<String>empty()
                .with("denoiser", 3_000_000).with("classifier", 12_500_000).with("ssl", 400);
        assertThat(three.workspaceBytes()).isEqualTo(12_500_000);
        assertThat(TensorRtPipeline.Registry.<String>empty().with("tiny", 0).workspaceBytes())
                .isEqualTo(TensorRtPipeline.IO_ALIGNMENT);
    }

    @Test
    void aPlanShapeMatchesTheManifestWhereBothFixADimension() {
        List<Long> manifest = List.of(-1L, 1L, 28L, 28L);
        assertThat(TensorRtPlan.compatible(new long[] {-1, 1, 28, 28}, manifest)).isTrue();
        assertThat(TensorRtPlan.compatible(new long[] {-1, -1, 28, 28}, manifest)).isTrue();
        assertThat(TensorRtPlan.compatible(new long[] {8, 1, 28, 28}, manifest)).isTrue();
        assertThat(TensorRtPlan.compatible(new long[] {-1, 3, 28, 28}, manifest)).isFalse();
        assertThat(TensorRtPlan.compatible(new long[] {-1, 784}, manifest)).isFalse();
    }

    @Test
    void theInputShapeOfABatchReplacesTheDynamicAxisByItsRows() {
        assertThat(new ModelManifest.TensorSpec("x", List.of(-1L, 1L, 28L, 28L), null).shapeFor(37))
                .containsExactly(37, 1, 28, 28);
        assertThat(new ModelManifest.TensorSpec("t", List.of(-1L), null).shapeFor(5)).containsExactly(5);
    }
}

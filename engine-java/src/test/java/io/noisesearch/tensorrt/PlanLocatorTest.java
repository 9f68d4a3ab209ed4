package io.noisesearch.tensorrt;

import static org.assertj.core.api.Assertions.assertThat;

import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Backends;
import io.noisesearch.model.ModelRepository;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Plans live in one folder per GPU model and TensorRT version; the engine and build-plans.sh name it alike. */
class PlanLocatorTest {

    private static final List<String> GPU_NAMES = List.of("NVIDIA H100 80GB HBM3", "NVIDIA H200",
            "NVIDIA GeForce RTX 4090", " Tesla V100-SXM2-16GB ", "NVIDIA A100-SXM4-80GB", "NVIDIA L40S");

    @Test
    void theFolderIsTheGpuNameInLowerCaseWithEveryRunOfOtherCharactersOneDashThenTheVersion() {
        assertThat(PlanLocator.folderName("NVIDIA H100 80GB HBM3", "10.15.1"))
                .isEqualTo("nvidia-h100-80gb-hbm3-trt10.15.1");
        assertThat(PlanLocator.folderName(" Tesla V100-SXM2-16GB ", "10.15.1"))
                .isEqualTo("tesla-v100-sxm2-16gb-trt10.15.1");
        assertThat(PlanLocator.folderName("NVIDIA A100-SXM4-80GB", "10.0.0"))
                .isEqualTo("nvidia-a100-sxm4-80gb-trt10.0.0");
    }

    @Test
    void buildPlansNamesTheFolderAsTheEngineDoes() throws Exception {
        for (String gpu : GPU_NAMES) {
            Process script = new ProcessBuilder("bash", TensorRtFixture.ROOT.resolve("build-plans.sh").toString(),
                    "--folder-name", gpu, "10.15.1").redirectErrorStream(true).start();
            String printed = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            assertThat(script.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(script.exitValue()).isZero();
            assertThat(printed).as(gpu).isEqualTo(PlanLocator.folderName(gpu, "10.15.1"));
        }
    }

    @Test
    void aPlanIsNamedAfterItsModelFolderInTheFolderOfItsGpuAndVersion() {
        PlanLocator plans = new PlanLocator(Path.of("/plans"));
        assertThat(plans.plan("NVIDIA H200", "10.15.1", Path.of("/models/mnist-flow-s")))
                .isEqualTo(Path.of("/plans/nvidia-h200-trt10.15.1/mnist-flow-s.plan"));
    }

    @Test
    void plansLiveBesideTheModelsUnlessTheSystemPropertyNamesAFolder() {
        ModelRepository models = new ModelRepository(Path.of("/repo/tensorrt-plans/models"));
        assertThat(PlanLocator.forModels(models).root()).isEqualTo(Path.of("/repo/tensorrt-plans/plans"));
        System.setProperty("noisesearch.plans", "/elsewhere/plans");
        try {
            assertThat(PlanLocator.forModels(models).root()).isEqualTo(Path.of("/elsewhere/plans"));
        } finally {
            System.clearProperty("noisesearch.plans");
        }
    }

    @Test
    void onAnotherBackendTheLookupSaysPlansRunOnCuda() {
        try (Backend java = Backends.open("java")) {
            PlanLocator.Lookup lookup = PlanLocator.forModels(TensorRtFixture.MODELS)
                    .find(java, TensorRtFixture.MODELS.folder("mnist-flow-s"));
            assertThat(lookup.found()).isFalse();
            assertThat(lookup.missing()).isEqualTo("TensorRT plans run on the cuda backend, not java");
        }
    }
}

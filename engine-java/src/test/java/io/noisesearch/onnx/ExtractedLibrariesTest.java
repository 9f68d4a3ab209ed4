package io.noisesearch.onnx;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class ExtractedLibrariesTest {

    @Test
    void aRunLeavesNoFolderOfExtractedLibrariesBehind() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process run = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                OpenAndExit.class.getName(), TrainedModels.folder("mnist-classifier").toString()).start();
        assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String printed = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(run.exitValue()).as(new String(run.getErrorStream().readAllBytes(), StandardCharsets.UTF_8))
                .isZero();
        assertThat(printed).as("ONNX Runtime's folder is found").isNotEqualTo("null").contains("onnxruntime-java");
        assertThat(Path.of(printed)).doesNotExist();
    }
}

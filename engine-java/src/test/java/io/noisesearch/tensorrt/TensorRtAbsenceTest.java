package io.noisesearch.tensorrt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.noisesearch.InvalidRequestException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Where TensorRT's natives are missing (every machine without TensorRT: the build carries only the class jars),
 * using it ends in one line that says so, the same every time, and the JVM goes on. Where they are present, the
 * version is the library's "major.minor.patch".
 */
class TensorRtAbsenceTest {

    @Test
    void withoutItsNativesTensorRtIsOneLineNotALinkageError() {
        Optional<String> absence = TensorRt.absence();
        if (absence.isEmpty()) {
            assertThat(TensorRt.version()).matches("\\d+\\.\\d+\\.\\d+");
            return;
        }
        String reason = absence.get();
        assertThat(reason).startsWith("TensorRT is not available: ").doesNotContain("\n", "\r");
        assertThat(TensorRt.absence()).contains(reason);
        assertThatThrownBy(TensorRt::require).isInstanceOf(InvalidRequestException.class).hasMessage(reason);
        assertThatThrownBy(TensorRt::version).isInstanceOf(InvalidRequestException.class).hasMessage(reason);
    }

    @Test
    void oneLineKeepsTheClassAndTheFirstLineOfTheRealCause() {
        Throwable wrapped = new ExceptionInInitializerError(new UnsatisfiedLinkError("no jnicudart in path\nmore"));
        assertThat(TensorRt.oneLine(wrapped)).isEqualTo("UnsatisfiedLinkError: no jnicudart in path");
        assertThat(TensorRt.oneLine(new NoClassDefFoundError("org/bytedeco/javacpp/Pointer")))
                .isEqualTo("NoClassDefFoundError: org/bytedeco/javacpp/Pointer");
    }

    @Test
    void buildPlansWithoutTrtexecExitsWithStatus2AndSaysWhy() throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", TensorRtFixture.ROOT.resolve("build-plans.sh").toString())
                .redirectErrorStream(true);
        builder.environment().put("TRTEXEC", "/nonexistent/trtexec");
        Process script = builder.start();
        String printed = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(script.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(script.exitValue()).isEqualTo(2);
        assertThat(printed).isEqualTo(
                "build-plans: trtexec not found (install TensorRT 10, or set TRTEXEC=/path/to/trtexec)");
    }
}

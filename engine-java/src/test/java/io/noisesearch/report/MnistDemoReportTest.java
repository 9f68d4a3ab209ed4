package io.noisesearch.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MnistDemoReportTest {

    private static final double[] PER_CLASS = {1, 1, 1, 1, 1, 1, 1, 1, 0.8, 1};
    private static final MnistDemoReport REPORT = new MnistDemoReport("mnist-flow-s", "classifier", "mnist-eval",
            "host", 10, 5, 0, 100, "euler x10", "euler x25", 1.0, 123.4, List.of(
            new MnistDemoReport.Method("none", "one noise, euler x25", 50, 0, -0.25, 0.05, null, 0.96, 9.1, 12.3,
                    0.8, 0.9, PER_CLASS, 0, 25, 25, 4.3, 7.5, 0),
            new MnistDemoReport.Method("random", "N=10; search euler x10, final euler x25", 50, 100, -0.01, 0.002,
                    0.9, 1.0, 9.8, 15.6, 0.9, 0.7, PER_CLASS, 100, 25, 125, 21.7, 27.0, 50)),
            List.of("paths returns its searched sample."));

    @Test
    void tableIsAlignedMarkdownWithOneRowPerMethod() {
        List<String> lines = REPORT.table().lines().toList();

        assertThat(lines).hasSize(2 + 2);
        assertThat(lines).allSatisfy(line -> assertThat(line).startsWith("|").endsWith("|")
                .hasSameSizeAs(lines.getFirst()));
        assertThat(lines.getFirst()).contains("accuracy", "IS", "FID", "precision", "recall", "total NFEs", "GFLOPs");
        assertThat(lines.get(2)).contains("| none ", "-0.250 ± 0.050", "96.0%", "9.10", "12.3", "25.0");
        assertThat(lines.get(3)).contains("| random ", "90%", "100.0%", "125.0", "21.7", "27.0");
    }

    @Test
    void writesJsonAndMarkdown(@TempDir Path dir) throws IOException {
        REPORT.write(dir);

        assertThat(dir.resolve("report.md")).content().contains("# noisesearch demo", "`mnist-flow-s`",
                "`classifier`", "(50 per method)", "grid.png", "euler x10", "- paths returns its searched sample.");
        assertThat(dir.resolve("report.json")).content().contains("\"fid\" : 15.6", "\"winsOverNone\" : null",
                "\"perClassAccuracy\"", "\"notes\"");
    }
}

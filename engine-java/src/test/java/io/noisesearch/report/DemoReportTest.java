package io.noisesearch.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DemoReportTest {

    private static final DemoReport REPORT = new DemoReport("gmm-image", "oracle", "host", 352, 10, 2, List.of(
            new DemoReport.MethodSummary("none", "one noise", 0, 20, -49.0, 5.1, 0, 19, 0.3, 0, null),
            new DemoReport.MethodSummary("random", "N=19", 361, 20, 69.1, 1.96, 342, 0, 3.0, 20, 0.99)));

    @Test
    void tableIsAlignedMarkdownWithOneRowPerMethod() {
        List<String> lines = REPORT.table().lines().toList();

        assertThat(lines).hasSize(2 + 2);
        assertThat(lines).allSatisfy(line -> assertThat(line).startsWith("|").endsWith("|")
                .hasSameSizeAs(lines.getFirst()));
        assertThat(lines.get(1)).matches("[|\\- ]+");
        assertThat(lines.get(2)).contains("-49.000 ± 5.100").endsWith("| -          |");
        assertThat(lines.get(3)).contains("69.100 ± 1.960", "342.0", "99%");
    }

    @Test
    void writesJsonAndMarkdown(@TempDir Path dir) throws IOException {
        REPORT.write(dir);

        assertThat(dir.resolve("report.md")).content().contains("`gmm-image`", "20 runs per method", "N=19");
        assertThat(dir.resolve("report.json")).content().contains("\"meanScore\" : 69.1", "\"winsOverNone\" : null");
    }
}

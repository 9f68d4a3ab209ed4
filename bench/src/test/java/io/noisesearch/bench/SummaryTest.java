package io.noisesearch.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SummaryTest {

    /** One JMH JSON entry with the fields the summary reads. */
    private static String entry(String benchmark, String params, double score, String secondary) {
        return "{\"benchmark\": \"io.noisesearch.bench." + benchmark + "\", \"mode\": \"thrpt\", \"params\": {"
                + params + "}, \"primaryMetric\": {\"score\": " + score + ", \"scoreError\": 0.1, \"scoreUnit\":"
                + " \"ops/s\"}, \"secondaryMetrics\": {" + secondary + "}}";
    }

    private static String metric(String name, double score) {
        return "\"" + name + "\": {\"score\": " + score + ", \"scoreUnit\": \"ops/s\"}";
    }

    private static List<Summary.Result> parse(String... entries) throws Exception {
        return Summary.parse(new ObjectMapper().readTree("[" + String.join(",", entries) + "]"));
    }

    @Test
    void allocationSlopeIsTheDifferenceOfBytesPerSearchOverTheDifferenceOfCandidates() throws Exception {
        // 2 searches/s of 16 candidates allocating 10000 B each; 0.5 searches/s of 64 allocating 10960 B: 20 B each.
        List<Summary.Result> results = parse(
                entry("SearchBenchmark.search", "\"model\": \"m\", \"algorithm\": \"random\", \"pool\": \"64\","
                        + " \"batch\": \"16\", \"threads\": \"2\"", 0.5,
                        metric("candidates", 32) + "," + metric("gc.alloc.rate.norm", 10960)),
                entry("SearchBenchmark.search", "\"model\": \"m\", \"algorithm\": \"random\", \"pool\": \"16\","
                        + " \"batch\": \"16\", \"threads\": \"2\"", 2,
                        metric("candidates", 32) + "," + metric("gc.alloc.rate.norm", 10000)));
        Map<String, Summary.Slope> slopes = Summary.slopes(results);
        assertThat(slopes).containsOnlyKeys("m | random | 16 | 2");
        Summary.Slope slope = slopes.get("m | random | 16 | 2");
        assertThat(slope.candidatesSmall()).isEqualTo(16);
        assertThat(slope.candidatesLarge()).isEqualTo(64);
        assertThat(slope.bytesPerCandidate()).isCloseTo(20, within(1e-9));
    }

    @Test
    void aSearchWithoutGcProfileOrWithOnePoolHasNoSlope() throws Exception {
        List<Summary.Result> results = parse(
                entry("SearchBenchmark.search", "\"model\": \"m\", \"algorithm\": \"paths\", \"pool\": \"16\","
                        + " \"batch\": \"16\", \"threads\": \"1\"", 1, metric("candidates", 16)),
                entry("SearchBenchmark.search", "\"model\": \"m\", \"algorithm\": \"paths\", \"pool\": \"64\","
                        + " \"batch\": \"16\", \"threads\": \"1\"", 1, metric("candidates", 64)),
                entry("SearchBenchmark.search", "\"model\": \"m\", \"algorithm\": \"random\", \"pool\": \"16\","
                        + " \"batch\": \"16\", \"threads\": \"1\"", 1,
                        metric("candidates", 16) + "," + metric("gc.alloc.rate.norm", 100)));
        assertThat(Summary.slopes(results)).isEmpty();
    }

    @Test
    void modelsAreComparedWithThePeakOfTheSameThreadCount() throws Exception {
        List<Summary.Result> results = parse(
                entry("PeakBenchmark.matmul", "\"size\": \"2048\", \"threads\": \"1\"", 6, metric("gflop", 100)),
                entry("PeakBenchmark.matmul", "\"size\": \"2048\", \"threads\": \"2\"", 12, metric("gflop", 200)),
                entry("PeakBenchmark.matmul", "\"size\": \"512\", \"threads\": \"2\"", 900, metric("gflop", 150)),
                entry("ModelBenchmark.forward", "\"model\": \"mnist-flow-s\", \"batch\": \"64\", \"threads\": \"2\"",
                        10, metric("rows", 640) + "," + metric("gflop", 50)));
        assertThat(Summary.peakByThreads(results)).containsExactlyInAnyOrderEntriesOf(Map.of("1", 100.0, "2", 200.0));
        String table = Summary.render(results);
        assertThat(table).contains("| mnist-flow-s | 64    | 2       | 10      | 640    | 50      | 25%       |");
    }

    @Test
    void numbersKeepThreeSignificantDigitsWithUnitPrefixes() {
        assertThat(Summary.number(0.5213)).isEqualTo("0.521");
        assertThat(Summary.number(1517.3)).isEqualTo("1517");
        assertThat(Summary.number(21199.5)).isEqualTo("21.2 k");
        assertThat(Summary.number(184856794.9)).isEqualTo("185 M");
        assertThat(Summary.bytes(15887880)).isEqualTo("15.9 MB");
        assertThat(Summary.bytes(993)).isEqualTo("993 B");
        assertThat(Summary.bytes(-971000)).isEqualTo("-971 kB");
        assertThat(Summary.percent(36, 48)).isEqualTo("75%");
    }
}

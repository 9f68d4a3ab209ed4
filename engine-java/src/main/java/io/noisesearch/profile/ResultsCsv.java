package io.noisesearch.profile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/** {@code results.csv}: one row per configuration in the sweep's order, every field of results.jsonl flattened. */
final class ResultsCsv {

    static final String FILE = "results.csv";

    private record Column(String name, Function<ProfileResult, Object> value) {
    }

    private static final List<Column> COLUMNS = List.of(
            new Column("index", ProfileResult::index),
            new Column("id", ProfileResult::id),
            new Column("model", r -> r.configuration().model()),
            new Column("verifier", r -> r.configuration().verifier()),
            new Column("algorithm", r -> r.configuration().algorithm()),
            new Column("parameters", r -> r.configuration().parametersText()),
            new Column("searchSolver", r -> r.solvers().search()),
            new Column("finalSolver", r -> r.solvers().last()),
            new Column("budgetNfe", r -> r.configuration().budgetNfe()),
            new Column("budgetGflops", r -> r.configuration().budgetGflops()),
            new Column("guidance", r -> r.configuration().guidance()),
            new Column("samples", ProfileResult::samples),
            new Column("accuracy", r -> r.quality().accuracy()),
            new Column("inceptionScore", r -> r.quality().inceptionScore()),
            new Column("fid", r -> r.quality().fid()),
            new Column("precision", r -> r.quality().precision()),
            new Column("recall", r -> r.quality().recall()),
            new Column("meanVerifierScore", r -> r.quality().meanVerifierScore()),
            new Column("meanOracleLogDensity", r -> r.quality().meanOracleLogDensity()),
            new Column("plannedSearchNfePerSample", r -> r.compute().plannedSearchNfe()),
            new Column("searchNfePerSample", ProfileResult::searchNfePerSample),
            new Column("totalNfePerSample", ProfileResult::totalNfePerSample),
            new Column("gflopsPerSample", ProfileResult::gflopsPerSample),
            new Column("searchNfe", r -> r.compute().searchNfe()),
            new Column("finalNfe", r -> r.compute().finalNfe()),
            new Column("forwardPasses", r -> r.compute().forwardPasses()),
            new Column("verifierCalls", r -> r.compute().verifierCalls()),
            new Column("denoiserGflops", r -> r.compute().denoiserGflops()),
            new Column("verifierGflops", r -> r.compute().verifierGflops()),
            new Column("gflops", r -> r.compute().gflops()),
            new Column("budgetExhausted", r -> r.compute().budgetExhausted()),
            new Column("wallMillis", r -> r.measured().wallMillis()),
            new Column("searchMillis", r -> r.measured().searchMillis()),
            new Column("finalMillis", r -> r.measured().finalMillis()),
            new Column("evaluationMillis", r -> r.measured().evaluationMillis()),
            new Column("peakHeapBytes", r -> r.measured().peakHeapBytes()),
            new Column("perClassAccuracy", r -> r.quality().perClassAccuracy() == null ? null
                    : r.quality().perClassAccuracy().stream().map(a -> a == null ? "" : a.toString())
                            .collect(Collectors.joining(" "))));

    private ResultsCsv() {
    }

    /** RFC 4180: a header line, then one line per result; a missing value is an empty field. */
    static String text(List<ProfileResult> results) {
        StringBuilder csv = new StringBuilder();
        csv.append(COLUMNS.stream().map(Column::name).collect(Collectors.joining(","))).append("\r\n");
        List<ProfileResult> ordered = new ArrayList<>(results);
        ordered.sort(Comparator.comparingInt(ProfileResult::index));
        for (ProfileResult r : ordered) {
            csv.append(COLUMNS.stream().map(c -> field(c.value().apply(r))).collect(Collectors.joining(",")))
                    .append("\r\n");
        }
        return csv.toString();
    }

    private static String field(Object value) {
        String text = Objects.toString(value, "");
        if (text.contains(",") || text.contains("\"") || text.contains("\n") || text.contains("\r")) {
            return '"' + text.replace("\"", "\"\"") + '"';
        }
        return text;
    }
}

package io.noisesearch.bench;

import io.noisesearch.engine.Engine;
import io.noisesearch.schedule.SolverKind;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.search.PathSearch;
import io.noisesearch.search.RandomSearch;
import io.noisesearch.search.SearchAlgorithm;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.SearchResult;
import io.noisesearch.search.ZeroOrderSearch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Whole searches through {@link Engine#search}, warm engine, fixed seed: mnist-flow-s scored by its classifier and
 * gmm-image by the exact mixture (oracle). The search solver is Euler x10, the winner is re-solved with the model's
 * default solver. Besides searches per second it reports {@code candidates} per second. Run with {@code -prof gc}
 * at two pool sizes, gc.alloc.rate.norm (bytes per search) gives the allocation per candidate as the slope between
 * them (the summary prints it).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SearchBenchmark {

    @Param({"mnist-flow-s", "gmm-image"})
    public String model;

    @Param({"random", "zero-order", "paths"})
    public String algorithm;

    /**
     * Candidates per search: random N = pool; zero-order K = 4 iterations of N = pool / 4 neighbours (plus the
     * pivot); paths: 8 rounds of N = pool / 16 paths of M = 2 (the command line's defaults otherwise).
     */
    @Param({"64", "256"})
    public int pool;

    /** Candidate rows per solver call (--batch-size). */
    @Param({"64"})
    public int batch;

    @Param({"1", "2"})
    public int threads;

    private Engine engine;
    private SearchRequest request;
    private long candidatesPerSearch;

    /** Candidates searched, reported per second next to the search rate. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Work {
        public long candidates;
    }

    @Setup(Level.Trial)
    public void open() {
        SearchAlgorithm search = switch (algorithm) {
            case "random" -> new RandomSearch(pool);
            case "zero-order" -> new ZeroOrderSearch(Math.max(1, pool / 4), 4, 0.95, Double.NaN);
            case "paths" -> new PathSearch(Math.max(1, pool / 16), 2, 0.4, 0.05, 0.1, 2);
            default -> throw new IllegalArgumentException("algorithm: unknown '" + algorithm + "'");
        };
        String verifier = model.startsWith("gmm") ? "oracle" : "classifier";
        engine = Engine.open("cpu", threads);
        request = SearchRequest.of(model, 3, search, verifier, 20261130L)
                .withSolvers(new SolverSettings(SolverKind.EULER, 10), null)
                .withBatchSize(batch);
        candidatesPerSearch = search.plannedCandidates();
    }

    @TearDown(Level.Trial)
    public void close() {
        engine.close();
    }

    @Benchmark
    public SearchResult search(Work work) {
        SearchResult result = engine.search(request);
        work.candidates += candidatesPerSearch;
        return result;
    }
}

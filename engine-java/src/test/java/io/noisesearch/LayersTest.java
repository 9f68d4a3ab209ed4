package io.noisesearch;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's packages form layers (docs/architecture.md, the map): a package uses only packages of lower layers,
 * never one beside it or above it. Read from the sources (imports and fully qualified names outside comments), so
 * that an import running back up the layers, or a cycle, fails the build.
 */
class LayersTest {

    /** Bottom to top; the root package holds the exceptions every layer throws. */
    static final List<Set<String>> LAYERS = List.of(
            Set.of(""),
            Set.of("noise", "compute", "schedule", "format"),
            Set.of("backend"),
            Set.of("model"),
            Set.of("onnx", "tensorrt", "sampling", "metrics", "shapes", "batching"),
            Set.of("verify"),
            Set.of("search"),
            Set.of("report", "engine"),
            Set.of("profile", "service"),
            Set.of("cli"));

    private static final Path SOURCES = Path.of("src/main/java/io/noisesearch");
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.noisesearch\\.(?:([a-z][a-z0-9]*)\\.|[A-Z])");
    private static final Pattern COMMENTS = Pattern.compile("/\\*.*?\\*/|//[^\\n]*", Pattern.DOTALL);

    @Test
    void everyPackageUsesOnlyLowerLayers() throws IOException {
        List<String> violations = new ArrayList<>();
        dependencies().forEach((from, targets) -> {
            for (String to : targets) {
                if (!to.equals(from) && layer(to) >= layer(from)) {
                    violations.add(name(from) + " -> " + name(to));
                }
            }
        });
        assertThat(violations).as("imports running sideways or back up the layers").isEmpty();
    }

    @Test
    void everyPackageHasALayer() throws IOException {
        Set<String> unplaced = new TreeSet<>(dependencies().keySet());
        LAYERS.forEach(unplaced::removeAll);
        assertThat(unplaced).as("packages missing from LayersTest.LAYERS").isEmpty();
    }

    @Test
    void theScanSeesImportsAndQualifiedNamesButNotComments() {
        String source = """
                package io.noisesearch.model;
                import io.noisesearch.backend.Batch;
                import io.noisesearch.InvalidRequestException;
                /** See {@link io.noisesearch.search.SearchContext}. */
                class X { io.noisesearch.schedule.Schedule s; } // io.noisesearch.cli.Main
                """;
        assertThat(referencedPackages(source)).containsExactlyInAnyOrder("backend", "", "schedule");
    }

    /** Package (relative to io.noisesearch, "" for the root) -> the packages its sources name. */
    static Map<String, Set<String>> dependencies() throws IOException {
        Map<String, Set<String>> graph = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String pkg = SOURCES.relativize(file.getParent()).toString().replace('/', '.');
                graph.computeIfAbsent(pkg, p -> new TreeSet<>()).addAll(referencedPackages(Files.readString(file)));
            }
        }
        assertThat(graph).as("sources found under " + SOURCES.toAbsolutePath()).containsKeys("", "search", "cli");
        return graph;
    }

    static Set<String> referencedPackages(String source) {
        Set<String> packages = new TreeSet<>();
        Matcher m = REFERENCE.matcher(COMMENTS.matcher(source).replaceAll(" "));
        while (m.find()) {
            packages.add(m.group(1) == null ? "" : m.group(1));
        }
        return packages;
    }

    private static int layer(String pkg) {
        for (int i = 0; i < LAYERS.size(); i++) {
            if (LAYERS.get(i).contains(pkg)) {
                return i;
            }
        }
        return Integer.MAX_VALUE;
    }

    private static String name(String pkg) {
        return pkg.isEmpty() ? "io.noisesearch" : pkg;
    }
}

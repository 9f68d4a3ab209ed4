package io.noisesearch.profile;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.format.Json;
import io.noisesearch.format.OutputDirectory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * {@code run.json}: which sweep a profile folder holds results of, so that {@code profile merge} can tell whether
 * shard folders belong together: the sweep's name (null: none) and file, the ids of all its configurations in order,
 * its evaluation set, and the shards and devices that wrote the folder.
 */
public record RunInfo(String sweep, String source, List<String> configurations, EvaluationSet evaluation,
                      List<String> shards, List<String> devices) {

    public static final String FILE = "run.json";

    public RunInfo {
        configurations = List.copyOf(configurations);
        shards = List.copyOf(shards);
        devices = List.copyOf(devices);
    }

    /** The folder's run.json, or null where it has none. */
    public static RunInfo read(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            return Json.read(file, RunInfo.class);
        } catch (IOException | RuntimeException e) {
            throw new InvalidRequestException(file + " is not a profile run's " + FILE + " (" + e.getMessage() + ")");
        }
    }

    /** Both describe the same sweep: the same name and the same configurations in the same order. */
    public boolean sameSweep(RunInfo other) {
        return Objects.equals(sweep, other.sweep) && configurations.equals(other.configurations);
    }

    /** This folder's shards and devices followed by those of {@code next} (a resumed run, or a folder merged). */
    public RunInfo and(RunInfo next) {
        return new RunInfo(sweep, source, configurations, evaluation, union(shards, next.shards),
                union(devices, next.devices));
    }

    private static List<String> union(List<String> a, List<String> b) {
        LinkedHashSet<String> all = new LinkedHashSet<>(a);
        all.addAll(b);
        return new ArrayList<>(all);
    }

    public void write(OutputDirectory dir) throws IOException {
        dir.write(FILE, file -> Json.write(file, this));
    }

    /** "sweep 'quick' (12 configurations)", or the file where the sweep has no name. */
    String describe() {
        return (sweep != null ? "sweep '" + sweep + "'" : "sweep " + source) + " (" + configurations.size()
                + " configurations)";
    }
}

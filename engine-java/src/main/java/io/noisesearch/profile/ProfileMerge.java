package io.noisesearch.profile;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.format.Json;
import io.noisesearch.format.OutputDirectory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code profile merge}: the results of shard folders of one sweep joined into one folder, as one unsharded run would
 * have written them: {@code results.jsonl} in the sweep's order, {@code results.csv}, the plots, {@code index.html}
 * and {@code run.json}. The folders must hold the same sweep (its name and configuration ids, from their run.json),
 * and no configuration twice; a shard's partial last line (a killed run) is left out, like a configuration not run.
 */
public final class ProfileMerge {

    /** What a merge wrote: configurations merged of the sweep's, the folders and the files. */
    public record Summary(int merged, int configurations, int folders, List<String> files, double spentGflops,
                          double accountedGflops) {
    }

    private ProfileMerge() {
    }

    /** The checked results of the folders, in the sweep's order, and the sweep they belong to. */
    public record Shards(RunInfo run, List<ProfileResult> results, int folders) {
    }

    /**
     * Reads and checks every folder: one line naming the folder where it is not a profile folder, holds another
     * sweep than the first, or a configuration an earlier folder holds; or where it is {@code out}.
     */
    public static Shards read(Path out, List<Path> folders) throws IOException {
        RunInfo first = null;
        Path firstFolder = null;
        Map<String, Path> seen = new HashMap<>();
        List<ProfileResult> merged = new ArrayList<>();
        if (folders.isEmpty()) {
            throw new InvalidRequestException("name the folders to merge");
        }
        for (Path folder : folders) {
            if (!Files.isDirectory(folder)) {
                throw new InvalidRequestException(folder + ": no such folder");
            }
            RunInfo info = RunInfo.read(folder);
            if (info == null) {
                throw new InvalidRequestException(folder + ": no " + RunInfo.FILE + ": not a folder that profile"
                        + " wrote");
            }
            if (Files.exists(out) && Files.isSameFile(folder, out)) {
                throw new InvalidRequestException(folder + ": is OUT itself: merge into a new folder");
            }
            if (first == null) {
                first = info;
                firstFolder = folder;
            } else if (!info.sameSweep(first)) {
                throw new InvalidRequestException(folder + ": holds " + info.describe() + ", " + firstFolder
                        + " holds " + first.describe() + ": merge the shards of one sweep");
            } else {
                first = first.and(info);
            }
            for (ProfileResult result : ResultsLog.read(folder)) {
                check(folder, info, result, seen);
                merged.add(result);
            }
        }
        merged.sort(Comparator.comparingInt(ProfileResult::index));
        return new Shards(first, merged, folders.size());
    }

    /** Writes the merged folder; {@code out} must hold no results yet. */
    public static Summary write(OutputDirectory out, Shards shards) throws IOException {
        if (Files.exists(out.path().resolve(ResultsLog.FILE))) {
            throw new InvalidRequestException("OUT " + out.path() + " holds " + ResultsLog.FILE
                    + " already: merge into a new folder");
        }
        StringBuilder lines = new StringBuilder();
        shards.results().forEach(r -> lines.append(Json.line(r)).append('\n'));
        out.write(ResultsLog.FILE, file -> Files.writeString(file, lines, StandardCharsets.UTF_8));
        List<String> files = new ArrayList<>(ReportFiles.write(out, shards.run(), shards.results()));
        shards.run().write(out);
        files.add(RunInfo.FILE);
        return new Summary(shards.results().size(), shards.run().configurations().size(), shards.folders(), files,
                ReuseGroup.spent(shards.results()), ReuseGroup.accounted(shards.results()));
    }

    /** The result is the sweep's configuration at its index, and in no earlier folder. */
    private static void check(Path folder, RunInfo info, ProfileResult result, Map<String, Path> seen) {
        int index = result.index();
        if (index < 0 || index >= info.configurations().size()
                || !info.configurations().get(index).equals(result.id())) {
            throw new InvalidRequestException(folder + ": " + ResultsLog.FILE + " holds configuration " + result.id()
                    + " at index " + index + ", which is not the sweep's configuration there");
        }
        Path earlier = seen.putIfAbsent(result.id(), folder);
        if (earlier != null) {
            throw new InvalidRequestException(folder + ": configuration " + index + " (" + result.id()
                    + ") is in " + earlier + " too: merge each shard once");
        }
    }
}

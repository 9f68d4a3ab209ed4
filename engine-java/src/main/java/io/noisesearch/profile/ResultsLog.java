package io.noisesearch.profile;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.format.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code results.jsonl}: one JSON line per finished configuration, appended with one write and an fsync, so a killed
 * sweep leaves whole lines and at most one partial last line. Resuming drops that line (its configuration runs again)
 * and skips the configurations the whole lines hold; a sweep extended since (new entries or values) renumbers the
 * kept lines to its own order, so that the folder is one run of it ({@code profile merge} checks each index).
 */
public final class ResultsLog implements AutoCloseable {

    public static final String FILE = "results.jsonl";

    private final Path file;
    private FileChannel channel;
    private final List<ProfileResult> results;
    /** The text of each result's line, as the file holds it. */
    private final List<String> lines;

    private ResultsLog(Path file, FileChannel channel, List<ProfileResult> results, List<String> lines) {
        this.file = file;
        this.channel = channel;
        this.results = results;
        this.lines = lines;
    }

    /**
     * Opens {@code results.jsonl} in {@code dir}. Without {@code resume} a file that holds results is an error naming
     * {@code resumeOption}; with it, the file's results are kept (each must be a configuration of {@code ids}, the
     * sweep's in its order), each renumbered to its configuration's index in {@code ids} where that moved, and a last
     * line that is not a whole result is cut off.
     */
    public static ResultsLog open(Path dir, boolean resume, String resumeOption, List<String> ids) {
        Path file = dir.resolve(FILE);
        try {
            boolean holdsResults = Files.isRegularFile(file) && Files.size(file) > 0;
            if (holdsResults && !resume) {
                throw new InvalidRequestException(file + " holds the results of an earlier sweep: add " + resumeOption
                        + " to continue it, or choose another --out");
            }
            Map<String, Integer> index = new HashMap<>();
            for (int k = 0; k < ids.size(); k++) {
                index.put(ids.get(k), k);
            }
            List<ProfileResult> kept = new ArrayList<>();
            List<String> lines = new ArrayList<>();
            long whole = holdsResults ? readWholeLines(file, index.keySet(), kept, lines) : 0;
            if (renumber(kept, lines, index)) {
                replace(file, lines);
                whole = Files.size(file);
            }
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            channel.truncate(whole);
            channel.position(whole);
            channel.force(true);
            return new ResultsLog(file, channel, kept, lines);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Gives each result whose index is not its configuration's in the sweep that index; whether any moved. */
    private static boolean renumber(List<ProfileResult> results, List<String> lines, Map<String, Integer> index) {
        boolean moved = false;
        for (int i = 0; i < results.size(); i++) {
            ProfileResult result = results.get(i);
            int k = index.get(result.id());
            if (result.index() != k) {
                ProfileResult renumbered = result.withIndex(k);
                results.set(i, renumbered);
                lines.set(i, Json.line(renumbered));
                moved = true;
            }
        }
        return moved;
    }

    /** Writes {@code lines} whole to a file beside {@code file} and moves it over it: a kill leaves one or the other. */
    private static void replace(Path file, List<String> lines) throws IOException {
        StringBuilder text = new StringBuilder();
        lines.forEach(line -> text.append(line).append('\n'));
        Path next = file.resolveSibling(FILE + ".next");
        try (FileChannel out = FileChannel.open(next, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            out.force(true);
        }
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * The results of the whole lines of a folder's {@code results.jsonl} (none where it has none), without changing
     * the file: a partial last line is left out.
     */
    public static List<ProfileResult> read(Path dir) {
        Path file = dir.resolve(FILE);
        List<ProfileResult> results = new ArrayList<>();
        try {
            if (Files.isRegularFile(file)) {
                readWholeLines(file, null, results, new ArrayList<>());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
        return results;
    }

    /**
     * Reads the results into {@code into} and their lines' text into {@code texts}, each a configuration of
     * {@code ids} (null: any); returns the bytes of the whole lines before a partial last one.
     */
    private static long readWholeLines(Path file, Set<String> ids, List<ProfileResult> into, List<String> texts)
            throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        long whole = 0;
        int lineNumber = 0;
        for (int start = 0; start < bytes.length; ) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            lineNumber++;
            boolean last = end >= bytes.length - 1;
            String text = new String(bytes, start, Math.min(end, bytes.length) - start, StandardCharsets.UTF_8);
            ProfileResult result = end < bytes.length ? parse(text) : null;
            if (result == null) {
                if (last) {
                    break;
                }
                throw new InvalidRequestException(file + " line " + lineNumber + " is not a result; remove the line"
                        + " or choose another --out");
            }
            if (ids != null && !ids.contains(result.id())) {
                throw new InvalidRequestException(file + " line " + lineNumber + " holds configuration " + result.id()
                        + ", which this sweep does not have: resume with the sweep that wrote it");
            }
            into.add(result);
            texts.add(text);
            start = end + 1;
            whole = start;
        }
        return whole;
    }

    /** A result, or null for a line that is not one (cut by a kill, or changed by hand: its id does not match). */
    private static ProfileResult parse(String line) {
        try {
            ProfileResult result = Json.parse(line, ProfileResult.class);
            return result.configuration() != null && result.configuration().id().equals(result.id()) ? result : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The results of this file: those read when it was opened and those appended since, in file order. */
    public List<ProfileResult> results() {
        return List.copyOf(results);
    }

    public boolean contains(String id) {
        return results.stream().anyMatch(r -> r.id().equals(id));
    }

    /** Appends one line with a single write, then forces it to the disk. */
    public void append(ProfileResult result) {
        String text = Json.line(result);
        ByteBuffer line = ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.UTF_8));
        try {
            while (line.hasRemaining()) {
                channel.write(line);
            }
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
        results.add(result);
        lines.add(text);
    }

    /**
     * Puts the lines in the sweep's order (by configuration index), whatever order the units finished in: written
     * whole to a file beside this one and moved over it, so a kill leaves the old file or the new one.
     */
    public void sortBySweepOrder() {
        Integer[] order = new Integer[results.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingInt(i -> results.get(i).index()));
        boolean sorted = true;
        for (int i = 0; i < order.length; i++) {
            sorted &= order[i] == i;
        }
        if (sorted) {
            return;
        }
        List<ProfileResult> sortedResults = new ArrayList<>();
        List<String> sortedLines = new ArrayList<>();
        for (int i : order) {
            sortedResults.add(results.get(i));
            sortedLines.add(lines.get(i));
        }
        try {
            channel.close();
            replace(file, sortedLines);
            channel = FileChannel.open(file, StandardOpenOption.WRITE);
            channel.position(channel.size());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
        results.clear();
        results.addAll(sortedResults);
        lines.clear();
        lines.addAll(sortedLines);
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

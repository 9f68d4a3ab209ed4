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
import java.util.List;
import java.util.Set;

/**
 * {@code results.jsonl}: one JSON line per finished configuration, appended with one write and an fsync, so a killed
 * sweep leaves whole lines and at most one partial last line. Resuming drops that line (its configuration runs again)
 * and skips the configurations the whole lines hold.
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
     * sweep's) and a last line that is not a whole result is cut off.
     */
    public static ResultsLog open(Path dir, boolean resume, String resumeOption, Set<String> ids) {
        Path file = dir.resolve(FILE);
        try {
            boolean holdsResults = Files.isRegularFile(file) && Files.size(file) > 0;
            if (holdsResults && !resume) {
                throw new InvalidRequestException(file + " holds the results of an earlier sweep: add " + resumeOption
                        + " to continue it, or choose another --out");
            }
            List<ProfileResult> kept = new ArrayList<>();
            List<String> lines = new ArrayList<>();
            long whole = holdsResults ? readWholeLines(file, ids, kept, lines) : 0;
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            channel.truncate(whole);
            channel.position(whole);
            channel.force(true);
            return new ResultsLog(file, channel, kept, lines);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": " + e.getMessage(), e);
        }
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
        StringBuilder text = new StringBuilder();
        for (int i : order) {
            sortedResults.add(results.get(i));
            sortedLines.add(lines.get(i));
            text.append(lines.get(i)).append('\n');
        }
        Path next = file.resolveSibling(FILE + ".sorted");
        try {
            try (FileChannel out = FileChannel.open(next, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                out.force(true);
            }
            channel.close();
            Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
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

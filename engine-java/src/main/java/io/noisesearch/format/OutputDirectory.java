package io.noisesearch.format;

import io.noisesearch.InvalidRequestException;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * An output folder held by one run: checked writable before any work, locked against other runs (a second run on
 * the same folder fails at once), and written file by file atomically: each file goes to a temporary {@code .part}
 * file beside it and is renamed over the target, so a killed run leaves the old file or the new one, never half of
 * one. Temporary files of a run that was killed are removed by the next run that opens the folder.
 */
public final class OutputDirectory implements AutoCloseable {

    /** Held (locked) while a run writes into the folder; kept afterwards, since deleting it would race other runs. */
    public static final String LOCK_FILE = ".noisesearch.lock";
    static final String PART = ".part";

    /** Writes one file's content to the path it is given. */
    @FunctionalInterface
    public interface Content {
        void writeTo(Path file) throws IOException;
    }

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;
    private final Set<Path> parts = ConcurrentHashMap.newKeySet();
    /** Set when the JVM stops: writes still running lose their temporary file, and none starts. */
    private boolean stopping;
    /** Removes the temporary files of writes in progress when the JVM is stopped (SIGINT, SIGTERM). */
    private final Thread cleanup = new Thread(this::stop, "noisesearch-output-cleanup");

    private OutputDirectory(Path dir, FileChannel channel, FileLock lock) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /**
     * Creates the folder if needed and takes it for this run.
     *
     * @param option the option that named the folder, for the messages
     */
    public static OutputDirectory open(Path dir, String option) {
        if (dir.toString().isBlank()) {
            throw new InvalidRequestException(option + " is empty: name an output folder");
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new InvalidRequestException(option + " " + dir + " exists and is not a folder");
        }
        FileChannel channel;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException | SecurityException e) {
            throw new InvalidRequestException(option + " " + dir + " is not writable (" + e + ")", e);
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (IOException | OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            closeQuietly(channel);
            throw new InvalidRequestException(option + " " + dir + " is in use by another noisesearch run");
        }
        OutputDirectory out = new OutputDirectory(dir, channel, lock);
        out.deleteStaleParts();
        return out;
    }

    public Path path() {
        return dir;
    }

    /** Writes {@code name} atomically: to a temporary file in the folder, then renamed over the target. */
    public Path write(String name, Content content) throws IOException {
        Path target = dir.resolve(name);
        Path part;
        synchronized (parts) {
            if (stopping) {
                throw new IOException("not writing " + name + ": the run is being stopped");
            }
            part = Files.createTempFile(dir, "." + name + ".", PART);
            parts.add(part);
        }
        try {
            content.writeTo(part);
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } finally {
            Files.deleteIfExists(part);
            parts.remove(part);
        }
    }

    /** Releases the folder for other runs. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException shuttingDown) {
            // The hook runs anyway.
        }
        deleteParts();
        try {
            lock.release();
        } catch (IOException ignored) {
            // Closing the channel releases it too.
        }
        closeQuietly(channel);
    }

    /** The JVM is stopping (other threads still run while shutdown hooks do). */
    private void stop() {
        synchronized (parts) {
            stopping = true;
            deleteParts();
        }
    }

    private void deleteParts() {
        for (Path part : parts) {
            try {
                Files.deleteIfExists(part);
            } catch (IOException ignored) {
                // Best effort while the JVM stops.
            }
        }
    }

    /** Temporary files left by a run that was killed mid-write; nobody else writes here while we hold the lock. */
    private void deleteStaleParts() {
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (name.startsWith(".") && name.endsWith(PART) && Files.isRegularFile(entry)) {
                    Files.deleteIfExists(entry);
                }
            }
        } catch (IOException ignored) {
            // Stale temporary files are untidy, not wrong.
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing was written through it.
        }
    }
}

package io.noisesearch.format;

import io.noisesearch.InvalidRequestException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks an output folder before any work is done, so a long run cannot fail at its last step. */
public final class OutputDirectory {

    private OutputDirectory() {
    }

    /**
     * Creates the folder if needed and proves it writable by creating and deleting a file (permission bits alone
     * do not tell, e.g. for root or on read-only mounts).
     *
     * @param option the option that named the folder, for the message
     */
    public static Path prepare(Path dir, String option) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new InvalidRequestException(option + " " + dir + " exists and is not a folder");
        }
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".write-check", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new InvalidRequestException(option + " " + dir + " is not writable (" + e + ")", e);
        }
        return dir;
    }
}

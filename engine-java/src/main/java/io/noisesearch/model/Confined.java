package io.noisesearch.model;

import io.noisesearch.InvalidRequestException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Model folders are untrusted input: every path one names (its model file, external data, the models it names for
 * verifier roles) must stay inside a root, after symbolic links, or the model is refused with one line. Messages name
 * the field, not the value read from the file.
 */
public final class Confined {

    private Confined() {
    }

    /** {@code relative} resolved inside {@code root}; {@code subject} names the field in the message. */
    public static Path require(Path root, String relative, String subject) {
        Path name;
        try {
            name = Path.of(relative);
        } catch (InvalidPathException e) {
            throw new InvalidRequestException(subject + " is not a file name");
        }
        Path base = root.toAbsolutePath().normalize();
        Path resolved = base.resolve(name).normalize();
        if (relative.isBlank() || name.isAbsolute() || !resolved.startsWith(base) || resolved.equals(base)) {
            throw new InvalidRequestException(subject + " must name a file inside " + base);
        }
        if (Files.exists(resolved) && !realPath(resolved).startsWith(realPath(base))) {
            throw new InvalidRequestException(subject + " leads outside " + base + " through a symbolic link");
        }
        return resolved;
    }

    /** A plain name of one folder entry: no separators, not "." or "..". */
    public static boolean isPlainName(String name) {
        return name != null && !name.isBlank() && !name.equals(".") && !name.equals("..") && !name.contains("/")
                && !name.contains("\\") && name.indexOf('\0') < 0;
    }

    private static Path realPath(Path path) {
        try {
            return path.toRealPath();
        } catch (IOException e) {
            throw new InvalidRequestException(path + " cannot be resolved (" + e.getClass().getSimpleName() + ")", e);
        }
    }
}

package io.noisesearch.format;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.Limit;
import io.noisesearch.NoiseSearchException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * NumPy {@code .npz} files: a zip of {@code NAME.npy} entries ({@link Npy}), as {@code numpy.savez} writes them
 * (stored) or {@code numpy.savez_compressed} (deflated; both are read). {@code generate} writes {@code samples.npz}
 * with {@code arr_0} uint8 [N,H,W,C] and {@code labels} int64 [N], the layout standard FID suites read.
 * Errors name the file and the entry and are {@link InvalidRequestException}s (bad input, exit code 2).
 */
public final class Npz {

    /** The .npy bytes one file may inflate, all its entries together. */
    public static final Limit INFLATED = new Limit("noisesearch.maxNpzMiB", 2048, true);
    /** Bytes after an entry's data that are counted for the message before reading stops. */
    private static final int TRAILING_COUNTED = 1 << 16;
    /** A .npy header's bytes: numpy writes well under a kilobyte (and reads at most 10000 by default). */
    private static final long MAX_HEADER = 1 << 20;

    private final Path file;
    private final Map<String, NpyArray> arrays;

    private Npz(Path file, Map<String, NpyArray> arrays) {
        this.file = file;
        this.arrays = Collections.unmodifiableMap(arrays);
    }

    /**
     * Reads every {@code .npy} entry of {@code file} (other entries are ignored). Entries are inflated only as far as
     * their headers say, within {@link #INFLATED} for the whole file: a compressed entry cannot inflate more.
     */
    public static Npz read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidRequestException(file + ": no such file");
        }
        long limit = INFLATED.value();
        long left = limit;
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                if (entry.isDirectory() || !entry.getName().endsWith(".npy")) {
                    continue;
                }
                String name = entry.getName().substring(0, entry.getName().length() - ".npy".length());
                String where = file + " entry '" + name + "'";
                Bounded read;
                try (InputStream in = zip.getInputStream(entry)) {
                    read = readEntry(in, entry.getSize(), left, limit, where);
                } catch (IOException e) {
                    throw new InvalidRequestException(where + ": unreadable (" + e.getMessage() + ")", e);
                }
                arrays.put(name, read.array());
                left -= read.bytes();
            }
        } catch (NoSuchFileException e) {
            throw new InvalidRequestException(file + ": no such file", e);
        } catch (ZipException e) {
            throw new InvalidRequestException(file + ": not a valid .npz (zip) file (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            throw new InvalidRequestException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        return new Npz(file, arrays);
    }

    /** An entry's array and the bytes inflated for it. */
    record Bounded(NpyArray array, long bytes) {
    }

    /**
     * One .npy entry from its (inflating) stream, never reading more than {@code left} bytes, nor past what its header
     * declares but for a few bytes that show data follows: a declared size, header or shape beyond {@code left} is
     * refused before the data is read.
     *
     * @param declaredSize the zip's uncompressed size of the entry, -1 where unknown
     * @param limit        the file's limit, for the message
     */
    static Bounded readEntry(InputStream in, long declaredSize, long left, long limit, String where)
            throws IOException {
        if (declaredSize > left) {
            throw over(where, "declares " + declaredSize + " bytes", left, limit);
        }
        byte[] start = in.readNBytes(Npy.PREAMBLE);
        long dataOffset = Npy.dataOffset(start, where);
        if (dataOffset > MAX_HEADER) {
            throw new InvalidRequestException(where + ": a .npy header of " + dataOffset + " bytes is longer than the "
                    + MAX_HEADER + " read here");
        }
        byte[] head = Arrays.copyOf(start, (int) Math.max(start.length, dataOffset));
        int got = start.length + in.readNBytes(head, start.length, head.length - start.length);
        Npy.Header header = Npy.header(Arrays.copyOf(head, got), where);
        long total = header.encodedBytes();
        if (total > left) {
            throw over(where, "its " + header.describe() + " takes " + total + " bytes", left, limit);
        }
        if (total > Integer.MAX_VALUE - 16) {
            throw new InvalidRequestException(where + ": " + header.describe() + " is too large to read here");
        }
        byte[] bytes = Arrays.copyOf(head, (int) total);
        int read = Math.min(got, bytes.length);
        read += in.readNBytes(bytes, read, bytes.length - read);
        long after = Math.max(0, got - total) + in.readNBytes(TRAILING_COUNTED).length;
        if (after > 0) {
            throw Npy.trailing(where, after < TRAILING_COUNTED ? Long.toString(after) : "at least " + after, header);
        }
        return new Bounded(Npy.decode(Arrays.copyOf(bytes, read), where), total);
    }

    private static InvalidRequestException over(String where, String what, long left, long limit) {
        return new InvalidRequestException(where + ": " + what + ", over " + INFLATED.describe(limit)
                + (left < limit ? " with the " + (limit - left) + " bytes of the entries before it" : ""));
    }

    /**
     * Writes {@code arrays} (entry name without {@code .npy} -> array, in the map's order) as an uncompressed
     * .npz, like {@code numpy.savez}. Commands write through {@link OutputDirectory}, which makes it atomic.
     */
    public static void write(Path file, Map<String, NpyArray> arrays) {
        try (OutputStream stream = Files.newOutputStream(file);
             ZipOutputStream zip = new ZipOutputStream(new java.io.BufferedOutputStream(stream, 1 << 16))) {
            for (Map.Entry<String, NpyArray> e : arrays.entrySet()) {
                if (e.getKey().isEmpty() || e.getKey().contains("/")) {
                    throw new IllegalArgumentException("bad .npz entry name '" + e.getKey() + "'");
                }
                byte[] bytes = Npy.encode(e.getValue());
                ZipEntry entry = new ZipEntry(e.getKey() + ".npy");
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(bytes.length);
                entry.setCompressedSize(bytes.length);
                CRC32 crc = new CRC32();
                crc.update(bytes);
                entry.setCrc(crc.getValue());
                zip.putNextEntry(entry);
                zip.write(bytes);
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new NoiseSearchException(file + ": cannot write (" + e.getMessage() + ")", false, e);
        }
    }

    public Path file() {
        return file;
    }

    /** Entry names (without {@code .npy}), in file order. */
    public Set<String> names() {
        return arrays.keySet();
    }

    public boolean has(String name) {
        return arrays.containsKey(name);
    }

    /** Every array, by entry name, in file order. */
    public Map<String, NpyArray> arrays() {
        return arrays;
    }

    /** The entry {@code name}; an error naming the file and the entries it has when it is missing. */
    public NpyArray get(String name) {
        NpyArray array = arrays.get(name);
        if (array == null) {
            throw new InvalidRequestException(file + ": no entry '" + name + "' (entries: "
                    + (arrays.isEmpty() ? "none" : String.join(", ", arrays.keySet())) + ")");
        }
        return array;
    }

    /** The entry {@code name}, checked to have {@code dtype} and {@code rank}. */
    public NpyArray get(String name, NpyArray.Dtype dtype, int rank) {
        NpyArray array = get(name);
        if (array.dtype() != dtype || array.rank() != rank) {
            throw new InvalidRequestException(file + " entry '" + name + "': expected " + dtype.descr() + " of rank "
                    + rank + ", got " + array.dtype().descr() + " of shape " + array.shapeString());
        }
        return array;
    }
}

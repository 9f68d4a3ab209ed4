package io.noisesearch.format;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.NoiseSearchException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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

    private final Path file;
    private final Map<String, NpyArray> arrays;

    private Npz(Path file, Map<String, NpyArray> arrays) {
        this.file = file;
        this.arrays = Collections.unmodifiableMap(arrays);
    }

    /** Reads every {@code .npy} entry of {@code file} (other entries are ignored). */
    public static Npz read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidRequestException(file + ": no such file");
        }
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
                byte[] bytes;
                try (InputStream in = zip.getInputStream(entry)) {
                    bytes = in.readAllBytes();
                } catch (IOException e) {
                    throw new InvalidRequestException(where + ": unreadable (" + e.getMessage() + ")", e);
                }
                arrays.put(name, Npy.decode(bytes, where));
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

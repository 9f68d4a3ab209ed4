package io.noisesearch.spark;

import io.noisesearch.search.SolveCache;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;

/**
 * A {@link SolveCache} on any Hadoop file system, shared by every executor of a job and by later jobs: one file per
 * entry, named by the SHA-256 of its key (kind, model identity, class, seed, key, solver, guidance, capture time,
 * verifier). An entry is written to a temporary file and renamed into place, so a reader sees a whole entry or none
 * and concurrent writers of the same entry (same floats, by determinism) never mix; the rename that loses leaves the
 * winner's file. Each file holds a magic word, the float count, the floats and their CRC-32, so damage is a miss
 * (with a warning), never a wrong score. Entries read or written are also kept in this JVM's memory.
 */
final class FileSystemSolveCache implements SolveCache {

    private static final Logger LOG = LoggerFactory.getLogger(FileSystemSolveCache.class);
    private static final int MAGIC = 0x4e534331; // "NSC1"
    /** A count above this is damage, not data (a row of a 4096-dim model has 4096 floats). */
    private static final int MAX_FLOATS = 16 << 20;
    /** Part files are written here and renamed into place. */
    private static final String PARTS = "_parts";

    /** Where entries live: whole files by relative name, each written to a part file and renamed into place. */
    private interface Store {
        /** The file's bytes, or null where there is none. */
        byte[] read(String name) throws IOException;

        /** Writes the file unless it exists; a concurrent writer's rename may win. */
        void write(String name, byte[] bytes) throws IOException;
    }

    private final Store store;
    private final String root;
    private final Map<String, float[]> held = new ConcurrentHashMap<>();

    private FileSystemSolveCache(Store store, String root) {
        this.store = store;
        this.root = root;
    }

    /**
     * The cache in folder {@code uri} (any Hadoop file system URI, or a local path), created on the first write.
     * Local folders are written through java.nio: Hadoop's local file system starts a chmod process per created file.
     */
    static FileSystemSolveCache open(String uri, Configuration conf) {
        URI location = URI.create(uri);
        if (location.getScheme() == null || "file".equals(location.getScheme())) {
            java.nio.file.Path folder = location.getScheme() == null ? java.nio.file.Path.of(uri)
                    : java.nio.file.Path.of(location);
            return new FileSystemSolveCache(new LocalStore(folder), uri.replaceAll("/+$", ""));
        }
        try {
            Path folder = new Path(location);
            return new FileSystemSolveCache(new HadoopStore(folder.getFileSystem(conf), folder),
                    uri.replaceAll("/+$", ""));
        } catch (IOException e) {
            throw new UncheckedIOException("solve cache " + uri + ": " + e.getMessage(), e);
        }
    }

    @Override
    public float[] row(Row row) {
        return get(name("row", row, ""));
    }

    @Override
    public void putRow(Row row, float[] values) {
        put(name("row", row, ""), values);
    }

    @Override
    public float[] scores(Row sample, String verifier) {
        return get(name("scores", sample, verifier));
    }

    @Override
    public void putScores(Row sample, String verifier, float[] memberScores) {
        put(name("scores", sample, verifier), memberScores);
    }

    private static String name(String kind, Row row, String verifier) {
        String key = String.join("\n", kind, row.model(), Integer.toString(row.label()), Long.toString(row.seed()),
                Long.toString(row.key()), row.solver().kind().id(), Integer.toString(row.solver().steps()),
                Long.toHexString(Double.doubleToLongBits(row.guidance())),
                Long.toHexString(Double.doubleToLongBits(row.at())), verifier);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Entries spread over 256 folders, so no folder grows past what listing tools handle well. */
    private static String file(String name) {
        return name.substring(0, 2) + "/" + name + ".floats";
    }

    private float[] get(String name) {
        float[] values = held.get(name);
        if (values != null) {
            return values.clone();
        }
        String file = file(name);
        byte[] bytes;
        try {
            bytes = store.read(file);
        } catch (IOException e) {
            throw new UncheckedIOException("solve cache " + root + "/" + file + ": " + e.getMessage(), e);
        }
        if (bytes == null) {
            return null;
        }
        float[] read = decode(bytes);
        if (read == null) {
            LOG.warn("solve cache entry {}/{} is damaged; solving again", root, file);
            return null;
        }
        held.put(name, read);
        return read.clone();
    }

    private void put(String name, float[] values) {
        if (held.putIfAbsent(name, values.clone()) != null) {
            return;
        }
        try {
            store.write(file(name), encode(values));
        } catch (IOException e) {
            throw new UncheckedIOException("solve cache " + root + "/" + file(name) + ": " + e.getMessage(), e);
        }
    }

    /** Magic, float count, the floats (big-endian), the CRC-32 of the floats. */
    private static byte[] encode(float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(2 * Integer.BYTES + values.length * Float.BYTES + Long.BYTES);
        bytes.putInt(MAGIC).putInt(values.length);
        bytes.asFloatBuffer().put(values);
        CRC32 crc = new CRC32();
        crc.update(bytes.array(), 2 * Integer.BYTES, values.length * Float.BYTES);
        bytes.putLong(2 * Integer.BYTES + values.length * Float.BYTES, crc.getValue());
        return bytes.array();
    }

    /** The floats of an entry, or null where its header, length or checksum is wrong. */
    private static float[] decode(byte[] bytes) {
        if (bytes.length < 2 * Integer.BYTES + Long.BYTES) {
            return null;
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        int magic = in.getInt();
        int count = in.getInt();
        if (magic != MAGIC || count < 0 || count > MAX_FLOATS
                || bytes.length != 2 * Integer.BYTES + count * Float.BYTES + Long.BYTES) {
            return null;
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 2 * Integer.BYTES, count * Float.BYTES);
        if (in.getLong(2 * Integer.BYTES + count * Float.BYTES) != crc.getValue()) {
            return null;
        }
        float[] values = new float[count];
        in.asFloatBuffer().get(values);
        return values;
    }

    private record LocalStore(java.nio.file.Path root) implements Store {

        @Override
        public byte[] read(String name) throws IOException {
            try {
                return Files.readAllBytes(root.resolve(name));
            } catch (NoSuchFileException e) {
                return null;
            }
        }

        @Override
        public void write(String name, byte[] bytes) throws IOException {
            java.nio.file.Path target = root.resolve(name);
            if (Files.exists(target)) {
                return;
            }
            java.nio.file.Path parts = Files.createDirectories(root.resolve(PARTS));
            java.nio.file.Path part = parts.resolve(target.getFileName() + "." + UUID.randomUUID() + ".part");
            Files.write(part, bytes);
            Files.createDirectories(target.getParent());
            // rename(2) replaces atomically: a concurrent writer's file of the same floats, or none, is seen.
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private record HadoopStore(FileSystem fs, Path root) implements Store {

        @Override
        public byte[] read(String name) throws IOException {
            Path file = new Path(root, name);
            try (FSDataInputStream in = fs.open(file)) {
                return in.readAllBytes();
            } catch (FileNotFoundException e) {
                return null;
            }
        }

        @Override
        public void write(String name, byte[] bytes) throws IOException {
            Path file = new Path(root, name);
            if (fs.exists(file)) {
                return;
            }
            Path part = new Path(new Path(root, PARTS), file.getName() + "." + UUID.randomUUID() + ".part");
            try (FSDataOutputStream out = fs.create(part, false)) {
                out.write(bytes);
            }
            fs.mkdirs(file.getParent());
            // The first rename wins (HDFS and object stores do not replace); a loser's file holds the same floats.
            if (!fs.rename(part, file)) {
                fs.delete(part, false);
            }
        }
    }
}

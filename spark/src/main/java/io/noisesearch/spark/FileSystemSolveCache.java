package io.noisesearch.spark;

import io.noisesearch.search.SolveCache;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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

    private final FileSystem fs;
    private final Path root;
    private final Map<String, float[]> held = new ConcurrentHashMap<>();

    private FileSystemSolveCache(FileSystem fs, Path root) {
        this.fs = fs;
        this.root = root;
    }

    /** The cache in folder {@code uri} (any Hadoop file system URI, or a local path), created on the first write. */
    static FileSystemSolveCache open(String uri, Configuration conf) {
        try {
            Path root = new Path(URI.create(uri));
            FileSystem fs = root.getFileSystem(conf);
            // On local disks the entry's own CRC suffices: no checksum file beside each entry.
            return new FileSystemSolveCache(fs instanceof LocalFileSystem local ? local.getRaw() : fs, root);
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

    /** Entries this JVM holds in memory (read or written). */
    int held() {
        return held.size();
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
    private Path file(String name) {
        return new Path(new Path(root, name.substring(0, 2)), name + ".floats");
    }

    private float[] get(String name) {
        float[] values = held.get(name);
        if (values != null) {
            return values.clone();
        }
        Path file = file(name);
        try (FSDataInputStream in = fs.open(file)) {
            int magic = in.readInt();
            int count = in.readInt();
            if (magic != MAGIC || count < 0 || count > MAX_FLOATS) {
                LOG.warn("solve cache entry {} is damaged (header); solving again", file);
                return null;
            }
            float[] read = new float[count];
            CRC32 crc = new CRC32();
            byte[] bytes = new byte[count * Float.BYTES];
            in.readFully(bytes);
            crc.update(bytes);
            if (in.readLong() != crc.getValue()) {
                LOG.warn("solve cache entry {} is damaged (checksum); solving again", file);
                return null;
            }
            ByteBuffer.wrap(bytes).asFloatBuffer().get(read);
            held.put(name, read);
            return read.clone();
        } catch (FileNotFoundException e) {
            return null;
        } catch (EOFException e) {
            LOG.warn("solve cache entry {} is damaged (short); solving again", file);
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("solve cache " + file + ": " + e.getMessage(), e);
        }
    }

    private void put(String name, float[] values) {
        if (held.putIfAbsent(name, values.clone()) != null) {
            return;
        }
        Path file = file(name);
        Path part = new Path(new Path(root, "_parts"), name + "." + UUID.randomUUID() + ".part");
        try {
            if (fs.exists(file)) {
                return;
            }
            ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES);
            bytes.asFloatBuffer().put(values);
            CRC32 crc = new CRC32();
            crc.update(bytes.array());
            try (FSDataOutputStream out = fs.create(part, false)) {
                DataOutputStream data = new DataOutputStream(out);
                data.writeInt(MAGIC);
                data.writeInt(values.length);
                data.write(bytes.array());
                data.writeLong(crc.getValue());
                data.flush();
            }
            fs.mkdirs(file.getParent());
            // The first rename wins; a loser's file holds the same floats and is dropped.
            if (!fs.rename(part, file)) {
                fs.delete(part, false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("solve cache " + file + ": " + e.getMessage(), e);
        }
    }
}

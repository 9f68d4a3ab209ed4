package io.noisesearch.profile;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.search.SolveCache;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * A {@link SolveCache} in a folder, shared by every configuration of a sweep and by later sweeps on the same folder.
 * Each process appends to a file of its own ({@code solves-PID-ID.bin}), so processes sharing the folder never write
 * the same file; on opening, every file's records are indexed. A file starts with a header (magic, format version);
 * each record is its length, its bytes (kind, the row's key fields, floats) and their CRC-32, so a tail torn by a kill
 * or a damaged record ends that file's reading with one warning, and the records before it still serve. Scores are
 * kept in memory; solved rows stay on disk and are read on a hit (the index holds where).
 */
public final class DiskCache implements SolveCache, AutoCloseable {

    static final String PREFIX = "solves-";
    static final String SUFFIX = ".bin";
    static final byte[] MAGIC = "NSCACHE\n".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    private static final int HEADER = MAGIC.length + Integer.BYTES;
    private static final byte ROW = 1;
    private static final byte SCORES = 2;
    /** A record longer than this is damage, not data (a row of a 4096-dim model is 16 KiB). */
    private static final int MAX_RECORD = 64 << 20;

    private record Location(FileChannel file, long offset, int floats) {
    }

    private record ScoreKey(Row row, String verifier) {
    }

    private final Path folder;
    private final Consumer<String> warnings;
    private final Map<Row, Location> rows = new ConcurrentHashMap<>();
    private final Map<ScoreKey, float[]> scores = new ConcurrentHashMap<>();
    private final List<FileChannel> readers = new ArrayList<>();
    /** This process's file, created on the first write. */
    private FileChannel writer;
    private FileChannel ownReader;
    private long writePosition;

    private DiskCache(Path folder, Consumer<String> warnings) {
        this.folder = folder;
        this.warnings = warnings;
    }

    /**
     * Opens (creating it if needed) the cache folder and indexes the records of every cache file in it; files and
     * records it cannot read are reported to {@code warnings} in one line each and left out.
     *
     * @param option the option that named the folder, for the messages
     */
    public static DiskCache open(Path folder, String option, Consumer<String> warnings) {
        if (Files.exists(folder) && !Files.isDirectory(folder)) {
            throw new InvalidRequestException(option + " " + folder + " exists and is not a folder");
        }
        DiskCache cache = new DiskCache(folder, warnings);
        try {
            Files.createDirectories(folder);
            List<Path> files;
            try (Stream<Path> entries = Files.list(folder)) {
                files = entries.filter(p -> p.getFileName().toString().startsWith(PREFIX)
                        && p.getFileName().toString().endsWith(SUFFIX) && Files.isRegularFile(p)).sorted().toList();
            }
            for (Path file : files) {
                cache.index(file);
            }
        } catch (IOException | SecurityException e) {
            cache.close();
            throw new InvalidRequestException(option + " " + folder + " is not readable and writable (" + e + ")", e);
        }
        return cache;
    }

    public Path folder() {
        return folder;
    }

    /** Solved rows indexed (from every file, this process's included). */
    public int rows() {
        return rows.size();
    }

    /** Rows of scores held. */
    public int scoreRows() {
        return scores.size();
    }

    private void index(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        readers.add(channel);
        long size = channel.size();
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        if (!readFully(channel, header, 0) || !header.slice(0, MAGIC.length).equals(ByteBuffer.wrap(MAGIC))
                || header.getInt(MAGIC.length) != VERSION) {
            warnings.accept("cache file " + file + " is not a noisesearch cache file of format " + VERSION
                    + "; ignored");
            return;
        }
        long position = HEADER;
        ByteBuffer length = ByteBuffer.allocate(Integer.BYTES);
        while (position < size) {
            length.clear();
            if (!readFully(channel, length, position)) {
                warnTorn(file, position);
                return;
            }
            int bytes = length.getInt(0);
            if (bytes <= 0 || bytes > MAX_RECORD || position + Integer.BYTES + bytes + Integer.BYTES > size) {
                warnTorn(file, position);
                return;
            }
            ByteBuffer record = ByteBuffer.allocate(bytes + Integer.BYTES);
            if (!readFully(channel, record, position + Integer.BYTES)) {
                warnTorn(file, position);
                return;
            }
            CRC32 crc = new CRC32();
            crc.update(record.array(), 0, bytes);
            if ((int) crc.getValue() != record.getInt(bytes) || !decode(channel, record.slice(0, bytes),
                    position + Integer.BYTES)) {
                warnTorn(file, position);
                return;
            }
            position += Integer.BYTES + bytes + Integer.BYTES;
        }
    }

    private void warnTorn(Path file, long position) {
        warnings.accept("cache file " + file + ": the record at byte " + position + " is torn or damaged; the"
                + " records from there on are ignored");
    }

    /** Indexes one checked record that starts at {@code offset} of the file; false when its fields make no sense. */
    private boolean decode(FileChannel channel, ByteBuffer in, long offset) {
        try {
            byte kind = in.get();
            Row row = readRow(in);
            String verifier = kind == SCORES ? readString(in) : null;
            int floats = in.getInt();
            if ((kind != ROW && kind != SCORES) || floats < 0 || in.remaining() != 4L * floats) {
                return false;
            }
            if (kind == ROW) {
                rows.putIfAbsent(row, new Location(channel, offset + in.position(), floats));
            } else {
                float[] values = new float[floats];
                in.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
                scores.putIfAbsent(new ScoreKey(row, verifier), values);
            }
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Override
    public float[] row(Row row) {
        Location at = rows.get(row);
        if (at == null) {
            return null;
        }
        ByteBuffer bytes = ByteBuffer.allocate(4 * at.floats());
        String failure;
        try {
            failure = readFully(at.file(), bytes, at.offset()) ? null : "the file ends inside a record it indexed";
        } catch (IOException e) {
            failure = e.toString();
        }
        if (failure != null) {
            // Someone cut the file after it was indexed: a miss, solved again (and written to this process's file).
            rows.remove(row, at);
            warnings.accept("cache in " + folder + ": a record can no longer be read (" + failure + "); solving"
                    + " it again");
            return null;
        }
        float[] values = new float[at.floats()];
        bytes.flip().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        return values;
    }

    @Override
    public void putRow(Row row, float[] values) {
        if (rows.containsKey(row)) {
            return;
        }
        synchronized (this) {
            if (rows.containsKey(row)) {
                return;
            }
            long floatsAt = append(ROW, row, null, values);
            rows.put(row, new Location(ownReader, floatsAt, values.length));
        }
    }

    @Override
    public float[] scores(Row sample, String verifier) {
        float[] held = scores.get(new ScoreKey(sample, verifier));
        return held == null ? null : held.clone();
    }

    @Override
    public void putScores(Row sample, String verifier, float[] memberScores) {
        ScoreKey key = new ScoreKey(sample, verifier);
        if (scores.containsKey(key)) {
            return;
        }
        synchronized (this) {
            if (scores.putIfAbsent(key, memberScores.clone()) == null) {
                append(SCORES, sample, verifier, memberScores);
            }
        }
    }

    /** Appends one record to this process's file; returns where its floats start. Called holding the lock. */
    private long append(byte kind, Row row, String verifier, float[] values) {
        try {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(buffer);
            out.writeByte(kind);
            writeRow(out, row);
            if (verifier != null) {
                writeString(out, verifier);
            }
            out.writeInt(values.length);
            int floatsStart = out.size();
            ByteBuffer floats = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
            floats.asFloatBuffer().put(values);
            out.write(floats.array());
            out.flush();
            byte[] payload = buffer.toByteArray();
            CRC32 crc = new CRC32();
            crc.update(payload);
            ByteBuffer record = ByteBuffer.allocate(Integer.BYTES + payload.length + Integer.BYTES);
            record.putInt(payload.length).put(payload).putInt((int) crc.getValue()).flip();
            FileChannel file = writer();
            long start = writePosition;
            while (record.hasRemaining()) {
                writePosition += file.write(record, writePosition);
            }
            return start + Integer.BYTES + floatsStart;
        } catch (IOException e) {
            throw new UncheckedIOException("writing the cache in " + folder + ": " + e.getMessage(), e);
        }
    }

    private FileChannel writer() throws IOException {
        if (writer == null) {
            Path file = folder.resolve(PREFIX + ProcessHandle.current().pid() + "-"
                    + UUID.randomUUID().toString().substring(0, 8) + SUFFIX);
            writer = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            ByteBuffer header = ByteBuffer.allocate(HEADER).put(MAGIC).putInt(VERSION).flip();
            while (header.hasRemaining()) {
                writePosition += writer.write(header, writePosition);
            }
            ownReader = FileChannel.open(file, StandardOpenOption.READ);
            readers.add(ownReader);
        }
        return writer;
    }

    private static void writeRow(DataOutputStream out, Row row) throws IOException {
        writeString(out, row.model());
        out.writeInt(row.label());
        out.writeLong(row.seed());
        out.writeLong(row.key());
        writeString(out, row.solver().tag());
        out.writeInt(row.solver().steps());
        out.writeDouble(row.guidance());
        out.writeDouble(row.at());
    }

    private static Row readRow(ByteBuffer in) {
        String model = readString(in);
        int label = in.getInt();
        long seed = in.getLong();
        long key = in.getLong();
        String tag = readString(in);
        SolverSettings solver = SolverSettings.parseTag(tag, in.getInt());
        return new Row(model, label, seed, key, solver, in.getDouble(), in.getDouble());
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static String readString(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new IllegalArgumentException("a string of " + length + " bytes");
        }
        byte[] bytes = new byte[length];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Reads until {@code buffer} is full; false when the file ends first. */
    private static boolean readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                return false;
            }
            at += n;
        }
        return true;
    }

    @Override
    public synchronized void close() {
        for (FileChannel channel : readers) {
            closeQuietly(channel);
        }
        readers.clear();
        if (writer != null) {
            closeQuietly(writer);
            writer = null;
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // Nothing of the cache is lost: every record was written when it was appended.
        }
    }
}

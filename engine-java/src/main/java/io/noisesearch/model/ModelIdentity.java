package io.noisesearch.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.stream.Stream;

/**
 * What a model computes, as a SHA-256 in hex: for a model with a folder, of every regular file in it (manifest, model
 * file, external data and whatever lies beside them), names included; for an exact mixture, of its shape and defining
 * parameters. The runtime that opened it is part of it (ONNX Runtime on the CPU and a TensorRT plan differ in the last
 * bits). Computed once per opened model.
 */
public final class ModelIdentity {

    private static final Map<Object, String> KNOWN = new WeakHashMap<>();

    private ModelIdentity() {
    }

    /** The identity of a denoiser or image model (models opened by one loader are kept, so this hashes once). */
    public static String of(Object model) {
        synchronized (KNOWN) {
            String known = KNOWN.get(model);
            if (known != null) {
                return known;
            }
        }
        String computed = compute(model);
        synchronized (KNOWN) {
            KNOWN.put(model, computed);
        }
        return computed;
    }

    private static String compute(Object model) {
        MessageDigest digest = sha256();
        text(digest, model.getClass().getName());
        switch (model) {
            case TrainedModel trained -> folder(digest, trained.folder());
            case MixtureDenoiser mixture -> mixture(digest, mixture.info(), mixture.mixture());
            default -> throw new IllegalArgumentException("no identity for " + model.getClass().getName());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Every regular file of the folder in name order: its name, its length, its bytes. */
    static void folder(MessageDigest digest, Path folder) {
        try (Stream<Path> entries = Files.list(folder)) {
            List<Path> files = entries.filter(Files::isRegularFile).sorted().toList();
            byte[] buffer = new byte[1 << 16];
            for (Path file : files) {
                text(digest, file.getFileName().toString());
                digest.update(longBytes(Files.size(file)));
                try (InputStream in = Files.newInputStream(file)) {
                    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                        digest.update(buffer, 0, n);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading model folder " + folder + ": " + e.getMessage(), e);
        }
    }

    private static void mixture(MessageDigest digest, ModelInfo info, GaussianMixture m) {
        text(digest, info.toString());
        digest.update(longBytes(m.dim()));
        digest.update(longBytes(m.classes()));
        for (float[] mean : m.means()) {
            floats(digest, mean);
        }
        floats(digest, m.variances());
        floats(digest, m.weights());
        for (int c : m.classOf()) {
            digest.update(longBytes(c));
        }
    }

    private static void floats(MessageDigest digest, float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            bytes.putInt(Float.floatToRawIntBits(v));
        }
        digest.update(longBytes(values.length));
        digest.update(bytes.array());
    }

    private static void text(MessageDigest digest, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        digest.update(longBytes(bytes.length));
        digest.update(bytes);
    }

    private static byte[] longBytes(long v) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}

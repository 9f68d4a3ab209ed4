package io.noisesearch.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What a model computes, as a SHA-256 in hex: for a model with a folder, of every regular file in it (manifest, model
 * file, external data and whatever lies beside them) and of its runtime files (a TensorRT plan), names included; for
 * an exact mixture, of its shape and defining parameters. The class that runs it is part of it (ONNX Runtime on the
 * CPU and a TensorRT plan differ in the last bits), and so is the precision of a trained model run from a variant
 * file (the folder holds both files). Computed once per model object.
 */
public final class ModelIdentity {

    /** Identities computed, by the model object itself (not its equals), dropped when the model is collected. */
    private static final Map<Known, String> KNOWN = new HashMap<>();
    private static final ReferenceQueue<Object> COLLECTED = new ReferenceQueue<>();

    /** A weak reference to a model, equal to another only for the same object. */
    private static final class Known extends WeakReference<Object> {
        private final int hash;

        Known(Object model, ReferenceQueue<Object> queue) {
            super(model, queue);
            hash = System.identityHashCode(model);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Known k && (this == k || (get() != null && get() == k.get()));
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private ModelIdentity() {
    }

    /** The identity of a denoiser or image model, hashed once per model object. */
    public static String of(Object model) {
        synchronized (KNOWN) {
            for (Reference<?> gone = COLLECTED.poll(); gone != null; gone = COLLECTED.poll()) {
                KNOWN.remove(gone);
            }
            String known = KNOWN.get(new Known(model, null));
            if (known != null) {
                return known;
            }
        }
        String computed = compute(model);
        synchronized (KNOWN) {
            KNOWN.put(new Known(model, COLLECTED), computed);
        }
        return computed;
    }

    private static String compute(Object model) {
        MessageDigest digest = sha256();
        text(digest, model.getClass().getName());
        switch (model) {
            case TrainedModel trained -> {
                folder(digest, trained.folder());
                if (trained.precision() != Precision.FP32) {
                    text(digest, "precision " + trained.precision().id());
                }
                for (Path file : trained.runtimeFiles()) {
                    text(digest, file.getFileName().toString());
                    bytes(digest, file);
                }
            }
            case MixtureDenoiser mixture -> mixture(digest, mixture.info(), mixture.mixture());
            default -> throw new IllegalArgumentException("no identity for " + model.getClass().getName());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Every regular file of the folder in name order: its name, its length, its bytes. */
    static void folder(MessageDigest digest, Path folder) {
        try (Stream<Path> entries = Files.list(folder)) {
            List<Path> files = entries.filter(Files::isRegularFile).sorted().toList();
            for (Path file : files) {
                text(digest, file.getFileName().toString());
                bytes(digest, file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading model folder " + folder + ": " + e.getMessage(), e);
        }
    }

    /** A file's length and bytes. */
    private static void bytes(MessageDigest digest, Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            digest.update(longBytes(Files.size(file)));
            byte[] buffer = new byte[1 << 16];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading model file " + file + ": " + e.getMessage(), e);
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

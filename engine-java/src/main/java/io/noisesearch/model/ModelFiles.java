package io.noisesearch.model;

import io.noisesearch.InvalidRequestException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A model folder and its checked manifest. */
public record ModelFiles(Path folder, ModelManifest manifest) {

    /** Reads and checks {@code folder/manifest.json}. */
    public static ModelFiles read(Path folder) {
        return new ModelFiles(folder, ModelManifest.read(folder));
    }

    /** The model file the manifest names, confined to the folder. */
    public Path modelFile() {
        return Confined.require(folder, manifest.file(), folder.resolve("manifest.json") + ": field 'file'");
    }

    /** Another graph the manifest names in {@code field} (a text encoder), confined to the folder like the model file. */
    public Path graphFile(String file, String field) {
        return Confined.require(folder, file, folder.resolve("manifest.json") + ": field '" + field + "'");
    }

    /**
     * The model file of {@code precision}: the manifest's {@code file} for fp32, else the file of its variant, confined
     * to the folder; a model without that variant is one line naming {@code --precision}.
     */
    public Path modelFile(Precision precision) {
        if (precision == Precision.FP32) {
            return modelFile();
        }
        ModelManifest.VariantSpec variant = manifest.variant(precision);
        if (variant == null) {
            throw new InvalidRequestException("--precision " + precision + ": model " + manifest.name()
                    + " has no " + precision + " variant (" + folder.resolve("manifest.json")
                    + " names none under 'variants'; scripts/quantize makes one)");
        }
        return Confined.require(folder, variant.file(), folder.resolve("manifest.json") + ": field 'variants."
                + precision + ".file'");
    }

    /**
     * Refuses a model file whose SHA-256 is not the manifest's (changed after it was made, or another file): a
     * variant's always, the fp32 file's where the manifest gives {@code sha256} (other graphs of the folder carry
     * hashes of their own). Checked before ONNX Runtime reads it.
     */
    public void requireIntact(Precision precision, Path file) {
        if (precision == Precision.FP32) {
            if (file.equals(modelFile())) {
                requireHash(file, manifest.sha256(), "sha256");
            }
            return;
        }
        String expected = manifest.variant(precision).sha256();
        String actual = sha256(file);
        if (!expected.equals(actual)) {
            throw new InvalidRequestException(file + ": SHA-256 differs from the manifest's 'variants." + precision
                    + ".sha256' (the file was changed after scripts/quantize wrote it); refusing to run it");
        }
    }

    /** Refuses {@code file} when its SHA-256 is not {@code expected} (the manifest's {@code field}); null: no hash. */
    public void requireHash(Path file, String expected, String field) {
        if (expected != null && !expected.equals(sha256(file))) {
            throw new InvalidRequestException(file + ": SHA-256 differs from the manifest's '" + field + "' (the file"
                    + " was changed after the manifest was written); refusing to run it");
        }
    }

    private static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            throw new InvalidRequestException(file + ": cannot be read (" + e.getClass().getSimpleName() + ")", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}

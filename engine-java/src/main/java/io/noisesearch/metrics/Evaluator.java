package io.noisesearch.metrics;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import io.noisesearch.format.ImageLayout;
import io.noisesearch.format.NpyArray;
import io.noisesearch.format.Npz;
import io.noisesearch.model.ImageModel;
import io.noisesearch.model.ModelManifest;

import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Sample-quality metrics measured by an evaluation network (the Inception analogue): accuracy of the requested class,
 * Inception Score, FID against the reference statistics of real data, and precision / recall (k-NN manifolds, k = 3)
 * against the reference features.
 *
 * <p>The network is an {@link ImageModel} (ONNX Runtime or TensorRT, whatever the engine's backend runs) whose
 * manifest has role {@code evaluator} and outputs {@code logits} [B,C] and {@code features} [B,D]; its folder holds
 * {@code reference.npz} ({@code features} float32 [N,D], {@code labels} int64 [N], made by
 * {@code scripts/train/reference_features.py}). Images go through the network in batches of {@link #BATCH} on the
 * backend. Thread-safe; the model belongs to whoever opened it.
 */
public final class Evaluator {

    /** Nearest neighbours of the precision / recall manifolds. */
    public static final int K = 3;
    /** Images per forward pass. */
    public static final int BATCH = 256;
    public static final String REFERENCE_FILE = "reference.npz";
    static final String LOGITS = "logits";
    static final String FEATURES = "features";

    /**
     * The metrics of a set of images. {@code accuracy}: share whose argmax class is the requested label;
     * {@code perClassAccuracy[c]}: the same over the images requested as class c (NaN when none was).
     */
    public record Evaluation(int count, double accuracy, double inceptionScore, double fid, double precision,
                             double recall, double[] perClassAccuracy) {
    }

    /** The network's outputs for a set of images: softmax class probabilities [n][C] and features [n][D]. */
    public record Outputs(float[][] probabilities, float[][] features) {
    }

    private final ImageModel model;
    private final Backend backend;
    private final ImageLayout layout;
    private final int classes;
    private final int featureDim;
    private final float[][] referenceFeatures;
    private final long[] referenceLabels;
    private final FeatureStatistics referenceStatistics;

    private Evaluator(ImageModel model, Backend backend, float[][] referenceFeatures,
                      long[] referenceLabels) {
        this.model = model;
        this.backend = backend;
        ModelManifest m = model.manifest();
        ModelManifest.SampleSpec sample = m.sample();
        this.layout = new ImageLayout(m.name(), sample.channels(), sample.height(), sample.width(),
                sample.range().get(0).floatValue(), sample.range().get(1).floatValue());
        this.classes = Math.toIntExact(m.output(LOGITS).shape().get(1));
        this.featureDim = Math.toIntExact(m.output(FEATURES).shape().get(1));
        this.referenceFeatures = referenceFeatures;
        this.referenceLabels = referenceLabels;
        this.referenceStatistics = FeatureStatistics.of(referenceFeatures);
    }

    /** The evaluator of an evaluation network on {@code backend}, with the reference data beside the model. */
    public static Evaluator of(ImageModel model, Backend backend) {
        Path folder = model.folder();
        Path referenceFile = folder.resolve(REFERENCE_FILE);
        checkManifest(folder, model.manifest());
        if (!Files.isRegularFile(referenceFile)) {
            throw new InvalidRequestException(referenceFile + ": the reference features of the evaluation model"
                    + " are missing; make them with '/usr/bin/python3 scripts/train/reference_features.py --eval "
                    + folder + "'");
        }
        Npz reference = Npz.read(referenceFile);
        NpyArray features = reference.get(FEATURES, NpyArray.Dtype.FLOAT32, 2);
        NpyArray labels = reference.get("labels", NpyArray.Dtype.INT64, 1);
        long dim = model.manifest().output(FEATURES).shape().get(1);
        if (features.dim(1) != dim) {
            throw new InvalidRequestException(referenceFile + " entry 'features': shape " + features.shapeString()
                    + " but the model's features have " + dim + " dimensions");
        }
        if (labels.dim(0) != features.dim(0)) {
            throw new InvalidRequestException(referenceFile + ": " + labels.dim(0) + " labels for "
                    + features.dim(0) + " feature rows");
        }
        if (features.dim(0) <= K) {
            throw new InvalidRequestException(referenceFile + ": " + features.dim(0)
                    + " reference rows; precision / recall need more than k = " + K);
        }
        return new Evaluator(model, backend, features.float32Rows(), labels.int64());
    }

    private static void checkManifest(Path folder, ModelManifest m) {
        Path file = folder.resolve("manifest.json");
        if (!"evaluator".equals(m.role())) {
            throw new InvalidRequestException(file + ": role is '" + m.role() + "', an evaluation model needs"
                    + " 'evaluator'");
        }
        if (m.inputs().size() != 1 || !"float32".equals(dtype(m.inputs().getFirst()))) {
            throw new InvalidRequestException(file + ": an evaluation model takes one float32 image input, the"
                    + " manifest has " + m.inputs().stream().map(ModelManifest.TensorSpec::name).toList());
        }
        List<Long> in = m.inputs().getFirst().shape();
        List<Long> want = List.of(-1L, (long) m.sample().channels(), (long) m.sample().height(),
                (long) m.sample().width());
        if (in.size() != 4 || !in.subList(1, 4).equals(want.subList(1, 4))) {
            throw new InvalidRequestException(file + ": input '" + m.inputs().getFirst().name() + "' has shape " + in
                    + ", expected " + want + " (the sample shape)");
        }
        for (String name : List.of(LOGITS, FEATURES)) {
            ModelManifest.TensorSpec spec = m.output(name);
            if (spec == null || spec.shape().size() != 2 || spec.shape().get(1) <= 0
                    || !"float32".equals(dtype(spec))) {
                throw new InvalidRequestException(file + ": an evaluation model needs float32 outputs 'logits' [B,C]"
                        + " and 'features' [B,D]; the manifest has "
                        + m.outputs().stream().map(t -> t.name() + " " + t.shape()).toList());
            }
        }
    }

    private static String dtype(ModelManifest.TensorSpec spec) {
        return spec.dtype() == null ? "float32" : spec.dtype();
    }

    /** Probabilities and features of {@code images} [n][C*H*W] (NCHW pixels in the model's range, [-1, 1]). */
    public Outputs run(float[][] images) {
        int pixels = layout.dim();
        for (int i = 0; i < images.length; i++) {
            if (images[i].length != pixels) {
                throw new IllegalArgumentException("image " + i + " has " + images[i].length + " values, the"
                        + " evaluation model " + name() + " takes " + layout.channels() + "x" + layout.height() + "x" + layout.width()
                        + " = "
                        + pixels);
            }
        }
        int n = images.length;
        float[][] probabilities = new float[n][];
        float[][] features = new float[n][];
        try (Kernels kernels = backend.openStream(1)) {
            for (int start = 0; start < n; start += BATCH) {
                int rows = Math.min(BATCH, n - start);
                float[] flat = new float[rows * pixels];
                for (int r = 0; r < rows; r++) {
                    System.arraycopy(images[start + r], 0, flat, r * pixels, pixels);
                }
                try (Arena arena = Arena.ofConfined()) {
                    Outputs part = run(kernels, backend.upload(arena, flat, rows, pixels));
                    System.arraycopy(part.probabilities(), 0, probabilities, start, rows);
                    System.arraycopy(part.features(), 0, features, start, rows);
                }
            }
        }
        return new Outputs(probabilities, features);
    }

    /** Probabilities and features of a batch of samples where the backend keeps them, in the stream's order. */
    public Outputs run(Kernels kernels, Batch samples) {
        List<float[]> out = model.outputs(kernels, samples, List.of(LOGITS, FEATURES));
        int rows = samples.rows();
        float[][] probabilities = new float[rows][];
        float[][] features = new float[rows][];
        for (int r = 0; r < rows; r++) {
            probabilities[r] = InceptionScore.softmax(Arrays.copyOfRange(out.get(0), r * classes, (r + 1) * classes));
            features[r] = Arrays.copyOfRange(out.get(1), r * featureDim, (r + 1) * featureDim);
        }
        return new Outputs(probabilities, features);
    }

    /** The evaluation network's features [n][D] of {@code images}. */
    public float[][] features(float[][] images) {
        return run(images).features();
    }

    /**
     * Every metric of {@code images} [n][C*H*W] in [-1, 1] generated for the classes {@code labels} [n]; n must
     * exceed k = 3 (precision / recall).
     */
    public Evaluation evaluate(float[][] images, long[] labels) {
        if (images.length != labels.length) {
            throw new IllegalArgumentException(images.length + " images but " + labels.length + " labels");
        }
        if (images.length <= K) {
            throw new IllegalArgumentException("evaluation needs more than " + K + " images (precision / recall use"
                    + " k = " + K + " nearest neighbours), got " + images.length);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("label " + labels[i] + " at index " + i + " is outside 0.."
                        + (classes - 1) + " (the classes of " + name() + ")");
            }
        }
        Outputs outputs = run(images);
        return evaluate(outputs, labels);
    }

    /** The metrics of outputs already computed by {@link #run}. */
    public Evaluation evaluate(Outputs outputs, long[] labels) {
        float[][] probabilities = outputs.probabilities();
        int n = probabilities.length;
        int correct = 0;
        int[] requested = new int[classes];
        int[] right = new int[classes];
        for (int i = 0; i < n; i++) {
            int label = (int) labels[i];
            requested[label]++;
            if (argmax(probabilities[i]) == label) {
                correct++;
                right[label]++;
            }
        }
        double[] perClass = new double[classes];
        for (int c = 0; c < classes; c++) {
            perClass[c] = requested[c] == 0 ? Double.NaN : (double) right[c] / requested[c];
        }
        PrecisionRecall.Result pr = PrecisionRecall.of(referenceFeatures, outputs.features(), K);
        return new Evaluation(n, (double) correct / n, InceptionScore.of(probabilities), fid(outputs.features()),
                pr.precision(), pr.recall(), perClass);
    }

    /** FID of a feature set [n][D] (n >= 2) against the reference statistics. */
    public double fid(float[][] features) {
        return FrechetDistance.between(FeatureStatistics.of(features), referenceStatistics);
    }

    static int argmax(float[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return best;
    }

    public String name() {
        return model.manifest().name();
    }

    public ModelManifest manifest() {
        return model.manifest();
    }

    public int classes() {
        return classes;
    }

    public int featureDim() {
        return featureDim;
    }

    /** The samples the network takes: shape and value range (the model's manifest). */
    public ImageLayout layout() {
        return layout;
    }

    /** Mean and covariance of the reference features (the real side of FID). */
    public FeatureStatistics referenceStatistics() {
        return referenceStatistics;
    }

    /** The reference features [N][D] (shared: do not modify). */
    public float[][] referenceFeatures() {
        return referenceFeatures;
    }

    public long[] referenceLabels() {
        return referenceLabels.clone();
    }

    @Override
    public String toString() {
        return "Evaluator[" + name() + ", " + referenceFeatures.length + " reference rows, " + classes + " classes, "
                + featureDim + " features]";
    }
}

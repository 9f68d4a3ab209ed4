package io.noisesearch.tensorrt;

import io.noisesearch.backend.Backend;
import io.noisesearch.backend.CudaInterop;
import io.noisesearch.model.ModelRepository;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Where the TensorRT plan of a model lives: {@code <root>/<gpu>-trt<version>/<model>.plan}, with {@code <gpu>} the
 * device's CUDA name in lower case with every run of other characters than letters and digits made one '-'
 * ("NVIDIA H100 80GB HBM3" -> "nvidia-h100-80gb-hbm3") and {@code <version>} TensorRT's "major.minor.patch". A plan
 * runs only on the GPU model and TensorRT version that built it, hence one folder per pair;
 * tensorrt-plans/build-plans.sh writes the same names. The root is the system property {@code noisesearch.plans},
 * else the folder {@code plans} beside the models' root (tensorrt-plans/plans for tensorrt-plans/models).
 */
public record PlanLocator(Path root) {

    /** A plan found, or why there is none (one line). */
    public record Lookup(Path plan, String missing) {
        public boolean found() {
            return plan != null;
        }
    }

    /** The plans of the models in {@code repository}. */
    public static PlanLocator forModels(ModelRepository repository) {
        String configured = System.getProperty("noisesearch.plans");
        Path root = configured != null ? Path.of(configured)
                : repository.root().toAbsolutePath().normalize().resolveSibling("plans");
        return new PlanLocator(root);
    }

    /** The folder of plans built on GPU {@code gpuName} with TensorRT {@code version}. */
    public static String folderName(String gpuName, String version) {
        String gpu = gpuName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
        return gpu + "-trt" + version;
    }

    /** Where the plan of the model in {@code modelFolder} is, for GPU {@code gpuName} and TensorRT {@code version}. */
    public Path plan(String gpuName, String version, Path modelFolder) {
        return root.resolve(folderName(gpuName, version)).resolve(modelFolder.getFileName() + ".plan");
    }

    /**
     * The plan of the model in {@code modelFolder} for the backend's GPU and the TensorRT of this process. TensorRT is
     * loaded only when the plans folder exists.
     */
    public Lookup find(Backend backend, Path modelFolder) {
        if (!backend.name().equals("cuda")) {
            return new Lookup(null, "TensorRT plans run on the cuda backend, not " + backend.name());
        }
        if (!Files.isDirectory(root)) {
            return new Lookup(null, "no TensorRT plans folder " + root);
        }
        if (TensorRt.absence().isPresent()) {
            return new Lookup(null, TensorRt.absence().get());
        }
        Path plan = plan(CudaInterop.deviceName(backend), TensorRt.version(), modelFolder);
        return Files.isRegularFile(plan) ? new Lookup(plan, null) : new Lookup(null, "no TensorRT plan " + plan);
    }
}

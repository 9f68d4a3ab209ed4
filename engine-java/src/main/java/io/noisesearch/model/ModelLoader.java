package io.noisesearch.model;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.backend.Backend;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Opens models by name, once each, and keeps them until closed: the exact mixtures from {@link BuiltinModels}, and
 * trained model folders with the first of its runtimes that can run them on the backend. The models a trained
 * denoiser's manifest names for verifier roles (classifier, ssl, evaluator) are image models opened the same way.
 * Thread-safe.
 */
public final class ModelLoader implements AutoCloseable {

    private final Backend backend;
    private final ModelRepository repository;
    private final List<ModelRuntime> runtimes;
    private final Precision precision;
    private final Arena arena = Arena.ofShared();
    private final Map<String, Denoiser> denoisers = new ConcurrentHashMap<>();
    private final Map<Path, ImageModel> imageModels = new ConcurrentHashMap<>();

    /** {@code runtimes}: asked in this order; the first that can run a folder opens it. Denoisers in fp32. */
    public ModelLoader(Backend backend, ModelRepository repository, List<ModelRuntime> runtimes) {
        this(backend, repository, runtimes, Precision.FP32);
    }

    /** {@code precision}: the model file every trained denoiser runs from (image models always run in fp32). */
    public ModelLoader(Backend backend, ModelRepository repository, List<ModelRuntime> runtimes, Precision precision) {
        this.backend = backend;
        this.repository = repository;
        this.runtimes = List.copyOf(runtimes);
        this.precision = precision;
    }

    public ModelRepository repository() {
        return repository;
    }

    /** The named denoiser: a built-in mixture, or a folder of the repository. */
    public Denoiser denoiser(String name) {
        return denoisers.computeIfAbsent(name, this::openDenoiser);
    }

    private Denoiser openDenoiser(String name) {
        if (BuiltinModels.isBuiltin(name)) {
            if (precision != Precision.FP32) {
                throw new InvalidRequestException("--precision " + precision + ": model " + name + " is an exact"
                        + " Gaussian mixture, computed in fp32 only; " + precision + " is for trained models with an "
                        + precision + " variant");
            }
            return BuiltinModels.open(name, backend, arena);
        }
        Path folder = repository.folder(name);
        return runtimeFor(folder, "--model " + name).denoiser(folder, precision);
    }

    /** The image model in {@code folder} (an evaluation network named on the command line). */
    public ImageModel imageModel(Path folder) {
        return imageModel(folder, "the model " + folder.getFileName());
    }

    /** The image model a trained denoiser's manifest names for {@code role}. */
    public ImageModel auxiliary(Denoiser model, String role) {
        Path folder = auxiliaryFolder(model, role);
        return imageModel(folder, "--verifier: the " + role + " model " + folder.getFileName());
    }

    private ImageModel imageModel(Path folder, String subject) {
        return imageModels.computeIfAbsent(folder.toAbsolutePath().normalize(),
                f -> runtimeFor(f, subject).imageModel(f));
    }

    /**
     * The decoder of a latent model (its manifest's {@code decoder}, a folder beside it), opened once; null for a model
     * whose samples are its images.
     */
    public ImageModel decoder(Denoiser model) {
        if (!(model instanceof TrainedModel trained) || trained.manifest().decoder() == null) {
            return null;
        }
        Path folder = repository.sibling(trained.folder(), trained.manifest().decoder()).toAbsolutePath().normalize();
        ImageModel decoder = imageModel(folder, "model " + model.info().name() + ": its decoder " + folder.getFileName());
        if (!"decoder".equals(decoder.manifest().role())) {
            throw new InvalidRequestException(trained.folder().resolve("manifest.json") + ": field 'decoder' names "
                    + folder.getFileName() + ", whose role is '" + decoder.manifest().role() + "', not 'decoder'");
        }
        return decoder;
    }

    /** The folder of the model a trained denoiser's manifest names for {@code role} (nothing is opened). */
    public Path auxiliaryFolder(Denoiser model, String role) {
        if (!(model instanceof TrainedModel trained)) {
            throw new InvalidRequestException("--verifier: model " + model.info().name() + " has no " + role + " model");
        }
        Map<String, String> named = trained.manifest().verifiers();
        String name = named == null ? null : named.get(role);
        if (name == null) {
            throw new InvalidRequestException(trained.folder().resolve("manifest.json")
                    + ": names no model for the " + role + " role (field 'verifiers')");
        }
        return repository.sibling(trained.folder(), name).toAbsolutePath().normalize();
    }

    /** The first runtime that runs {@code folder} here; else one line with every runtime's reason. */
    private ModelRuntime runtimeFor(Path folder, String subject) {
        List<String> reasons = new ArrayList<>();
        for (ModelRuntime runtime : runtimes) {
            String why = runtime.unavailable(folder);
            if (why == null) {
                return runtime;
            }
            reasons.add(why);
        }
        throw new InvalidRequestException(subject + ": " + (reasons.isEmpty() ? "no model runtime"
                : String.join(", and ", reasons)));
    }

    /** Releases the runtimes' shared state, then every model opened. No call may be running. */
    @Override
    public void close() {
        runtimes.forEach(ModelRuntime::close);
        denoisers.values().forEach(Denoiser::close);
        denoisers.clear();
        imageModels.values().forEach(ImageModel::close);
        imageModels.clear();
        arena.close();
    }
}

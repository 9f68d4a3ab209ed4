package io.noisesearch.verify;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.model.Denoiser;
import io.noisesearch.model.ImageModel;
import io.noisesearch.model.MixtureDenoiser;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Builds a verifier from its command-line name. Exact mixture models: {@code oracle}, {@code posterior}.
 * Trained models: {@code classifier}, {@code ssl} (or {@code ssl@T}: capture at t = T), {@code oracle-is}, each on
 * the model its denoiser's manifest names for that role. Any model: {@code ensemble:a,b,...}.
 */
public final class Verifiers {

    public static final List<String> MIXTURE = List.of("oracle", "posterior");
    public static final List<String> TRAINED = List.of("classifier", "ssl", "oracle-is");
    /** Every verifier name: the mixture verifiers, the trained-model ones and the FID oracle of generate. */
    public static final List<String> NAMES = java.util.stream.Stream.of(MIXTURE, TRAINED, List.of("oracle-fid", "none"))
            .flatMap(List::stream).toList();

    private Verifiers() {
    }

    /** For exact mixture models, which need no auxiliary models. */
    public static Verifier create(String spec, Denoiser model) {
        return create(spec, model, role -> {
            throw new InvalidRequestException("--verifier: model " + model.info().name() + " has no " + role + " model");
        });
    }

    /** {@code auxiliary} opens the model of a role ("classifier", "ssl", "evaluator") for the denoiser. */
    public static Verifier create(String spec, Denoiser model, Function<String, ImageModel> auxiliary) {
        if (spec == null || spec.isBlank()) {
            throw new InvalidRequestException("--verifier is empty");
        }
        if (spec.startsWith("ensemble:")) {
            List<Verifier> members = new ArrayList<>();
            for (String part : spec.substring("ensemble:".length()).split(",")) {
                if (part.startsWith("ensemble")) {
                    throw new InvalidRequestException("--verifier: ensembles cannot nest ('" + spec + "')");
                }
                members.add(create(part.trim(), model, auxiliary));
            }
            if (members.size() < 2) {
                throw new InvalidRequestException("--verifier: an ensemble needs at least two members ('" + spec + "')");
            }
            return new EnsembleVerifier(members);
        }
        if (spec.startsWith("ssl@")) {
            return new FeatureSimilarityVerifier(auxiliary.apply("ssl"), captureTime(spec));
        }
        return switch (spec) {
            case "none" -> new NoVerifier();
            case "oracle" -> new MixtureLogDensityVerifier(MixtureLogDensityVerifier.Kind.ORACLE, mixture(spec, model));
            case "posterior" -> new MixtureLogDensityVerifier(MixtureLogDensityVerifier.Kind.POSTERIOR, mixture(spec, model));
            case "classifier" -> new ClassifierVerifier(ClassifierVerifier.Kind.CLASSIFIER, auxiliary.apply("classifier"));
            case "oracle-is" -> new ClassifierVerifier(ClassifierVerifier.Kind.ORACLE_IS, auxiliary.apply("evaluator"));
            case "ssl" -> new FeatureSimilarityVerifier(auxiliary.apply("ssl"));
            case "oracle-fid" -> throw new InvalidRequestException("--verifier oracle-fid scores candidates against the"
                    + " samples a generate run has already chosen: use it with the generate command");
            default -> throw new InvalidRequestException("--verifier: unknown verifier '" + spec + "' (expected "
                    + String.join(", ", MIXTURE) + " for mixture models, " + String.join(", ", TRAINED)
                    + " for trained models (ssl@T captures at t = T), none, or ensemble:a,b,...)");
        };
    }

    /** T of {@code ssl@T}: a number strictly between 0 and 1. */
    private static double captureTime(String spec) {
        String text = spec.substring("ssl@".length());
        double t;
        try {
            t = Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("--verifier " + spec + ": '" + text + "' is not a capture time");
        }
        if (!(t > 0 && t < 1)) {
            throw new InvalidRequestException("--verifier " + spec + ": the capture time must lie strictly between 0"
                    + " and 1");
        }
        return t;
    }

    private static MixtureDenoiser mixture(String spec, Denoiser model) {
        if (model instanceof MixtureDenoiser mixture) {
            return mixture;
        }
        throw new InvalidRequestException("--verifier " + spec + " needs an exact mixture model, not "
                + model.info().name() + " (trained models take " + String.join(", ", TRAINED) + ")");
    }
}

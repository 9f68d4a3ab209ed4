package io.noisesearch.verify;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.model.Denoiser;
import io.noisesearch.model.ImageModel;
import io.noisesearch.model.MixtureDenoiser;
import io.noisesearch.model.TextDenoiser;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Builds a verifier from its command-line name. Exact mixture models: {@code oracle}, {@code posterior}.
 * Trained models: {@code classifier}, {@code ssl} (or {@code ssl@T}: capture at t = T), {@code oracle-is}, each on
 * the model its denoiser's manifest names for that role. Text models (docs/t2i-verifiers.md): {@code clip},
 * {@code aesthetic}, {@code reward}, {@code grader} (or {@code grader@aspect=w,...}), each on the model the manifest
 * names for its role. Any image model: {@code remote:URL} (an HTTP endpoint), {@code ensemble:a,b=2,...} (a rank
 * ensemble, weights optional).
 */
public final class Verifiers {

    public static final List<String> MIXTURE = List.of("oracle", "posterior");
    public static final List<String> TRAINED = List.of("classifier", "ssl", "oracle-is");
    /** The verifiers of text-conditioned models: they read the decoded image and (but aesthetic) the caption. */
    public static final List<String> TEXT = List.of("clip", "aesthetic", "reward", "grader");
    /** Every verifier name: the mixture verifiers, the trained-model ones and the FID oracle of generate. */
    public static final List<String> NAMES = java.util.stream.Stream.of(MIXTURE, TRAINED, TEXT,
                    List.of("oracle-fid", "none")).flatMap(List::stream).toList();

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
        return create(spec, model, auxiliary, null);
    }

    /**
     * As {@link #create(String, Denoiser, Function)}; {@code images} (null: none) lets {@code remote:URL} read the
     * scored images on the host.
     */
    public static Verifier create(String spec, Denoiser model, Function<String, ImageModel> auxiliary,
                                  ImageAccess images) {
        if (spec == null || spec.isBlank()) {
            throw new InvalidRequestException("--verifier is empty");
        }
        if (spec.startsWith("ensemble:")) {
            return ensemble(spec, model, auxiliary, images);
        }
        if (spec.startsWith(RemoteVerifier.PREFIX)) {
            URI endpoint = RemoteVerifier.endpoint(spec);
            if (images == null) {
                throw new InvalidRequestException("--verifier " + spec + ": remote verifiers run inside a search of the"
                        + " engine only");
            }
            return new RemoteVerifier(endpoint, images, model.info().name(), RemoteVerifier.Settings.current());
        }
        String base = spec.startsWith("grader@") ? "grader" : spec;
        boolean text = model instanceof TextDenoiser;
        if (TEXT.contains(base) && !text) {
            throw new InvalidRequestException("--verifier " + spec + " is a verifier of text-conditioned models; model "
                    + model.info().name() + " is class-conditional (its verifiers: " + String.join(", ",
                    model instanceof MixtureDenoiser ? MIXTURE : TRAINED) + ")");
        }
        if (text && (MIXTURE.contains(base) || TRAINED.contains(base) || base.startsWith("ssl@"))) {
            throw new InvalidRequestException("--verifier " + spec + " scores class samples; model " + model.info().name()
                    + " is text-conditioned (its verifiers: " + String.join(", ", TEXT) + ", or an ensemble of them)");
        }
        if (spec.startsWith("grader@")) {
            return new GraderVerifier(auxiliary.apply("grader"), GraderVerifier.weights(spec), spec);
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
            case "clip" -> new CaptionVerifier(CaptionVerifier.Kind.CLIP, auxiliary.apply("clip"));
            case "reward" -> new CaptionVerifier(CaptionVerifier.Kind.REWARD, auxiliary.apply("reward"));
            case "aesthetic" -> new CaptionVerifier(CaptionVerifier.Kind.AESTHETIC, auxiliary.apply("aesthetic"));
            case "grader" -> new GraderVerifier(auxiliary.apply("grader"), GraderVerifier.weights(spec), spec);
            case "oracle-fid" -> throw new InvalidRequestException("--verifier oracle-fid scores candidates against the"
                    + " samples a generate run has already chosen: use it with the generate command");
            default -> throw new InvalidRequestException("--verifier: unknown verifier '" + spec + "' (expected "
                    + String.join(", ", MIXTURE) + " for mixture models, " + String.join(", ", TRAINED)
                    + " for trained models (ssl@T captures at t = T), " + String.join(", ", TEXT) + " for text models"
                    + " (grader@aspect=w,...), none, remote:URL, or ensemble:a,b=2,...)");
        };
    }

    /**
     * {@code ensemble:a,b=2,c=0.5}: members split at commas ({@link #ensembleParts}), each with an optional weight
     * after its last {@code =} (a finite positive number; 1 where none is given). A remote member's URL may hold
     * {@code =} in its query: there the text after the last {@code =} is a weight only where it is a number, so such a
     * URL ending in a number needs an explicit weight ({@code remote:http://h/s?v=2=1}). A {@code grader@...}
     * member's {@code =} are its aspects' weights: it takes no ensemble weight (its aspects' weights scale nothing
     * across members, since the ensemble combines ranks).
     */
    private static Verifier ensemble(String spec, Denoiser model, Function<String, ImageModel> auxiliary,
                                     ImageAccess images) {
        List<Verifier> members = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        for (String part : ensembleParts(spec.substring("ensemble:".length()))) {
            String member = part.trim();
            if (member.startsWith("ensemble")) {
                throw new InvalidRequestException("--verifier: ensembles cannot nest ('" + spec + "')");
            }
            double weight = 1;
            int at = member.lastIndexOf('=');
            if (at >= 0 && !member.startsWith("grader@")) {
                String text = member.substring(at + 1).strip();
                Double parsed = number(text);
                if (parsed != null || !member.startsWith(RemoteVerifier.PREFIX)) {
                    if (parsed == null || !(parsed > 0) || parsed.isInfinite()) {
                        throw new InvalidRequestException("--verifier " + spec + ": the weight of member '"
                                + member.substring(0, at) + "' must be a finite positive number, got '" + text + "'");
                    }
                    weight = parsed;
                    member = member.substring(0, at).strip();
                }
            }
            if (member.isEmpty()) {
                throw new InvalidRequestException("--verifier " + spec + ": an ensemble member is empty");
            }
            members.add(create(member, model, auxiliary, images));
            weights.add(weight);
        }
        if (members.size() < 2) {
            throw new InvalidRequestException("--verifier: an ensemble needs at least two members ('" + spec + "')");
        }
        return new EnsembleVerifier(members, weights.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static Double number(String text) {
        try {
            return Double.valueOf(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * An ensemble's members, split at commas; {@code aspect=w} parts after a {@code grader@...} member are that
     * member's weights ({@code ensemble:clip,grader@count=2,spatial=1}).
     */
    static List<String> ensembleParts(String list) {
        List<String> parts = new ArrayList<>();
        for (String part : list.split(",", -1)) {
            String trimmed = part.trim();
            int eq = trimmed.indexOf('=');
            boolean aspect = eq > 0 && GraderVerifier.ASPECTS.contains(trimmed.substring(0, eq).trim());
            if (aspect && !parts.isEmpty() && parts.getLast().startsWith("grader@")) {
                parts.set(parts.size() - 1, parts.getLast() + "," + trimmed);
            } else {
                parts.add(trimmed);
            }
        }
        return parts;
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

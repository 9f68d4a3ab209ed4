package io.noisesearch.verify;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.model.Denoiser;
import io.noisesearch.model.MixtureDenoiser;

import java.util.ArrayList;
import java.util.List;

/** Builds a verifier from its command-line name: {@code oracle}, {@code posterior}, {@code ensemble:a,b,...}. */
public final class Verifiers {

    private Verifiers() {
    }

    public static Verifier create(String spec, Denoiser model) {
        if (spec == null || spec.isBlank()) {
            throw new InvalidRequestException("--verifier is empty");
        }
        if (spec.startsWith("ensemble:")) {
            List<Verifier> members = new ArrayList<>();
            for (String part : spec.substring("ensemble:".length()).split(",")) {
                if (part.startsWith("ensemble")) {
                    throw new InvalidRequestException("--verifier: ensembles cannot nest ('" + spec + "')");
                }
                members.add(create(part.trim(), model));
            }
            if (members.size() < 2) {
                throw new InvalidRequestException("--verifier: an ensemble needs at least two members ('" + spec + "')");
            }
            return new EnsembleVerifier(members);
        }
        return switch (spec) {
            case "oracle" -> new MixtureLogDensityVerifier(MixtureLogDensityVerifier.Kind.ORACLE, mixture(spec, model));
            case "posterior" -> new MixtureLogDensityVerifier(MixtureLogDensityVerifier.Kind.POSTERIOR, mixture(spec, model));
            default -> throw new InvalidRequestException("--verifier: unknown verifier '" + spec
                    + "' (expected oracle, posterior or ensemble:a,b,...)");
        };
    }

    private static MixtureDenoiser mixture(String spec, Denoiser model) {
        if (model instanceof MixtureDenoiser mixture) {
            return mixture;
        }
        throw new InvalidRequestException("--verifier " + spec + " needs an exact mixture model, not "
                + model.info().name());
    }
}

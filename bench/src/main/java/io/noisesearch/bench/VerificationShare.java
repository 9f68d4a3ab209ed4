package io.noisesearch.bench;

import io.noisesearch.backend.Kernels;
import io.noisesearch.engine.Engine;
import io.noisesearch.model.Denoiser;
import io.noisesearch.search.RandomSearch;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.SearchResult;
import io.noisesearch.verify.CaptionVerifier;
import io.noisesearch.verify.DecodingVerifier;
import io.noisesearch.verify.ForwardingVerifier;
import io.noisesearch.verify.Verifier;
import io.noisesearch.verify.VerifierInput;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The verifier's share of a text search's wall time (issue 13: verifying 64 candidates with {@code clip} should cost
 * under 10% of their search). Each round runs a warm random search of N candidates on a text model with the engine's
 * own clip verifier (a decoder in front of it, as the engine builds it) and times, inside the same search, every call
 * of the decoding verifier (decode + clip) and of clip alone, so both shares come from one wall. The model's default
 * solver and batch size; the prompts cycle through a fixed list, the seed is the round.
 * <p>
 * Usage: {@code VerificationShare [model] [candidates] [threads] [rounds]}, defaults {@code shapes-flow 64 0 7}
 * (threads 0: all cores); two warm-up rounds are not counted.
 */
public final class VerificationShare {

    private static final List<String> PROMPTS = List.of("two red circles", "a blue square above a green circle",
            "three yellow triangles", "a green triangle left of a yellow square", "a red square");

    private VerificationShare() {
    }

    public static void main(String[] args) {
        String model = args.length > 0 ? args[0] : "shapes-flow";
        int candidates = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 7;
        try (Engine engine = Engine.open("cpu", threads)) {
            Denoiser denoiser = engine.model(model);
            Timed clip = new Timed(new CaptionVerifier(CaptionVerifier.Kind.CLIP, engine.auxiliary(denoiser, "clip")));
            Timed decodeAndClip = new Timed(new DecodingVerifier(clip, engine.decoder(denoiser), engine.backend()));
            List<double[]> measured = new ArrayList<>(); // wall, decode + clip, clip: milliseconds
            for (int round = -2; round < rounds; round++) { // two warm-up rounds
                String prompt = PROMPTS.get(Math.floorMod(round, PROMPTS.size()));
                SearchRequest request = SearchRequest.of(model, 0, new RandomSearch(candidates), "clip", 100 + round)
                        .withPrompt(prompt);
                clip.nanos = 0;
                decodeAndClip.nanos = 0;
                long start = System.nanoTime();
                SearchResult result = engine.search(request, decodeAndClip);
                double wall = (System.nanoTime() - start) / 1e6;
                if (result.compute().verifierCalls() != candidates) {
                    throw new IllegalStateException("the search scored " + result.compute().verifierCalls()
                            + " candidates, expected " + candidates);
                }
                if (round >= 0) {
                    measured.add(new double[] {wall, decodeAndClip.nanos / 1e6, clip.nanos / 1e6});
                }
            }
            double wall = median(measured, 0);
            System.out.printf(Locale.ROOT, "%s, random search of %d candidates, clip, threads %d:"
                            + " search %.1f ms, decode + clip %.1f ms (%.1f%%), clip alone %.1f ms (%.1f%%); medians of"
                            + " %d rounds; per-round shares of decode + clip %s%n", model, candidates, threads, wall,
                    median(measured, 1), 100 * median(measured, 1) / wall, median(measured, 2),
                    100 * median(measured, 2) / wall, rounds, shares(measured));
        }
    }

    private static double median(List<double[]> rows, int column) {
        double[] v = rows.stream().mapToDouble(r -> r[column]).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String shares(List<double[]> rows) {
        return Arrays.toString(rows.stream().mapToDouble(r -> Math.round(1000 * r[1] / r[0]) / 10.0).toArray());
    }

    /** A verifier that adds the wall time of its score calls to {@link #nanos}; everything else is the inner one's. */
    static final class Timed extends ForwardingVerifier {
        long nanos;

        Timed(Verifier inner) {
            super(inner);
        }

        @Override
        public void score(Kernels kernels, VerifierInput input, float[][] out, int offset) {
            long start = System.nanoTime();
            inner.score(kernels, input, out, offset);
            nanos += System.nanoTime() - start;
        }
    }
}

package io.noisesearch.profile;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.backend.Backend;
import io.noisesearch.backend.Batch;
import io.noisesearch.backend.Kernels;
import io.noisesearch.engine.Engine;
import io.noisesearch.format.ImageLayout;
import io.noisesearch.format.Pixels;
import io.noisesearch.model.Denoiser;
import io.noisesearch.model.ImageModel;
import io.noisesearch.model.ModelManifest;
import io.noisesearch.search.RandomSearch;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.search.SearchResult;
import io.noisesearch.search.TraceEntry;
import io.noisesearch.verify.ForwardingVerifier;
import io.noisesearch.verify.Scores;
import io.noisesearch.verify.Verifier;
import io.noisesearch.verify.VerifierInput;

import java.util.ArrayList;
import java.util.List;

/**
 * The whole pool of one best-of-N request kept: random search's N candidates (the engine's own search, keys named by
 * (seed, key)), every candidate's raw member scores and its final image, decoded alone as the engine decodes a
 * returned sample. Since random search with n candidates draws the first n of any larger pool, the winner of best-of-n
 * for any n up to N and any verifier whose members the pool scored is {@link #choose}: the argmax of the prefix's
 * combined scores (the verifier's own combine: an ensemble ranks the prefix again), ties to the lowest index. Needs
 * equal search and final solvers, so that a returned sample is its searched sample.
 *
 * @param members    the pool verifier's member names, the rows of {@code scores}
 * @param scores     raw member scores [member][candidate]
 * @param images     each candidate's image, uint8 in the layout's HWC order
 * @param layout     the images' layout
 * @param result     the pool search's own result (its compute is the pool's)
 */
public record CandidatePool(SearchRequest request, List<String> members, Scores scores, byte[][] images,
                            ImageLayout layout, SearchResult result) {

    /** Runs random search with {@code candidates} on the request (its algorithm replaced) and keeps the pool. */
    public static CandidatePool run(Engine engine, SearchRequest request, int candidates) {
        Denoiser model = engine.model(request.model());
        if (request.searchSolver() != null && request.finalSolver() != null
                && !request.searchSolver().equals(request.finalSolver())) {
            throw new InvalidRequestException("--search-solver: a pool keeps searched samples as the returned ones,"
                    + " so the search solver must equal the final solver");
        }
        SearchRequest pool = new SearchRequest(request.model(), request.label(), new RandomSearch(candidates),
                request.verifier(), request.searchSolver(), request.finalSolver(), request.guidance(),
                SearchRequest.UNLIMITED, request.seed(), request.batchSize(), null, request.prompt());
        ImageModel decoder = engine.decoder(model);
        ImageLayout layout = model.info().layout();
        if (decoder != null) {
            ModelManifest.SampleSpec s = decoder.manifest().sample();
            layout = new ImageLayout(model.info().name(), s.channels(), s.height(), s.width(),
                    s.range().get(0).floatValue(), s.range().get(1).floatValue());
        }
        Keeping keeping = new Keeping(engine.verifier(request.verifier(), model), decoder, engine.backend(), layout);
        SearchResult result = engine.search(pool, keeping);
        TraceEntry entry = result.trace().getFirst();
        if (keeping.images.size() != candidates || entry.keys().length != candidates) {
            throw new IllegalStateException("pool of " + candidates + " kept " + keeping.images.size()
                    + " images for " + entry.keys().length + " scored candidates");
        }
        return new CandidatePool(pool, result.members(), entry.memberScores(),
                keeping.images.toArray(byte[][]::new), layout, result);
    }

    /** Candidates in the pool. */
    public int size() {
        return images.length;
    }

    /**
     * The candidate best-of-n with {@code verifier} returns: its members' raw scores taken from the pool by name,
     * combined over the first n candidates by the verifier's own rule, argmax with ties to the lowest index.
     */
    public int choose(Verifier verifier, int n) {
        if (n < 1 || n > size()) {
            throw new IllegalArgumentException("best-of-" + n + " from a pool of " + size());
        }
        List<String> names = verifier.members();
        float[][] prefix = new float[names.size()][];
        for (int m = 0; m < names.size(); m++) {
            int at = members.indexOf(names.get(m));
            if (at < 0) {
                throw new InvalidRequestException("verifier " + verifier.name() + ": member " + names.get(m)
                        + " was not scored by the pool's verifier " + request.verifier() + " (members: "
                        + String.join(", ", members) + ")");
            }
            prefix[m] = java.util.Arrays.copyOf(scores.member(at), n);
        }
        return Scores.argmax(verifier.combine(Scores.of(prefix)));
    }

    /** The pool's verifier with each scored chunk's candidates also decoded one at a time and kept as images. */
    private static final class Keeping extends ForwardingVerifier {
        private final ImageModel decoder;
        private final String output;
        private final Backend backend;
        private final ImageLayout layout;
        final List<byte[]> images = new ArrayList<>();

        Keeping(Verifier inner, ImageModel decoder, Backend backend, ImageLayout layout) {
            super(inner);
            this.decoder = decoder;
            this.output = decoder == null ? null : decoder.manifest().outputs().getFirst().name();
            this.backend = backend;
            this.layout = layout;
        }

        /** None, so that no candidate's scores come from a cache: each must pass through score to keep its image. */
        @Override
        public String identity() {
            return null;
        }

        @Override
        public void score(Kernels kernels, VerifierInput input, float[][] out, int offset) {
            inner.score(kernels, input, out, offset);
            Batch samples = input.samples();
            for (int r = 0; r < samples.rows(); r++) {
                // one row per decoder call, as the engine decodes a returned sample (a batch's rows may differ in
                // the last bit from a lone row's)
                float[] image = decoder == null ? backend.download(kernels, samples.row(r))
                        : decoder.output(kernels, samples.row(r), output);
                images.add(Pixels.toHwc(image, layout));
            }
        }
    }
}

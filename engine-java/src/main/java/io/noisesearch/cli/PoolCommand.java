package io.noisesearch.cli;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.engine.Engine;
import io.noisesearch.format.Json;
import io.noisesearch.format.NpyArray;
import io.noisesearch.format.Npz;
import io.noisesearch.format.OutputDirectory;
import io.noisesearch.model.Denoiser;
import io.noisesearch.model.TextDenoiser;
import io.noisesearch.profile.CandidatePool;
import io.noisesearch.search.RandomSearch;
import io.noisesearch.search.SearchRequest;
import io.noisesearch.shapes.Aspect;
import io.noisesearch.shapes.Caption;
import io.noisesearch.shapes.ShapeChecker;
import io.noisesearch.verify.Verifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The candidate pool of best-of-N on the shapes track (docs/t2i-verifiers.md, "Candidate pools"): for every caption,
 * the N candidates {@code generate --per-prompt 1 --algorithm random --candidates N} draws for it (caption i with
 * seed {@code --seed + i}), each kept with its raw member scores of {@code --verifier} and the checker's verdict on
 * its image. Writes {@code pool.csv} (a row per caption x candidate), {@code images.npz} (every candidate's image and
 * caption, as {@code generate} writes them), {@code choices.csv} (best-of-n's candidate for each {@code --choose}
 * verifier and each n in 1, 4, 16, ... up to N, and N) and {@code pool.json} (settings and compute).
 */
@Command(name = "pool", mixinStandardHelpOptions = true, sortOptions = false, abbreviateSynopsis = true,
        description = "Keep every candidate of best-of-N per caption of a text model: raw verifier scores, the"
                + " checker's aspects and the images; write pool.csv, images.npz, choices.csv and pool.json.")
final class PoolCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--prompt", description = "Caption of a text-conditioned model (words of its vocabulary).")
    String prompt;

    @Option(names = "--prompts", description = "File of captions for a text-conditioned model, one a line.")
    Path prompts;

    @Option(names = "--candidates", required = true, description = "Candidates N of each caption's pool, 1.."
            + MAX_CANDIDATES + ".")
    int candidates;

    @Option(names = "--choose", description = "A verifier whose best-of-n choices go to choices.csv (repeatable;"
            + " its members must be among --verifier's; default: --verifier itself).")
    List<String> choose;

    @Mixin
    RequestOptions request;

    @Mixin
    EngineOptions engine;

    @Option(names = "--out", defaultValue = "out/pool",
            description = "Folder for pool.csv, images.npz, choices.csv and pool.json (default: ${DEFAULT-VALUE}).")
    Path out;

    /** The largest pool per caption. */
    static final int MAX_CANDIDATES = 4096;

    @Override
    public Integer call() throws Exception {
        if ((prompt == null) == (prompts == null)) {
            throw new ParameterException(spec.commandLine(), "--prompt or --prompts: give one of them");
        }
        OptionRange.check(spec, "--candidates", candidates, 1, MAX_CANDIDATES);
        if (!spec.commandLine().getParseResult().hasMatchedOption("--verifier")) {
            throw new ParameterException(spec.commandLine(), "--verifier: name the verifier whose members the pool"
                    + " scores (several: ensemble:clip,reward,grader,aesthetic)");
        }
        if (request.searchSolver != null || request.searchSteps != null) {
            throw new ParameterException(spec.commandLine(), "--search-solver/--search-steps: a pool's candidates"
                    + " are its returned samples, so it searches with the final solver (--solver, --steps)");
        }
        List<String> captions = prompt != null ? List.of(prompt)
                : GenerateCommand.readPrompts(spec.commandLine(), prompts);
        List<Caption> parsed = new ArrayList<>();
        for (String caption : captions) {
            try {
                parsed.add(Caption.parse(caption));
            } catch (InvalidRequestException e) {
                throw new ParameterException(spec.commandLine(), "--prompts: '" + caption + "' is not a caption the"
                        + " shapes checker judges: " + e.getMessage());
            }
        }
        List<String> chosen = choose == null || choose.isEmpty() ? List.of(request.verifier) : choose;
        try (OutputDirectory dir = OutputDirectory.open(out, "--out"); Engine opened = engine.open()) {
            Denoiser model = opened.model(request.model);
            if (!(model instanceof TextDenoiser text)) {
                throw new ParameterException(spec.commandLine(), "--model " + model.info().name() + " is not"
                        + " text-conditioned: a pool is made for captions");
            }
            for (String caption : captions) {
                text.tokenizer().encode(caption);
            }
            Verifier poolVerifier = opened.verifier(request.verifier, model);
            List<Verifier> choosers = new ArrayList<>();
            for (String v : chosen) {
                Verifier chooser = opened.verifier(v, model);
                for (String member : chooser.members()) {
                    if (!poolVerifier.members().contains(member)) {
                        throw new ParameterException(spec.commandLine(), "--choose " + v + ": member " + member
                                + " is not scored by --verifier " + request.verifier + " (members: "
                                + String.join(", ", poolVerifier.members()) + ")");
                    }
                }
                choosers.add(chooser);
            }
            List<Integer> ns = sizes(candidates);
            List<CandidatePool> pools = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < captions.size(); i++) {
                SearchRequest r = request.request(new RandomSearch(candidates), model.info(), 0, request.seed + i)
                        .withPrompt(captions.get(i));
                CandidatePool pool = CandidatePool.run(opened, r, candidates);
                pools.add(pool);
                spec.commandLine().getErr().printf(Locale.ROOT, "pool: %d/%d%n", i + 1, captions.size());
                spec.commandLine().getErr().flush();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            dir.write("pool.csv", f -> writeTable(f, pools, parsed));
            dir.write("choices.csv", f -> writeChoices(f, pools, chosen, choosers, ns));
            dir.write("images.npz", f -> writeImages(f, pools, captions));
            var decoder = opened.decoder(model);
            long decodeFlops = decoder == null ? 0 : decoder.manifest().flopsPerSample();
            dir.write("pool.json", f -> Json.write(f, document(pools, chosen, choosers, poolVerifier.flopsPerSample(),
                    decodeFlops, seconds)));
            spec.commandLine().getOut().printf(Locale.ROOT, "pool of %d candidates for %d prompts (%s, verifier %s)"
                    + " -> %s%n", candidates, captions.size(), model.info().name(), request.verifier, dir.path());
        }
        return 0;
    }

    /** 1, 4, 16, ... up to n, and n. */
    static List<Integer> sizes(int n) {
        List<Integer> ns = new ArrayList<>();
        for (long k = 1; k < n; k *= 4) {
            ns.add((int) k);
        }
        ns.add(n);
        return ns;
    }

    private static void writeTable(Path file, List<CandidatePool> pools, List<Caption> captions)
            throws java.io.IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            List<String> members = pools.getFirst().members();
            StringBuilder header = new StringBuilder("prompt_index,prompt,category,seed,candidate,key");
            for (String m : members) {
                header.append(",score:").append(m);
            }
            for (Aspect a : Aspect.values()) {
                header.append(",check:").append(a.label());
            }
            header.append(",found");
            w.println(header);
            for (int p = 0; p < pools.size(); p++) {
                CandidatePool pool = pools.get(p);
                Caption caption = captions.get(p);
                long[] keys = pool.result().trace().getFirst().keys();
                for (int c = 0; c < pool.size(); c++) {
                    StringBuilder row = new StringBuilder();
                    row.append(p).append(',').append(caption.text()).append(',').append(caption.category().label())
                            .append(',').append(pool.request().seed()).append(',').append(c).append(',')
                            .append(keys[c]);
                    for (int m = 0; m < members.size(); m++) {
                        // Float.toString round-trips the float exactly
                        row.append(',').append(pool.scores().member(m)[c]);
                    }
                    ShapeChecker.Judgement j = ShapeChecker.judge(pool.images()[c], 0, caption);
                    for (Aspect a : Aspect.values()) {
                        Boolean passed = j.aspects().get(a);
                        row.append(',').append(passed == null ? "" : passed ? "1" : "0");
                    }
                    row.append(',');
                    row.append(String.join(" ", j.found().stream()
                            .map(f -> f.colour().word() + "-" + f.shape().word()).toList()));
                    w.println(row);
                }
            }
        }
    }

    private static void writeChoices(Path file, List<CandidatePool> pools, List<String> names,
                                     List<Verifier> verifiers, List<Integer> ns) throws java.io.IOException {
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(file))) {
            w.println("prompt_index,verifier,n,candidate");
            for (int p = 0; p < pools.size(); p++) {
                for (int v = 0; v < verifiers.size(); v++) {
                    for (int n : ns) {
                        int candidate = pools.get(p).choose(verifiers.get(v), n);
                        w.println(p + "," + csv(names.get(v)) + "," + n + "," + candidate);
                    }
                }
            }
        }
    }

    private static String csv(String field) {
        return field.contains(",") || field.contains("\"") ? '"' + field.replace("\"", "\"\"") + '"' : field;
    }

    private static void writeImages(Path file, List<CandidatePool> pools, List<String> captions) {
        var layout = pools.getFirst().layout();
        int dim = layout.channels() * layout.height() * layout.width();
        int n = pools.size() * pools.getFirst().size();
        byte[] pixels = new byte[n * dim];
        String[] texts = new String[n];
        int at = 0;
        for (int p = 0; p < pools.size(); p++) {
            for (byte[] image : pools.get(p).images()) {
                System.arraycopy(image, 0, pixels, at * dim, dim);
                texts[at++] = captions.get(p);
            }
        }
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        arrays.put("arr_0", NpyArray.ofUint8(pixels, n, layout.height(), layout.width(), layout.channels()));
        arrays.put("prompts", NpyArray.ofUnicode(texts, n));
        Npz.write(file, arrays);
    }

    /** Settings and compute: a candidate's denoiser GFLOPs and each chooser's GFLOPs per scored candidate. */
    private Map<String, Object> document(List<CandidatePool> pools, List<String> names, List<Verifier> verifiers,
                                         long poolVerifierFlops, long decodeFlops, double seconds) {
        CandidatePool first = pools.getFirst();
        SearchRequest r = first.request();
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("model", r.model());
        doc.put("prompts", pools.size());
        doc.put("candidates", candidates);
        doc.put("seed", request.seed);
        doc.put("guidance", first.result().guidance());
        doc.put("solver", first.result().finalSolver().tag());
        doc.put("verifier", r.verifier());
        doc.put("members", first.members());
        long totalFlops = pools.stream().mapToLong(p -> p.result().compute().flops()).sum();
        long candidatesScored = (long) pools.size() * candidates;
        doc.put("poolGflops", totalFlops / 1e9);
        // the pool's FLOPs less its verifier's, per candidate: one solve (and its share of the prompt's encoding)
        doc.put("solveGflopsPerCandidate", (totalFlops - candidatesScored * poolVerifierFlops) / 1e9
                / candidatesScored);
        doc.put("decodeGflops", decodeFlops / 1e9);
        Map<String, Object> perSample = new LinkedHashMap<>();
        for (int v = 0; v < verifiers.size(); v++) {
            perSample.put(names.get(v), verifiers.get(v).flopsPerSample() / 1e9);
        }
        // each chooser's FLOPs per scored candidate, its decode included
        doc.put("chooserGflopsPerCandidate", perSample);
        doc.put("wallSeconds", seconds);
        return doc;
    }
}

package io.noisesearch.cli;

import io.noisesearch.engine.Engine;
import io.noisesearch.format.OutputDirectory;
import io.noisesearch.model.BuiltinModels;
import io.noisesearch.model.ModelInfo;
import io.noisesearch.report.DemoReport;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.search.SearchPlan;
import picocli.CommandLine.Command;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * The README's main command, running {@link Demo}. On a trained model (default mnist-flow-s): no search, more
 * denoising steps, random, zero-order and paths search at one search budget, measured by the evaluation network.
 * On {@code --model gmm-image} the exact-mixture demo: no search, random, zero-order and paths under the oracle.
 * It takes the request options of {@code search}, with its own defaults.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false, abbreviateSynopsis = true,
        defaultValueProvider = DemoCommand.Defaults.class,
        description = {"Compare no search and more denoising steps with random, zero-order and paths search at one"
                + " equal search budget, for every class; write grid.png, report.json and report.md and print the"
                + " table.",
                "--model gmm-image runs the exact-mixture demo instead (oracle verifier, no evaluation network)."})
final class DemoCommand implements Callable<Integer> {

    /** Options that only the trained-model demo reads: the exact-mixture demo fixes its verifier and solver. */
    private static final List<String> TRAINED_ONLY = List.of("--verifier", "--solver", "--steps", "--search-solver",
            "--search-steps", "--cfg", "--seed");

    /** The demo's defaults where they differ from a single search's. */
    static final class Defaults implements IDefaultValueProvider {
        @Override
        public String defaultValue(ArgSpec arg) {
            if (!(arg instanceof OptionSpec option)) {
                return null;
            }
            return switch (option.longestName()) {
                case "--model" -> Demo.TRAINED_MODEL;
                case "--verifier" -> Demo.TRAINED_VERIFIER;
                default -> null;
            };
        }
    }

    @Spec
    CommandSpec spec;

    @Mixin
    RequestOptions request;

    @Mixin
    SampleOptions samples;

    @Mixin
    EngineOptions engineOptions;

    @Option(names = "--out", defaultValue = "out/demo",
            description = "Folder for grid.png, report.json and report.md (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--track", defaultValue = "class", paramLabel = "class|t2i",
            description = "class: class-conditional image models (default); t2i: a text-to-image model on "
                    + TextDemo.PER_CATEGORY * 4 + " of the evaluation prompts, no search against best-of-N random"
                    + " search, judged by the shapes checker (default model " + TextDemo.MODEL + ", verifier "
                    + TextDemo.VERIFIER + ").")
    String track;

    @Option(names = "--candidates", description = "N of the t2i track's random search (default: "
            + TextDemo.CANDIDATES + ").")
    Integer candidates;

    @Override
    public Integer call() throws Exception {
        if (track.equals("t2i")) {
            return callText();
        }
        if (!track.equals("class")) {
            throw new ParameterException(spec.commandLine(), "--track must be class or t2i, got '" + track + "'");
        }
        if (candidates != null) {
            throw new ParameterException(spec.commandLine(), "--candidates goes with --track t2i (the class track"
                    + " sizes its searches by --budget-nfe)");
        }
        boolean mixture = Demo.MIXTURE_MODEL.equals(request.model);
        if (mixture) {
            refuseTrainedOnlyOptions();
        } else if (BuiltinModels.isBuiltin(request.model)) {
            throw new ParameterException(spec.commandLine(), "--model " + request.model + ": the demo runs a trained"
                    + " image model, or gmm-image for the exact-mixture demo");
        }
        int perClass = samples.perClass(mixture ? Demo.MIXTURE_PER_CLASS : Demo.TRAINED_PER_CLASS);
        long budget = request.budgetNfe != null ? request.budgetNfe
                : mixture ? Demo.MIXTURE_BUDGET_NFE : Demo.TRAINED_BUDGET_NFE;
        if (budget < 1) {
            throw new ParameterException(spec.commandLine(), "--budget-nfe must be at least 1, got " + budget);
        }
        // gmm-image's batches are a few rows of 256 values: splitting them over threads costs more than it saves.
        boolean threadsGiven = spec.commandLine().getParseResult().hasMatchedOption("--threads");
        int threads = threadsGiven || !mixture ? engineOptions.threads : 1;
        PrintWriter console = spec.commandLine().getOut();
        try (OutputDirectory dir = OutputDirectory.open(out, "--out"); Engine engine = engineOptions.open(threads)) {
            ModelInfo info = engine.model(request.model).info();
            samples.checkHeld(perClass, info.classes(), info);
            Demo.Settings settings = mixture ? mixtureSettings(info, perClass, budget) : trainedSettings(info, perClass,
                    budget);
            SearchPlan plan = new SearchPlan(info.schedule(), settings.searchSolver());
            List<Demo.Method> methods = mixture ? Demo.mixtureMethods(plan, settings.budgetNfe())
                    : Demo.trainedMethods(plan, settings.finalSolver(), settings.budgetNfe());
            console.printf(Locale.ROOT, "noisesearch demo: %s, %s verifier, every class x %d samples, %d search NFEs"
                    + " per search method (search %s)%n", request.model, settings.verifier(), settings.perClass(),
                    settings.budgetNfe(), settings.searchSolver());
            console.flush();
            DemoReport report = new Demo(engine, settings, spec.commandLine().getErr()).run(methods, dir);
            report.write(dir);
            console.print(report.table());
            console.printf(Locale.ROOT, "%.1f s; %s, %s and %s%n", report.wallSeconds(), dir.path().resolve("grid.png"),
                    dir.path().resolve("report.md"), dir.path().resolve("report.json"));
            console.flush();
        }
        return 0;
    }

    /**
     * The text-to-image track ({@link TextDemo}): its own default model and verifier where the options name none. A
     * verifier that cannot be built for the model (the default clip before its model is present) is one line, exit 2,
     * before any search.
     */
    private Integer callText() throws Exception {
        var parsed = spec.commandLine().getParseResult();
        if (parsed.hasMatchedOption("--per-class")) {
            throw new ParameterException(spec.commandLine(), "--per-class applies to the class track; the t2i track"
                    + " makes one sample per prompt");
        }
        String model = parsed.hasMatchedOption("--model") ? request.model : TextDemo.MODEL;
        String verifier = parsed.hasMatchedOption("--verifier") ? request.verifier : TextDemo.VERIFIER;
        int n = candidates == null ? TextDemo.CANDIDATES : candidates;
        if (n < 1) {
            throw new ParameterException(spec.commandLine(), "--candidates must be at least 1, got " + n);
        }
        request.model = model;
        request.verifier = verifier;
        PrintWriter console = spec.commandLine().getOut();
        try (OutputDirectory dir = OutputDirectory.open(out, "--out"); Engine engine = engineOptions.open()) {
            io.noisesearch.model.Denoiser denoiser = engine.model(model);
            if (!(denoiser instanceof io.noisesearch.model.TextDenoiser)) {
                throw new ParameterException(spec.commandLine(), "--model " + model + ": the t2i track needs a"
                        + " text-conditioned model (shapes-flow, shapes-eps)");
            }
            try {
                engine.verifier(verifier, denoiser);
            } catch (io.noisesearch.InvalidRequestException e) {
                throw new io.noisesearch.InvalidRequestException("--verifier " + verifier
                        + (parsed.hasMatchedOption("--verifier") ? "" : " (the t2i track's default)") + ": "
                        + e.getMessage() + "; choose another with --verifier", e);
            }
            ModelInfo info = denoiser.info();
            List<io.noisesearch.shapes.Caption> prompts = TextDemo.prompts();
            console.printf(Locale.ROOT, "noisesearch demo --track t2i: %s, %d prompts, none against random N=%d"
                    + " with verifier %s%n", model, prompts.size(), n, verifier);
            console.flush();
            String table = new TextDemo(engine, spec.commandLine().getErr()).run(
                    i -> request.request(new io.noisesearch.search.NoSearch(), info, 0, request.seed + i)
                            .withPrompt(prompts.get(i).text()), prompts, n, verifier, dir);
            console.print(table);
            console.printf(Locale.ROOT, "%s, %s and %s%n", dir.path().resolve("grid.png"),
                    dir.path().resolve("report.md"), dir.path().resolve("report.json"));
            console.flush();
        }
        return 0;
    }

    /** The exact-mixture demo: the oracle verifier, the model's solver throughout, sample j of every class seed j. */
    private Demo.Settings mixtureSettings(ModelInfo info, int perClass, long budget) {
        return new Demo.Settings(request.model, Demo.MIXTURE_VERIFIER, perClass, budget, info.defaultSolver(),
                info.defaultSolver(), Double.NaN, 0, true, request.batchSize, engineOptions.device);
    }

    /**
     * Trained models: the final solver of the options (the model's by default) and a cheap search solver of the same
     * kind ({@link Demo#TRAINED_SEARCH_STEPS} steps unless --search-steps says otherwise).
     */
    private Demo.Settings trainedSettings(ModelInfo info, int perClass, long budget) {
        SolverSettings named = request.finalSolver(info);
        SolverSettings last = named != null ? named : info.defaultSolver();
        SolverSettings search = new SolverSettings(request.searchSolver != null ? request.searchSolver : last.kind(),
                request.searchSteps != null ? checkedSteps(request.searchSteps) : Demo.TRAINED_SEARCH_STEPS);
        return new Demo.Settings(request.model, request.verifier, perClass, budget, search, last,
                request.guidance(), request.seed, false, request.batchSize,
                engineOptions.device);
    }

    private int checkedSteps(int steps) {
        if (steps < 1) {
            throw new ParameterException(spec.commandLine(), "--search-steps must be at least 1, got " + steps);
        }
        return steps;
    }

    private void refuseTrainedOnlyOptions() {
        for (String option : TRAINED_ONLY) {
            if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
                throw new ParameterException(spec.commandLine(), option + " applies to trained models; the gmm-image"
                        + " demo uses the " + Demo.MIXTURE_VERIFIER + " verifier and the model's solver");
            }
        }
    }
}

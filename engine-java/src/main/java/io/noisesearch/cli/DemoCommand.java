package io.noisesearch.cli;

import io.noisesearch.engine.Engine;
import io.noisesearch.format.OutputDirectory;
import io.noisesearch.model.BuiltinModels;
import io.noisesearch.model.ModelInfo;
import io.noisesearch.report.DemoReport;
import io.noisesearch.schedule.SolverSettings;
import io.noisesearch.search.SearchPlan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
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
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false, abbreviateSynopsis = true,
        description = {"Compare no search and more denoising steps with random, zero-order and paths search at one"
                + " equal search budget, for every digit; write grid.png, report.json and report.md and print the"
                + " table.",
                "--model gmm-image runs the exact-mixture demo instead (oracle verifier, no evaluation network)."})
final class DemoCommand implements Callable<Integer> {

    /** Options that only the trained-model demo reads. */
    private static final List<String> TRAINED_ONLY = List.of("--verifier", "--search-steps", "--steps", "--cfg",
            "--seed");

    @Spec
    CommandSpec spec;

    @Option(names = "--model", defaultValue = Demo.TRAINED_MODEL,
            description = "A trained class-conditional image model, or gmm-image for the exact-mixture demo"
                    + " (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = {"--per-class", "--seeds-per-class"},
            description = "Samples (seeds) per class for every method (default: " + Demo.TRAINED_PER_CLASS
                    + "; gmm-image: " + Demo.MIXTURE_PER_CLASS + ").")
    Integer perClass;

    @Option(names = "--budget-nfe",
            description = "Search NFEs every search method plans at least and may not exceed (default: "
                    + Demo.TRAINED_BUDGET_NFE + "; gmm-image: " + Demo.MIXTURE_BUDGET_NFE + ").")
    Long budgetNfe;

    @Option(names = "--verifier", defaultValue = Demo.TRAINED_VERIFIER,
            description = "Verifier of every search: classifier, ssl, oracle-is, ensemble:a,b (default:"
                    + " ${DEFAULT-VALUE}; gmm-image always uses oracle).")
    String verifier;

    @Option(names = "--search-steps", defaultValue = "" + Demo.TRAINED_SEARCH_STEPS,
            description = "Steps of the search solver (the model's solver kind) (default: ${DEFAULT-VALUE}).")
    int searchSteps;

    @Option(names = "--steps", description = "Steps of the final solver (default: the model's, 25 for mnist-flow-s).")
    Integer steps;

    @Option(names = "--cfg", description = "Classifier-free guidance scale (default: the model's).")
    Double cfg;

    @Option(names = "--seed", defaultValue = "0",
            description = "Seed of sample 0; sample i uses seed + i, for every method (default: ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    EngineOptions engineOptions;

    /**
     * gmm-image's batches are a few rows of 256 values: splitting them over threads costs more than it saves. A
     * trained model's forward passes are worth every core.
     */
    @Option(names = "--threads",
            description = "Kernel and ONNX Runtime intra-op threads; 0 uses every core (default: 0; gmm-image: 1).")
    Integer threads;

    @Option(names = "--out", defaultValue = "out/demo",
            description = "Folder for grid.png, report.json and report.md (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (perClass != null && perClass < 1) {
            throw new ParameterException(spec.commandLine(), "--per-class (--seeds-per-class) must be at least 1, got "
                    + perClass);
        }
        if (budgetNfe != null && budgetNfe < 1) {
            throw new ParameterException(spec.commandLine(), "--budget-nfe must be at least 1, got " + budgetNfe);
        }
        boolean mixture = Demo.MIXTURE_MODEL.equals(model);
        if (mixture) {
            refuseTrainedOnlyOptions();
        } else if (BuiltinModels.isBuiltin(model)) {
            throw new ParameterException(spec.commandLine(), "--model " + model + ": the demo runs a trained image"
                    + " model, or gmm-image for the exact-mixture demo");
        }
        if (searchSteps < 1) {
            throw new ParameterException(spec.commandLine(), "--search-steps must be at least 1, got " + searchSteps);
        }
        if (steps != null && steps < 1) {
            throw new ParameterException(spec.commandLine(), "--steps must be at least 1, got " + steps);
        }
        Path dir = OutputDirectory.prepare(out, "--out");
        PrintWriter console = spec.commandLine().getOut();
        DemoReport report;
        try (Engine engine = engineOptions.open(threads != null ? threads : mixture ? 1 : 0)) {
            ModelInfo info = engine.model(model).info();
            Demo.Settings settings = mixture ? mixtureSettings(info) : trainedSettings(info);
            SearchPlan plan = new SearchPlan(info.schedule(), settings.searchSolver());
            List<Demo.Method> methods = mixture ? Demo.mixtureMethods(plan, settings.budgetNfe())
                    : Demo.trainedMethods(plan, settings.finalSolver(), settings.budgetNfe());
            console.printf(Locale.ROOT, "noisesearch demo: %s, %s verifier, every class x %d samples, %d search NFEs"
                    + " per search method (search %s)%n", model, settings.verifier(), settings.perClass(),
                    settings.budgetNfe(), settings.searchSolver());
            console.flush();
            report = new Demo(engine, settings, spec.commandLine().getErr()).run(methods, dir);
        }
        report.write(dir);
        console.print(report.table());
        console.printf(Locale.ROOT, "%.1f s; %s, %s and %s%n", report.wallSeconds(), dir.resolve("grid.png"),
                dir.resolve("report.md"), dir.resolve("report.json"));
        console.flush();
        return 0;
    }

    /** The exact-mixture demo: the oracle verifier, the model's solver throughout, sample j of every class seed j. */
    private Demo.Settings mixtureSettings(ModelInfo info) {
        return new Demo.Settings(model, Demo.MIXTURE_VERIFIER, perClass != null ? perClass : Demo.MIXTURE_PER_CLASS,
                budgetNfe != null ? budgetNfe : Demo.MIXTURE_BUDGET_NFE, info.defaultSolver(), info.defaultSolver(),
                Double.NaN, 0, true, engineOptions.device);
    }

    /** Trained models: the search solver and the final solver are the model's kind, at their own step counts. */
    private Demo.Settings trainedSettings(ModelInfo info) {
        SolverSettings modelSolver = info.defaultSolver();
        SolverSettings last = steps == null ? modelSolver : new SolverSettings(modelSolver.kind(), steps);
        return new Demo.Settings(model, verifier, perClass != null ? perClass : Demo.TRAINED_PER_CLASS,
                budgetNfe != null ? budgetNfe : Demo.TRAINED_BUDGET_NFE,
                new SolverSettings(modelSolver.kind(), searchSteps), last, cfg == null ? Double.NaN : cfg, seed, false,
                engineOptions.device);
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

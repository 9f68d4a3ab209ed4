package io.noisesearch.cli;

import io.noisesearch.engine.Engine;
import io.noisesearch.report.DemoReport;
import io.noisesearch.report.MnistDemoReport;
import io.noisesearch.format.OutputDirectory;
import io.noisesearch.model.BuiltinModels;
import io.noisesearch.schedule.SolverSettings;
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
 * The README's main command. On a trained model (default mnist-flow-s, see {@link MnistDemo}): no search, more
 * denoising steps, random, zero-order and paths search at one search budget, measured by the evaluation network.
 * On {@code --model gmm-image} the exact-mixture demo of {@link Demo}.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false, abbreviateSynopsis = true,
        description = {"Compare no search and more denoising steps with random, zero-order and paths search at one"
                + " equal search budget, for every digit; write grid.png, report.json and report.md and print the"
                + " table.",
                "--model gmm-image runs the exact-mixture demo instead (oracle verifier, no images or metrics)."})
final class DemoCommand implements Callable<Integer> {

    /** Options that only the trained-model demo reads. */
    private static final List<String> TRAINED_ONLY = List.of("--verifier", "--search-steps", "--steps", "--cfg",
            "--seed");

    @Spec
    CommandSpec spec;

    @Option(names = "--model", defaultValue = MnistDemo.DEFAULT_MODEL,
            description = "A trained class-conditional image model, or gmm-image for the exact-mixture demo"
                    + " (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = {"--per-class", "--seeds-per-class"},
            description = "Samples (seeds) per class for every method (default: " + MnistDemo.DEFAULT_PER_CLASS
                    + "; gmm-image: " + 20 + ").")
    Integer perClass;

    /**
     * With gmm-image's Heun x10 (19 NFEs a solve) four paths at the demo's path settings cost exactly 352 NFEs, and
     * random and zero-order fit 18 solves (342): the methods' granularities line up.
     */
    @Option(names = "--budget-nfe",
            description = "Search NFEs every search method plans at least and may not exceed (default: "
                    + MnistDemo.DEFAULT_BUDGET_NFE + "; gmm-image: 352).")
    Long budgetNfe;

    @Option(names = "--verifier", defaultValue = MnistDemo.DEFAULT_VERIFIER,
            description = "Verifier of every search: classifier, ssl, oracle-is, ensemble:a,b (default:"
                    + " ${DEFAULT-VALUE}; gmm-image always uses oracle).")
    String verifier;

    @Option(names = "--search-steps", defaultValue = "" + MnistDemo.DEFAULT_SEARCH_STEPS,
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
        if (Demo.MODEL.equals(model)) {
            return mixtureDemo();
        }
        if (BuiltinModels.isBuiltin(model)) {
            throw new ParameterException(spec.commandLine(), "--model " + model + ": the demo runs a trained image"
                    + " model, or gmm-image for the exact-mixture demo");
        }
        if (searchSteps < 1) {
            throw new ParameterException(spec.commandLine(), "--search-steps must be at least 1, got " + searchSteps);
        }
        if (steps != null && steps < 1) {
            throw new ParameterException(spec.commandLine(), "--steps must be at least 1, got " + steps);
        }
        return trainedDemo();
    }

    private int trainedDemo() throws Exception {
        Path dir = OutputDirectory.prepare(out, "--out");
        PrintWriter console = spec.commandLine().getOut();
        int k = perClass != null ? perClass : MnistDemo.DEFAULT_PER_CLASS;
        long budget = budgetNfe != null ? budgetNfe : MnistDemo.DEFAULT_BUDGET_NFE;
        int threadCount = threads != null ? threads : 0;
        MnistDemoReport report;
        try (Engine engine = engineOptions.open(threadCount)) {
            SolverSettings modelSolver = engine.model(model).info().defaultSolver();
            SolverSettings search = new SolverSettings(modelSolver.kind(), searchSteps);
            SolverSettings last = steps == null ? null : new SolverSettings(modelSolver.kind(), steps);
            console.printf(Locale.ROOT, "noisesearch demo: %s, %s verifier, every digit x %d samples, %d search NFEs"
                    + " per search method (search %s)%n", model, verifier, k, budget, search);
            console.flush();
            MnistDemo.Settings settings = new MnistDemo.Settings(model, verifier, k, budget, search, last,
                    cfg == null ? Double.NaN : cfg, seed, engineOptions.device);
            report = new MnistDemo(engine, settings, threadCount, spec.commandLine().getErr()).run(dir);
        }
        report.write(dir);
        console.print(report.table());
        console.printf(Locale.ROOT, "%.1f s; %s, %s and %s%n", report.wallSeconds(), dir.resolve("grid.png"),
                dir.resolve("report.md"), dir.resolve("report.json"));
        console.flush();
        return 0;
    }

    /** The exact-mixture demo, unchanged: gmm-image, oracle verifier, every class x seeds. */
    private int mixtureDemo() throws Exception {
        for (String option : TRAINED_ONLY) {
            if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
                throw new ParameterException(spec.commandLine(), option + " applies to trained models; the gmm-image"
                        + " demo uses the " + Demo.VERIFIER + " verifier and the model's solver");
            }
        }
        int seedsPerClass = perClass != null ? perClass : 20;
        long budget = budgetNfe != null ? budgetNfe : 352;
        Path dir = OutputDirectory.prepare(out, "--out");
        PrintWriter console = spec.commandLine().getOut();
        console.printf(Locale.ROOT, "noisesearch demo: %s, %s verifier, every class x %d seeds, %d search NFEs"
                + " per search method%n", Demo.MODEL, Demo.VERIFIER, seedsPerClass, budget);
        console.flush();
        long start = System.nanoTime();
        DemoReport report;
        try (Engine engine = engineOptions.open(threads != null ? threads : 1)) {
            report = new Demo(engine, engineOptions.device, budget, seedsPerClass).run();
        }
        report.write(dir);
        console.print(report.table());
        console.printf(Locale.ROOT, "%.1f s; report in %s and %s%n", (System.nanoTime() - start) / 1e9,
                dir.resolve("report.md"), dir.resolve("report.json"));
        console.flush();
        return 0;
    }
}

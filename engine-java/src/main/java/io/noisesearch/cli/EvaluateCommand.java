package io.noisesearch.cli;

import io.noisesearch.InvalidRequestException;
import io.noisesearch.engine.Engine;
import io.noisesearch.format.ImageLayout;
import io.noisesearch.format.NpyArray;
import io.noisesearch.format.Npz;
import io.noisesearch.format.Pixels;
import io.noisesearch.metrics.Evaluator;
import io.noisesearch.model.ModelRepository;
import io.noisesearch.report.EvaluationReport;
import io.noisesearch.shapes.CheckedSamples;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code evaluate --samples FILE.npz}: the metrics of a {@code samples.npz} ({@code arr_0} uint8 [N,H,W,C],
 * {@code labels} int64 [N], as {@code generate} writes it) measured by the evaluation network, printed as JSON. A file
 * of shapes samples (captions or prompts beside the images) is judged by the shapes checker instead, its category
 * table printed ({@code shapes-check} also writes the verdicts as JSON).
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false, abbreviateSynopsis = true,
        description = "Measure samples (accuracy of the requested class, IS, FID, precision, recall) with the"
                + " evaluation network and print them as JSON.")
final class EvaluateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--samples", required = true,
            description = "The .npz to measure: arr_0 uint8 [N,H,W,C] and labels int64 [N]; or shapes samples, arr_0"
                    + " and prompts (unicode [N]), judged by the shapes checker.")
    Path samples;

    @Mixin
    EngineOptions engineOptions;

    @Option(names = "--evaluator", defaultValue = "mnist-eval",
            description = "Evaluation model: a name in the models folder or a folder path (default: ${DEFAULT-VALUE}).")
    String evaluator;

    @Override
    public Integer call() {
        Npz npz = Npz.read(samples);
        if (CheckedSamples.applies(npz)) {
            PrintWriter out = spec.commandLine().getOut();
            out.print(ShapesCheckCommand.table(CheckedSamples.check(npz)));
            out.flush();
            return 0;
        }
        try (Engine engine = engineOptions.open()) {
            Evaluator eval = engine.evaluator(evaluatorFolder(engine.repository()));
            Samples s = samples(npz, eval);
            Evaluator.Evaluation result = eval.evaluate(s.images(), s.labels());
            PrintWriter out = spec.commandLine().getOut();
            out.println(EvaluationReport.of(result, s.labels(), eval).json());
            out.flush();
        }
        return 0;
    }

    private Path evaluatorFolder(ModelRepository repository) {
        Path folder = evaluator.contains("/") ? Path.of(evaluator) : repository.root().resolve(evaluator);
        if (!Files.isDirectory(folder)) {
            throw new InvalidRequestException("--evaluator: no evaluation model '" + evaluator + "' (" + folder
                    + " does not exist; trained models in " + repository.root() + ": " + repository.available()
                    + ")");
        }
        return folder;
    }

    record Samples(float[][] images, long[] labels) {
    }

    /** The images of {@code arr_0} as NCHW rows in [-1, 1] for the evaluator, checked against its sample shape. */
    static Samples samples(Npz npz, Evaluator eval) {
        NpyArray images = npz.get("arr_0");
        ImageLayout layout = eval.layout();
        long[] want = {layout.height(), layout.width(), layout.channels()};
        if (images.dtype() != NpyArray.Dtype.UINT8 || images.rank() != 4 || images.dim(1) != want[0]
                || images.dim(2) != want[1] || images.dim(3) != want[2]) {
            throw new InvalidRequestException(npz.file() + " entry 'arr_0': expected uint8 [N," + want[0] + ","
                    + want[1] + "," + want[2] + "] (N images, height, width, channels) for " + eval.name() + ", got "
                    + images.dtype().descr() + " " + images.shapeString());
        }
        int n = Math.toIntExact(images.dim(0));
        NpyArray labels = npz.get("labels");
        if (labels.dtype() != NpyArray.Dtype.INT64 || labels.rank() != 1) {
            throw new InvalidRequestException(npz.file() + " entry 'labels': expected int64 [N], got "
                    + labels.dtype().descr() + " " + labels.shapeString());
        }
        if (labels.dim(0) != n) {
            throw new InvalidRequestException(npz.file() + ": " + labels.dim(0) + " labels for " + n + " images");
        }
        long[] y = labels.int64();
        for (int i = 0; i < n; i++) {
            if (y[i] < 0 || y[i] >= eval.classes()) {
                throw new InvalidRequestException(npz.file() + " entry 'labels': label " + y[i] + " at index " + i
                        + " is outside 0.." + (eval.classes() - 1));
            }
        }
        if (n <= Evaluator.K) {
            throw new InvalidRequestException(npz.file() + ": " + n + " images; the metrics need more than "
                    + Evaluator.K + " (precision / recall use k = " + Evaluator.K + " nearest neighbours)");
        }
        return new Samples(Pixels.fromHwc(images.uint8(), n, layout), y);
    }
}

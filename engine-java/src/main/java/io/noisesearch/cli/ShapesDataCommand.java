package io.noisesearch.cli;

import io.noisesearch.format.OutputDirectory;
import io.noisesearch.shapes.ShapesExport;
import io.noisesearch.shapes.ShapesGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code shapes-data --split train|eval --count N --seed S --out FILE.npz}: the shapes scenes 0..N-1 of a split for
 * training (docs/t2i.md), written atomically into the file's folder.
 */
@Command(name = "shapes-data", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Write shapes scenes (images, captions, tokens, category, objects) as a .npz for training.")
final class ShapesDataCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--split", defaultValue = "train",
            description = "train (never a held-out caption) or eval (the 200 evaluation prompts in turn)"
                    + " (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--count", required = true, description = "Scenes to write, 0.." + ShapesExport.MAX_COUNT + ".")
    int count;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the scenes (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", required = true, description = "The .npz file to write.")
    Path out;

    @Override
    public Integer call() throws Exception {
        ShapesGenerator.Split which = switch (split) {
            case "train" -> ShapesGenerator.Split.TRAIN;
            case "eval" -> ShapesGenerator.Split.EVAL;
            default -> throw new ParameterException(spec.commandLine(), "--split must be train or eval, got '"
                    + split + "'");
        };
        OptionRange.check(spec, "--count", count, 0, ShapesExport.MAX_COUNT);
        if (!out.getFileName().toString().endsWith(".npz") || out.getFileName().toString().equals(".npz")) {
            throw new ParameterException(spec.commandLine(), "--out must name a .npz file, got '" + out + "'");
        }
        Path folder = out.toAbsolutePath().getParent();
        long started = System.nanoTime();
        try (OutputDirectory dir = OutputDirectory.open(folder, "--out")) {
            Path written = dir.write(out.getFileName().toString(),
                    file -> ShapesExport.write(file, seed, which, count));
            double seconds = (System.nanoTime() - started) / 1e9;
            spec.commandLine().getOut().printf(Locale.ROOT, "wrote %d %s scenes (seed %d) to %s in %.1f s%n", count,
                    split, seed, written, seconds);
        }
        return 0;
    }
}

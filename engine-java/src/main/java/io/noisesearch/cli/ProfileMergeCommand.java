package io.noisesearch.cli;

import io.noisesearch.format.OutputDirectory;
import io.noisesearch.profile.ProfileMerge;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code profile merge OUT DIR...}: the shard folders of one sweep joined into one, as an unsharded run writes it. */
@Command(name = "merge", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Join the results.jsonl of the shard folders of one sweep (profile --shard i/n) into OUT, in the"
                + " sweep's order, and write its results.csv, plots and index.html.")
final class ProfileMergeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "OUT", description = "The folder to write; it must hold no results yet.")
    Path out;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "DIR",
            description = "The --out folders of the shards, of the same sweep.")
    List<Path> folders;

    @Override
    public Integer call() throws Exception {
        ProfileMerge.Shards shards = ProfileMerge.read(out, folders);
        try (OutputDirectory dir = OutputDirectory.open(out, "OUT")) {
            ProfileMerge.Summary summary = ProfileMerge.write(dir, shards);
            PrintWriter stdout = spec.commandLine().getOut();
            stdout.printf(Locale.ROOT, "merged %d of %d configurations from %d folders, %.4f GFLOPs spent for %.4f"
                            + " accounted -> %s: %s%n", summary.merged(), summary.configurations(), summary.folders(),
                    summary.spentGflops(), summary.accountedGflops(), dir.path(), String.join(", ", summary.files()));
            stdout.flush();
        }
        return 0;
    }
}

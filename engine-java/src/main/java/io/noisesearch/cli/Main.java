package io.noisesearch.cli;

import io.noisesearch.NoiseSearchException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;

/**
 * The command-line tool, {@code scripts/noisesearch <command>}. Errors end in one line on stderr: bad options and
 * bad input exit with 2, internal failures with 1 (DESIGN.md, command line); {@code --debug} or
 * {@code NOISESEARCH_DEBUG=1} adds the stack trace.
 */
@Command(name = "noisesearch", mixinStandardHelpOptions = true, version = "noisesearch 0.1.0",
        description = "Inference-time search over the noises of diffusion and flow models.",
        subcommands = {SearchCommand.class, GenerateCommand.class, EvaluateCommand.class, DemoCommand.class,
                PoolCommand.class, ProfileCommand.class, ServeCommand.class, ShapesDataCommand.class,
                ShapesCheckCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    static final String NAME = "noisesearch";
    static final int EXIT_INTERNAL = 1;
    static final int EXIT_USAGE = 2;

    @Spec
    CommandSpec spec;

    /** Inherited by every command; {@link #failure} reads it from the parse result, wherever it was given. */
    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "Print the stack trace of a failure.")
    boolean debug;

    public static void main(String[] args) {
        System.exit(execute(commandLine(), args));
    }

    /**
     * Runs the tool; JVM errors (out of memory, stack overflow), which picocli does not handle, end like any internal
     * failure: one line and exit 1, the stack trace only when asked for.
     */
    static int execute(CommandLine commandLine, String... args) {
        try {
            return commandLine.execute(args);
        } catch (Throwable error) {
            PrintWriter err = commandLine.getErr();
            report(err, "internal error: " + error);
            if (java.util.Arrays.asList(args).contains("--debug") || "1".equals(System.getenv("NOISESEARCH_DEBUG"))) {
                error.printStackTrace(err);
                err.flush();
            }
            return EXIT_INTERNAL;
        }
    }

    /** The tool with its error handling; tests run it in-process through this. */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setParameterExceptionHandler(Main::badOption);
        commandLine.setExecutionExceptionHandler(Main::failure);
        return commandLine;
    }

    /** Without a command nothing was asked for: a usage error, reported like any other bad option. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: give one of search, generate, evaluate, demo,"
                + " profile, serve, shapes-data, shapes-check");
    }

    private static int badOption(ParameterException error, String[] args) {
        CommandLine command = error.getCommandLine();
        String help = command.getCommandSpec().qualifiedName() + " --help";
        report(command.getErr(), error.getMessage() + " (see '" + help + "')");
        return EXIT_USAGE;
    }

    private static int failure(Exception error, CommandLine command, ParseResult parsed) {
        PrintWriter err = command.getErr();
        if (isUserError(error)) {
            report(err, error.getMessage());
        } else {
            report(err, "internal error: " + error);
        }
        if (debugRequested(parsed)) {
            error.printStackTrace(err);
        }
        err.flush();
        return isUserError(error) ? EXIT_USAGE : EXIT_INTERNAL;
    }

    /**
     * Bad values reach the engine's records and requests as IllegalArgumentException, whose messages name the
     * option; the engine's own errors say themselves whether they are the caller's fault.
     */
    static boolean isUserError(Throwable error) {
        if (error instanceof NoiseSearchException e) {
            return e.isUserError();
        }
        return error instanceof IllegalArgumentException || error instanceof ParameterException;
    }

    private static boolean debugRequested(ParseResult parsed) {
        for (ParseResult level = parsed; level != null; level = level.subcommand()) {
            if (level.hasMatchedOption("--debug")) {
                return true;
            }
        }
        return "1".equals(System.getenv("NOISESEARCH_DEBUG"));
    }

    /** One line, whatever the message holds: scripts read the first line of stderr. */
    private static void report(PrintWriter err, String message) {
        err.println(NAME + ": " + message.replaceAll("\\s*\\R\\s*", " ").strip());
        err.flush();
    }
}

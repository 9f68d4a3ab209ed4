package io.noisesearch.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

/** The command-line tool run in-process, as {@code scripts/noisesearch} runs it, with its output captured. */
record CliRun(int exitCode, String out, String err) {

    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = Main.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = Main.execute(commandLine, args);
        return new CliRun(exitCode, out.toString(), err.toString());
    }

    static JsonNode json(Path file) throws IOException {
        return new ObjectMapper().readTree(file.toFile());
    }

    /** The lines written to stderr. */
    String[] errLines() {
        return err.strip().isEmpty() ? new String[0] : err.strip().split("\\R");
    }
}

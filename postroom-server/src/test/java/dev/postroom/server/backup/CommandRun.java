package dev.postroom.server.backup;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

/** A command run as {@code Main} would run it, with what it printed. */
record CommandRun(int exitCode, String out, String err) {

    static CommandRun run(Object command, String... args) {
        CommandLine commandLine = new CommandLine(command);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new CommandRun(exitCode, out.toString(), err.toString());
    }
}

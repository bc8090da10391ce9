package dev.postroom.server.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/**
 * Runs a command as {@code Main} would and captures what it printed; public for the commands
 * outside this package ({@code restore}). Every {@link ApiCommand}
 * gets an empty environment unless the test gives one, so a {@code POSTROOM_TOKEN} set on the machine running the tests
 * cannot change their outcome.
 */
public record CliRun(int exitCode, String out, String err) {

    public static CliRun run(Object command, String... args) {
        return run(Map.of(), command, args);
    }

    /** Runs with {@code env} standing in for the process environment ({@code POSTROOM_URL}, {@code POSTROOM_TOKEN}). */
    static CliRun run(Map<String, String> env, Object command, String... args) {
        CommandLine commandLine = new CommandLine(command);
        isolate(commandLine, env);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new CliRun(exitCode, out.toString(), err.toString());
    }

    private static void isolate(CommandLine commandLine, Map<String, String> env) {
        if (commandLine.getCommand() instanceof ApiCommand api) {
            api.api.env = env;
        }
        commandLine.getSubcommands().values().forEach(sub -> isolate(sub, env));
    }
}

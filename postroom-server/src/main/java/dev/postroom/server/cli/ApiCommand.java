package dev.postroom.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * The shape every API command shares: the common options, one {@link ApiClient} per run, and the
 * error contract — a {@link CliException} becomes {@code postroom: REASON} on stderr and exit code
 * 1. Picocli's own usage errors keep their exit code 2. Output goes to the command line's
 * {@code getOut()}/{@code getErr()} writers so that tests (and {@code Main}) can redirect them.
 */
abstract class ApiCommand implements Callable<Integer> {
    /** Initialised here (picocli keeps a non-null mixin) so tests can replace its environment. */
    @Mixin
    ApiOptions api = new ApiOptions();

    @Spec
    CommandSpec spec;

    /** Only {@code --help}: picocli's standard {@code --version} would print nothing on a subcommand. */
    @Option(names = {"-h", "--help"}, usageHelp = true, order = 103, description = "Show this help and exit.")
    boolean help;

    @Override
    public final Integer call() {
        try (ApiClient client = api.client()) {
            execute(client);
            return 0;
        } catch (CliException e) {
            err().println("postroom: " + e.getMessage());
            return 1;
        } finally {
            out().flush();
            err().flush();
            spec.commandLine().getOut().flush();
            spec.commandLine().getErr().flush();
        }
    }

    /** Does the command's work; throws {@link CliException} with the reason when it cannot. */
    abstract void execute(ApiClient client);

    private PrintWriter out;
    private PrintWriter err;

    /** The command's output, control characters escaped ({@link TerminalSafeWriter}). */
    PrintWriter out() {
        if (out == null) {
            out = TerminalSafeWriter.around(spec.commandLine().getOut());
        }
        return out;
    }

    /** The command's error output, control characters escaped ({@link TerminalSafeWriter}). */
    PrintWriter err() {
        if (err == null) {
            err = TerminalSafeWriter.around(spec.commandLine().getErr());
        }
        return err;
    }

    boolean json() {
        return api.json;
    }

    /** Prints a JSON document on one line, so that scripts can read line by line (or pipe to {@code jq}). */
    void printJson(JsonNode node) {
        if (!node.isMissingNode()) {
            out().println(node.toString());
        }
    }

    /** The text of a field, or null when absent or JSON null. */
    static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() ? null : value.isValueNode() ? value.asText() : value.toString();
    }
}

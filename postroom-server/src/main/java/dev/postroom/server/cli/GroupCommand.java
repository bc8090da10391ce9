package dev.postroom.server.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A command that only groups subcommands ({@code queues}, {@code messages}, {@code tokens},
 * {@code users}): run alone it is a usage error (exit 2, with the list of subcommands), because
 * silently printing help and exiting 0 would hide a typo in a script.
 */
abstract class GroupCommand implements Runnable {
    @Spec
    CommandSpec spec;

    /** Only {@code --help}: picocli's standard {@code --version} would print nothing on a subcommand. */
    @Option(names = {"-h", "--help"}, usageHelp = true, order = 103, description = "Show this help and exit.")
    boolean help;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand");
    }
}

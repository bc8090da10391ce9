package dev.postroom.server.cli;

import picocli.CommandLine;

/**
 * The client commands, for {@code Main} to register next to {@code server} and {@code demo}:
 * <pre>{@code
 * CommandLine commandLine = CliCommands.addTo(new CommandLine(new Main()));
 * }</pre>
 * Every command talks to a running server over HTTP; see {@link ApiOptions} for {@code --url},
 * {@code --token} and {@code --json}. Exit codes: 0 done, 1 the server refused or could not be
 * reached (one line on stderr says why), 2 the command line itself was wrong.
 */
public final class CliCommands {
    private CliCommands() {
    }

    /** The top-level command classes: send, receive, tail, stats, queues, topics, messages, archive, replay, batches, workflows, schedules, erase, encryption, tokens, users, webhooks, audit, backup. */
    public static Class<?>[] all() {
        return new Class<?>[] {SendCommand.class, ReceiveCommand.class, TailCommand.class, StatsCommand.class,
                QueuesCommand.class, TopicsCommand.class, MessagesCommand.class, ArchiveCommand.class, ReplayCommand.class, BatchesCommand.class, WorkflowsCommand.class, SchedulesCommand.class,
                EraseCommand.class, EncryptionCommand.class, TokensCommand.class, UsersCommand.class, WebhooksCommand.class, AuditCommand.class, BackupCommand.class};
    }

    /** Adds every command of {@link #all()} as a subcommand of {@code root}; returns {@code root}. */
    public static CommandLine addTo(CommandLine root) {
        for (Class<?> command : all()) {
            root.addSubcommand(command);
        }
        return root;
    }
}

package dev.postroom.server.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** Registering the client commands under a root command, as {@code Main} does. */
class CliCommandsTest {

    @Command(name = "postroom")
    static final class Root implements Runnable {
        @Override
        public void run() {
        }
    }

    @Test
    void everyCommandRegistersUnderItsOwnName() {
        CommandLine root = CliCommands.addTo(new CommandLine(new Root()));

        assertThat(root.getSubcommands().keySet())
                .containsExactly("send", "receive", "tail", "stats", "queues", "topics", "messages", "archive", "replay", "batches", "workflows", "schedules", "erase", "encryption", "tokens", "users", "webhooks", "audit", "backup");
        assertThat(root.getSubcommands().get("queues").getSubcommands().keySet())
                .containsExactly("create", "show", "pause", "resume", "purge", "redrive");
        assertThat(root.getSubcommands().get("topics").getSubcommands().keySet())
                .containsExactly("list", "show", "create", "delete", "subscribe", "unsubscribe", "publish");
        assertThat(root.getSubcommands().get("messages").getSubcommands().keySet()).containsExactly("get", "retry", "cancel", "snooze");
        assertThat(root.getSubcommands().get("schedules").getSubcommands().keySet())
                .containsExactly("list", "show", "put", "delete", "pause", "resume");
        assertThat(root.getSubcommands().get("tokens").getSubcommands().keySet()).containsExactly("create", "list", "revoke");
        assertThat(root.getSubcommands().get("users").getSubcommands().keySet()).containsExactly("add", "passwd", "remove");
        assertThat(root.getSubcommands().get("webhooks").getSubcommands().keySet()).containsExactly("set", "list", "delete");
        assertThat(root.getSubcommands().get("batches").getSubcommands().keySet()).containsExactly("send", "show", "list");
        assertThat(root.getSubcommands().get("workflows").getSubcommands().keySet()).containsExactly("start", "show", "list", "cancel", "retry");
    }

    @Test
    void everyApiCommandHasTheCommonOptions() {
        CommandLine root = CliCommands.addTo(new CommandLine(new Root()));

        assertThat(leaves(root)).hasSize(50).allSatisfy(command -> assertThat(command.getCommandSpec().optionsMap())
                .containsKeys("--url", "--token", "--json", "--help"));
    }

    @Test
    void helpOfANestedCommandExitsZeroAndListsItsOwnOptionsBeforeTheCommonOnes() {
        CommandLine root = CliCommands.addTo(new CommandLine(new Root()));
        StringWriter out = new StringWriter();
        root.setOut(new PrintWriter(out, true));

        int exitCode = root.execute("send", "--help");

        assertThat(exitCode).isEqualTo(0);
        assertThat(out.toString()).contains("Usage: postroom send").contains("POSTROOM_TOKEN").doesNotContain("--version");
        assertThat(out.toString().indexOf("--idempotency-key=KEY ")).isLessThan(out.toString().indexOf("--url=URL "));
    }

    private static java.util.List<CommandLine> leaves(CommandLine command) {
        if (command.getSubcommands().isEmpty()) {
            return java.util.List.of(command);
        }
        return command.getSubcommands().values().stream().flatMap(sub -> leaves(sub).stream()).toList();
    }
}

package dev.postroom.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.TypeConversionException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Console;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * {@code postroom users add|passwd|remove}: console users over {@code /api/v1/users}. A password
 * comes from {@code --password}, from the first line of stdin with {@code --password-stdin}, or
 * from a prompt without echo (asked twice); the prompt is the default because a password on the
 * command line lands in shell history and in {@code ps}.
 */
@Command(name = "users", sortOptions = false,
        description = "Add console users, change their passwords, remove them.",
        subcommands = {UsersCommand.Add.class, UsersCommand.Passwd.class, UsersCommand.Remove.class})
public final class UsersCommand extends GroupCommand {

    /** What a user may do in the console; the server enforces it, the CLI only checks the spelling early. */
    enum Role {
        VIEWER, OPERATOR, ADMIN;

        String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Reads a secret without echo; returns null when there is no terminal to ask on. */
    @FunctionalInterface
    interface PasswordPrompt {
        char[] read(String prompt);
    }

    /** Where {@code --password-stdin} reads; replaced in tests. */
    InputStream stdin = System.in;

    /** How a missing password is asked for; replaced in tests, since a test has no terminal. */
    PasswordPrompt prompt = text -> {
        Console console = System.console();
        return console == null ? null : console.readPassword("%s", text);
    };

    static String path(String username) {
        return "/api/v1/users/" + ApiClient.segment(username);
    }

    /** The options and the logic that pick a password from flag, stdin or prompt. */
    abstract static class WithPassword extends ApiCommand {
        @ParentCommand
        UsersCommand users;

        @Option(names = "--password", paramLabel = "PASSWORD",
                description = "The password (visible in shell history and ps; prefer the prompt or --password-stdin).")
        String password;

        @Option(names = "--password-stdin", description = "Read the password from the first line of stdin.")
        boolean passwordStdin;

        String password(String username) {
            if (password != null && passwordStdin) {
                throw new ParameterException(spec.commandLine(), "Use either --password or --password-stdin, not both");
            }
            String chosen = password != null ? password : passwordStdin ? readStdin() : ask(username);
            if (chosen == null || chosen.isEmpty()) {
                throw new CliException("password must not be empty");
            }
            return chosen;
        }

        private String readStdin() {
            try {
                String line = new BufferedReader(new InputStreamReader(users.stdin, StandardCharsets.UTF_8)).readLine();
                return line == null ? "" : line;
            } catch (IOException e) {
                throw new CliException("cannot read the password from stdin: " + e.getMessage());
            }
        }

        private String ask(String username) {
            char[] first = users.prompt.read("Password for " + username + ": ");
            if (first == null) {
                throw new CliException("no terminal to ask for the password on; pass --password-stdin or --password");
            }
            char[] again = users.prompt.read("Repeat password: ");
            try {
                if (again == null || !Arrays.equals(first, again)) {
                    throw new CliException("passwords do not match");
                }
                return new String(first);
            } finally {
                Arrays.fill(first, '\0');
                if (again != null) {
                    Arrays.fill(again, '\0');
                }
            }
        }
    }

    /** {@code users add USERNAME [--role R]}: a new console user. */
    @Command(name = "add", sortOptions = false, description = "Add a console user.")
    public static final class Add extends WithPassword {
        @Parameters(index = "0", paramLabel = "USERNAME")
        String username;

        @Option(names = "--role", paramLabel = "ROLE", defaultValue = "viewer", converter = RoleConverter.class,
                description = "viewer (read only), operator (act on messages and queues) or admin (also users and tokens); default: ${DEFAULT-VALUE}.")
        Role role;

        @Override
        void execute(ApiClient client) {
            ObjectNode body = ApiClient.JSON.createObjectNode().put("username", username)
                    .put("password", password(username)).put("role", role.wire());
            JsonNode answer = client.post("/api/v1/users", body).body();
            if (json()) {
                printJson(answer);
            } else {
                out().println("added user " + username + " (" + role.wire() + ")");
            }
        }
    }

    /** {@code users passwd USERNAME}: sets a new password. */
    @Command(name = "passwd", sortOptions = false, description = "Change a user's password.")
    public static final class Passwd extends WithPassword {
        @Parameters(index = "0", paramLabel = "USERNAME")
        String username;

        @Override
        void execute(ApiClient client) {
            client.put(path(username) + "/password", ApiClient.JSON.createObjectNode().put("password", password(username)));
            if (!json()) {
                out().println("changed the password of " + username);
            }
        }
    }

    /** {@code users remove USERNAME}: the user can no longer sign in. */
    @Command(name = "remove", sortOptions = false, description = "Remove a console user.")
    public static final class Remove extends ApiCommand {
        @Parameters(index = "0", paramLabel = "USERNAME")
        String username;

        @Override
        void execute(ApiClient client) {
            client.delete(path(username));
            if (!json()) {
                out().println("removed user " + username);
            }
        }
    }

    /** Accepts roles in any case, so {@code --role Admin} works. */
    static final class RoleConverter implements ITypeConverter<Role> {
        @Override
        public Role convert(String value) {
            return Arrays.stream(Role.values()).filter(r -> r.name().equalsIgnoreCase(value.strip())).findFirst()
                    .orElseThrow(() -> new TypeConversionException("'" + value + "' is not a role; use viewer, operator or admin"));
        }
    }
}

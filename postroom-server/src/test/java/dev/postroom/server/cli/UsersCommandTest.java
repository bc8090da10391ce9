package dev.postroom.server.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static dev.postroom.server.cli.SendCommandTest.json;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code postroom users add|passwd|remove}, including where the password comes from. */
class UsersCommandTest {
    private final CannedServer server = new CannedServer();

    @AfterEach
    void stop() {
        server.close();
    }

    /** A users command whose terminal answers the prompts with {@code answers}, in order, and records the questions. */
    private static UsersCommand withTerminal(List<String> questions, String... answers) {
        UsersCommand users = new UsersCommand();
        List<String> remaining = new ArrayList<>(List.of(answers));
        users.prompt = question -> {
            questions.add(question);
            return remaining.remove(0).toCharArray();
        };
        return users;
    }

    @Test
    void addSendsUsernamePasswordAndRole() {
        server.answer("POST", "/api/v1/users", 201, "{\"username\":\"ann\",\"role\":\"operator\"}");

        CliRun run = CliRun.run(new UsersCommand(), "add", "ann", "--role", "Operator", "--password", "correct horse",
                "--url", server.url());

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("added user ann (operator)\n");
        assertThat(server.only("POST", "/api/v1/users").json())
                .isEqualTo(json("{\"username\":\"ann\",\"password\":\"correct horse\",\"role\":\"operator\"}"));
    }

    @Test
    void addDefaultsToTheLeastPrivilegedRole() {
        server.answer("POST", "/api/v1/users", 201, "{}");

        CliRun.run(new UsersCommand(), "add", "bob", "--password", "pw", "--url", server.url());

        assertThat(server.only("POST", "/api/v1/users").json().get("role").asText()).isEqualTo("viewer");
    }

    @Test
    void unknownRoleIsAUsageError() {
        CliRun run = CliRun.run(new UsersCommand(), "add", "ann", "--role", "root", "--password", "pw", "--url", server.url());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("'root' is not a role");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void passwdReadsTheFirstLineOfStdin() {
        server.answer("PUT", "/api/v1/users/ann/password", 204, null);
        UsersCommand users = new UsersCommand();
        users.stdin = new ByteArrayInputStream("s3cret pass\nignored\n".getBytes(StandardCharsets.UTF_8));

        CliRun run = CliRun.run(users, "passwd", "ann", "--password-stdin", "--url", server.url());

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("changed the password of ann\n");
        assertThat(server.only("PUT", "/api/v1/users/ann/password").json()).isEqualTo(json("{\"password\":\"s3cret pass\"}"));
    }

    @Test
    void passwdPromptsTwiceWhenNoPasswordIsGiven() {
        server.answer("PUT", "/api/v1/users/ann/password", 204, null);
        List<String> questions = new ArrayList<>();

        CliRun run = CliRun.run(withTerminal(questions, "typed", "typed"), "passwd", "ann", "--url", server.url());

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(questions).containsExactly("Password for ann: ", "Repeat password: ");
        assertThat(server.only("PUT", "/api/v1/users/ann/password").json()).isEqualTo(json("{\"password\":\"typed\"}"));
    }

    @Test
    void mismatchedPasswordsAreRejectedBeforeAnyRequest() {
        CliRun run = CliRun.run(withTerminal(new ArrayList<>(), "typed", "typo"), "passwd", "ann", "--url", server.url());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("postroom: passwords do not match\n");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void withoutATerminalOrPasswordTheErrorSaysWhatToPass() {
        UsersCommand users = new UsersCommand();
        users.prompt = question -> null;

        CliRun run = CliRun.run(users, "add", "ann", "--url", server.url());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("postroom: no terminal to ask for the password on; pass --password-stdin or --password\n");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void emptyPasswordIsRejected() {
        UsersCommand users = new UsersCommand();
        users.stdin = new ByteArrayInputStream(new byte[0]);

        CliRun run = CliRun.run(users, "passwd", "ann", "--password-stdin", "--url", server.url());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("postroom: password must not be empty\n");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void passwordAndPasswordStdinTogetherIsAUsageError() {
        CliRun run = CliRun.run(new UsersCommand(), "passwd", "ann", "--password", "x", "--password-stdin", "--url", server.url());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void removeDeletesTheUserWithAnEncodedName() {
        server.answer("DELETE", "/api/v1/users/ann%20lee", 204, null);

        CliRun run = CliRun.run(new UsersCommand(), "remove", "ann lee", "--url", server.url());

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("removed user ann lee\n");
    }

    @Test
    void removingTheLastAdminExitsNonZeroWithTheServersReason() {
        server.problem("DELETE", "/api/v1/users/admin", 409, "{\"status\":409,\"detail\":\"cannot remove the last admin\"}");

        CliRun run = CliRun.run(new UsersCommand(), "remove", "admin", "--url", server.url());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("postroom: 409 cannot remove the last admin\n");
    }
}

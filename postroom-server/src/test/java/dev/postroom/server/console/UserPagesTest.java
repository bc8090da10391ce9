package dev.postroom.server.console;

import dev.postroom.server.auth.Role;
import dev.postroom.server.auth.User;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code /console/users}: admins add users, change roles, reset passwords and remove users; nobody else may. */
class UserPagesTest {
    private static final String NEW_PASSWORD = "a brand new secret";

    @RegisterExtension
    static final ConsoleFixture console = new ConsoleFixture();
    static ConsoleClient admin;

    @BeforeAll
    static void start() {
        admin = console.signIn("admin");
    }

    @Test
    void theListShowsEveryUserWithRoleAndTheFormsToChangeThem() {
        ConsoleClient.Page page = admin.get("/console/users");

        assertThat(page.status()).isEqualTo(200);
        assertThat(page.text()).contains("Users", "operator", "viewer", "admin (you)", "Add user");
        assertThat(page.body()).contains("action=\"/console/users/viewer/role\"", "action=\"/console/users/viewer/password\"",
                "action=\"/console/users/viewer/remove\"", "data-confirm=\"Remove viewer?", "minlength=\"10\"");
    }

    @Test
    void anAddedUserCanSignInWithTheirRole() {
        ConsoleClient.Page added = admin.post("/console/users", Map.of("username", "pat", "role", "operator", "password", NEW_PASSWORD));

        assertThat(added.status()).as(added.body()).isEqualTo(303);
        assertThat(added.location()).isEqualTo("/console/users");
        assertThat(admin.get("/console/users").text()).contains("Added pat as an operator");
        assertThat(roleOf("pat")).contains(Role.OPERATOR);

        ConsoleClient pat = signIn("pat", NEW_PASSWORD);
        assertThat(pat.get("/console").text()).contains("pat operator");
        assertThat(pat.get("/console/users").status()).isEqualTo(403);
    }

    @Test
    void addingWithAShortPasswordIs422NamingThePasswordAndKeepsTheName() {
        ConsoleClient.Page page = admin.post("/console/users", Map.of("username", "shorty", "role", "viewer", "password", "123456789"));

        assertThat(page.status()).isEqualTo(422);
        assertThat(page.text()).contains("password: must be 10–72 characters");
        assertThat(page.body()).contains("value=\"shorty\"");
        assertThat(roleOf("shorty")).isEmpty();
    }

    @Test
    void addingWithAnUnknownRoleIs422NamingTheRole() {
        ConsoleClient.Page page = admin.post("/console/users", Map.of("username", "rooty", "role", "root", "password", NEW_PASSWORD));

        assertThat(page.status()).isEqualTo(422);
        assertThat(page.text()).contains("role: must be viewer, operator or admin");
        assertThat(roleOf("rooty")).isEmpty();
    }

    @Test
    void addingATakenNameIs422NamingTheUsername() {
        ConsoleClient.Page page = admin.post("/console/users", Map.of("username", "viewer", "role", "admin", "password", NEW_PASSWORD));

        assertThat(page.status()).isEqualTo(422);
        assertThat(page.text()).contains("username: \"viewer\" already exists");
        assertThat(roleOf("viewer")).contains(Role.VIEWER);
    }

    @Test
    void aNameWithMarkupIsRefusedAndEchoedEscaped() {
        ConsoleClient.Page page = admin.post("/console/users", Map.of("username", "<b>x</b>", "role", "viewer", "password", NEW_PASSWORD));

        assertThat(page.status()).isEqualTo(422);
        assertThat(page.text()).contains("username: must match");
        assertThat(page.body()).doesNotContain("<b>x</b>").contains("&lt;b>x&lt;/b>");
    }

    @Test
    void aRoleChangeTakesEffectAtTheNextSignInAndEndsTheirSessions() {
        addUser("quinn", Role.VIEWER);
        ConsoleClient quinn = signIn("quinn", ConsoleFixture.PASSWORD);
        assertThat(quinn.get("/console/users").status()).isEqualTo(403);

        ConsoleClient.Page promoted = admin.post("/console/users/quinn/role", Map.of("role", "admin"));
        assertThat(promoted.status()).as(promoted.body()).isEqualTo(303);
        assertThat(admin.get("/console/users").text()).contains("quinn is now an admin and has been signed out everywhere");

        assertThat(quinn.get("/console").status()).as("the viewer session has ended").isEqualTo(302);
        quinn = signIn("quinn", ConsoleFixture.PASSWORD);
        assertThat(quinn.get("/console/users").status()).isEqualTo(200);

        assertThat(admin.post("/console/users/quinn/role", Map.of("role", "viewer")).status()).isEqualTo(303);
        assertThat(quinn.get("/console/users").status()).as("the admin session has ended").isEqualTo(302);
        quinn = signIn("quinn", ConsoleFixture.PASSWORD);
        assertThat(quinn.get("/console/users").status()).isEqualTo(403);
    }

    @Test
    void settingAnUnknownRoleIs422AndChangesNothing() {
        addUser("ursula", Role.OPERATOR);

        ConsoleClient.Page page = admin.post("/console/users/ursula/role", Map.of("role", "superuser"));

        assertThat(page.status()).isEqualTo(422);
        assertThat(page.text()).contains("role: must be viewer, operator or admin");
        assertThat(roleOf("ursula")).contains(Role.OPERATOR);
    }

    @Test
    void aPasswordResetReplacesTheOldPasswordAndEndsTheirSessions() {
        addUser("rita", Role.OPERATOR);
        ConsoleClient rita = signIn("rita", ConsoleFixture.PASSWORD);

        ConsoleClient.Page reset = admin.post("/console/users/rita/password", Map.of("password", NEW_PASSWORD));

        assertThat(reset.status()).as(reset.body()).isEqualTo(303);
        assertThat(admin.get("/console/users").text()).contains("Set a new password for rita");
        assertThat(rita.get("/console").status()).isEqualTo(302);
        assertThat(console.anonymous().postWithoutCsrf("/console/login",
                Map.of("username", "rita", "password", ConsoleFixture.PASSWORD)).status()).isEqualTo(401);
        assertThat(signIn("rita", NEW_PASSWORD).get("/console").status()).isEqualTo(200);
    }

    @Test
    void aShortNewPasswordIs422AndKeepsTheOldOne() {
        addUser("simon", Role.VIEWER);

        ConsoleClient.Page page = admin.post("/console/users/simon/password", Map.of("password", "short"));

        assertThat(page.status()).isEqualTo(422);
        assertThat(page.text()).contains("password: must be 10–72 characters");
        assertThat(console.auth().login("simon", ConsoleFixture.PASSWORD)).contains(Role.VIEWER);
    }

    @Test
    void removingAUserEndsTheirSessionsAndTheirSignIn() {
        addUser("sam", Role.OPERATOR);
        ConsoleClient sam = signIn("sam", ConsoleFixture.PASSWORD);

        ConsoleClient.Page removed = admin.post("/console/users/sam/remove");

        assertThat(removed.status()).as(removed.body()).isEqualTo(303);
        assertThat(admin.get("/console/users").text()).contains("Removed sam").doesNotContain("sam (");
        assertThat(roleOf("sam")).isEmpty();
        assertThat(sam.get("/console").status()).isEqualTo(302);
        assertThat(console.anonymous().postWithoutCsrf("/console/login",
                Map.of("username", "sam", "password", ConsoleFixture.PASSWORD)).status()).isEqualTo(401);
    }

    @Test
    void actionsOnAnUnknownUserAre404() {
        assertThat(admin.post("/console/users/nobody/role", Map.of("role", "viewer")).status()).isEqualTo(404);
        assertThat(admin.post("/console/users/nobody/password", Map.of("password", NEW_PASSWORD)).status()).isEqualTo(404);
        assertThat(admin.post("/console/users/nobody/remove").status()).isEqualTo(404);
    }

    @Test
    void theLastAdminCannotBeDemotedOrRemoved() {
        onlyAdminIsAdmin();

        ConsoleClient.Page demoted = admin.post("/console/users/admin/role", Map.of("role", "operator"));
        assertThat(demoted.status()).isEqualTo(409);
        assertThat(demoted.text()).contains("there must be at least one admin");

        ConsoleClient.Page removed = admin.post("/console/users/admin/remove");
        assertThat(removed.status()).isEqualTo(409);
        assertThat(removed.text()).contains("there must be at least one admin");

        assertThat(roleOf("admin")).contains(Role.ADMIN);
        assertThat(admin.get("/console/users").status()).as("still signed in as admin").isEqualTo(200);
    }

    @Test
    void anAdminMayStepDownWhileAnotherRemainsAndIsSignedOut() {
        addUser("una", Role.ADMIN);
        ConsoleClient una = signIn("una", ConsoleFixture.PASSWORD);

        ConsoleClient.Page steppedDown = una.post("/console/users/una/role", Map.of("role", "viewer"));

        assertThat(steppedDown.status()).isEqualTo(303);
        assertThat(steppedDown.location()).isEqualTo("/console/login");
        assertThat(una.get("/console").status()).isEqualTo(302);
        assertThat(roleOf("una")).contains(Role.VIEWER);
    }

    @Test
    void viewersAndOperatorsAreRefusedEveryRoute() {
        addUser("victim", Role.VIEWER);
        for (String role : new String[] {"viewer", "operator"}) {
            ConsoleClient client = console.signIn(role);
            assertThat(client.get("/console/users").status()).as("%s GET", role).isEqualTo(403);
            assertThat(client.post("/console/users", Map.of("username", "intruder", "role", "admin", "password", NEW_PASSWORD)).status())
                    .as("%s add", role).isEqualTo(403);
            assertThat(client.post("/console/users/" + role + "/role", Map.of("role", "admin")).status()).as("%s role", role).isEqualTo(403);
            assertThat(client.post("/console/users/victim/password", Map.of("password", NEW_PASSWORD)).status())
                    .as("%s password", role).isEqualTo(403);
            assertThat(client.post("/console/users/victim/remove").status()).as("%s remove", role).isEqualTo(403);
        }
        assertThat(roleOf("intruder")).isEmpty();
        assertThat(roleOf("viewer")).contains(Role.VIEWER);
        assertThat(roleOf("operator")).contains(Role.OPERATOR);
        assertThat(console.auth().login("victim", ConsoleFixture.PASSWORD)).contains(Role.VIEWER);
    }

    @Test
    void aPostWithoutTheCsrfTokenIsRefused() {
        addUser("walt", Role.VIEWER);

        assertThat(admin.postWithoutCsrf("/console/users", Map.of("username", "forged", "role", "admin", "password", NEW_PASSWORD)).status())
                .isEqualTo(403);
        assertThat(admin.postWithoutCsrf("/console/users/walt/role", Map.of("role", "admin")).status()).isEqualTo(403);
        assertThat(admin.postWithoutCsrf("/console/users/walt/password", Map.of("password", NEW_PASSWORD)).status()).isEqualTo(403);
        assertThat(admin.postWithoutCsrf("/console/users/walt/remove", Map.of()).status()).isEqualTo(403);

        assertThat(roleOf("forged")).isEmpty();
        assertThat(roleOf("walt")).contains(Role.VIEWER);
    }

    private static void addUser(String name, Role role) {
        console.auth().addUser(name, ConsoleFixture.PASSWORD, role, Instant.now());
    }

    private static ConsoleClient signIn(String name, String password) {
        ConsoleClient client = console.anonymous();
        client.signIn(name, password);
        return client;
    }

    private static Optional<Role> roleOf(String name) {
        return console.auth().users().stream().filter(u -> u.username().equals(name)).map(User::role).findFirst();
    }

    /** Other tests add admins; this leaves {@code admin} as the only one. */
    private static void onlyAdminIsAdmin() {
        console.auth().users().stream()
                .filter(u -> u.role() == Role.ADMIN && !u.username().equals("admin"))
                .forEach(u -> console.auth().setRole(u.username(), Role.VIEWER));
    }
}

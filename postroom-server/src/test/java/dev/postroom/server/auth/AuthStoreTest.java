package dev.postroom.server.auth;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Users in {@code auth.db}: the listing, role changes, and the rule that one admin always remains. */
class AuthStoreTest {
    private static final String PASSWORD = "0123456789";
    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

    @TempDir
    Path dir;
    AuthStore auth;

    @BeforeEach
    void open() {
        auth = AuthStore.open(dir);
    }

    @AfterEach
    void close() {
        auth.close();
    }

    @Test
    void usersAreListedByNameWithRoleAndCreationTime() {
        auth.addUser("zoe", PASSWORD, Role.VIEWER, NOW);
        auth.addUser("adam", PASSWORD, Role.ADMIN, NOW.plusSeconds(5));

        assertThat(auth.users()).containsExactly(
                new User("adam", Role.ADMIN, NOW.plusSeconds(5)),
                new User("zoe", Role.VIEWER, NOW));
    }

    @Test
    void setRoleChangesWhatSignInReturns() {
        auth.addUser("ann", PASSWORD, Role.VIEWER, NOW);

        assertThat(auth.setRole("ann", Role.OPERATOR)).isTrue();

        assertThat(auth.login("ann", PASSWORD)).contains(Role.OPERATOR);
        assertThat(auth.users()).containsExactly(new User("ann", Role.OPERATOR, NOW));
    }

    @Test
    void setRoleOfAnUnknownUserIsFalse() {
        assertThat(auth.setRole("nobody", Role.ADMIN)).isFalse();
    }

    @Test
    void theOnlyAdminCannotBeDemotedOrRemoved() {
        auth.addUser("root", PASSWORD, Role.ADMIN, NOW);
        auth.addUser("ann", PASSWORD, Role.OPERATOR, NOW);

        assertThatThrownBy(() -> auth.setRole("root", Role.OPERATOR))
                .isInstanceOf(LastAdminException.class)
                .hasMessageContaining("there must be at least one admin");
        assertThatThrownBy(() -> auth.removeUser("root"))
                .isInstanceOf(LastAdminException.class)
                .hasMessageContaining("there must be at least one admin");
        assertThat(auth.users()).contains(new User("root", Role.ADMIN, NOW));
    }

    @Test
    void anAdminCanBeDemotedOrRemovedWhileAnotherRemains() {
        auth.addUser("root", PASSWORD, Role.ADMIN, NOW);
        auth.addUser("deputy", PASSWORD, Role.ADMIN, NOW);

        assertThat(auth.setRole("deputy", Role.VIEWER)).isTrue();
        assertThat(auth.setRole("deputy", Role.ADMIN)).isTrue();
        assertThat(auth.removeUser("root")).isTrue();

        assertThat(auth.users()).containsExactly(new User("deputy", Role.ADMIN, NOW));
    }

    @Test
    void keepingTheOnlyAdminAnAdminIsAllowed() {
        auth.addUser("root", PASSWORD, Role.ADMIN, NOW);

        assertThat(auth.setRole("root", Role.ADMIN)).isTrue();
    }

    @Test
    void nonAdminsCanBeRemovedWhenNoAdminExists() {
        auth.addUser("ann", PASSWORD, Role.VIEWER, NOW);

        assertThat(auth.removeUser("ann")).isTrue();
        assertThat(auth.users()).isEmpty();
    }
}

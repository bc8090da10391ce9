package dev.postroom.server.auth;

import dev.postroom.InvalidMessageException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Users and tokens on {@code auth.db} and on PostgreSQL: the listing, role changes, the rule that
 * one admin always remains, and what several nodes sharing one database see of each other's
 * changes (each node is a store on a pool of its own).
 */
@ParameterizedClass
@EnumSource(AuthBackend.class)
class AuthStoreTest {
    private static final String PASSWORD = "0123456789";
    private static final String SECRET = "pr_operator_chosen_token_0123456789";
    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
    /** Races run this many times: without the admins' lock, most rounds end with no admin. */
    private static final int ROUNDS = 5;

    @Parameter
    AuthBackend backend;
    @TempDir
    Path dir;
    AuthBackend.Place place;
    AuthStore auth;

    @BeforeEach
    void open() {
        place = backend.place(dir);
        auth = node();
    }

    @AfterEach
    void close() throws Exception {
        if (auth != null) {
            auth.close();
        }
        if (place != null) {
            place.close();
        }
    }

    /** Another node on the same database. */
    private AuthStore node() {
        return AuthStore.open(place.open());
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
    void aSignInCarriesTheStampOfTheRowItReadSoALaterRoleChangeDoesNotMatchIt() {
        auth.addUser("ann", PASSWORD, Role.OPERATOR, NOW);

        AuthStore.SignIn signIn = auth.signIn("ann", PASSWORD).orElseThrow();
        assertThat(signIn.role()).isEqualTo(Role.OPERATOR);
        assertThat(auth.credentialStamp("ann")).contains(signIn.credentialStamp());

        auth.setRole("ann", Role.VIEWER);
        assertThat(auth.credentialStamp("ann")).isPresent().get().isNotEqualTo(signIn.credentialStamp());
        assertThat(auth.signIn("ann", "wrong-password-123")).isEmpty();
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

    // ---------------------------------------------------------------- tokens across nodes

    @Test
    void aTokenCreatedThroughOneNodeIsVerifiedByAnother() {
        NewToken created = auth.createToken("ci-bot", List.of(Scope.parse("read")), NOW);

        Optional<ApiToken> verified = node().verify(created.secret(), NOW);

        assertThat(verified).map(ApiToken::id).contains(created.token().id());
        assertThat(verified.get().scopes()).containsExactly(Scope.parse("read"));
    }

    @Test
    void aTokenRevokedThroughAnotherNodeIsRefusedOnceTheRecheckIsDue() {
        AuthStore other = node();
        NewToken created = auth.createToken("ci-bot", List.of(Scope.parse("read")), NOW);
        assertThat(other.verify(created.secret(), NOW)).isPresent();

        assertThat(auth.revoke(created.token().id(), NOW)).isTrue();

        assertThat(auth.verify(created.secret(), NOW)).as("on the node that revoked it").isEmpty();
        assertThat(other.verify(created.secret(), NOW.plus(AuthStore.RECHECK).minusMillis(1))).as("cached on the other").isPresent();
        assertThat(other.verify(created.secret(), NOW.plus(AuthStore.RECHECK))).as("rechecked on the other").isEmpty();
    }

    @Test
    void lastUseIsWrittenOncePerResolutionAndNeverMovedBackByANodeBehind() {
        AuthStore other = node();
        NewToken created = auth.createToken("ci-bot", List.of(Scope.parse("read")), NOW);

        auth.verify(created.secret(), NOW);
        auth.verify(created.secret(), NOW.plusSeconds(30));
        assertThat(lastUsed(created)).isEqualTo(NOW);

        other.verify(created.secret(), NOW.plusSeconds(55)); // reads last use NOW and caches it
        auth.verify(created.secret(), NOW.plusSeconds(200)); // due: a recheck, then written
        assertThat(lastUsed(created)).isEqualTo(NOW.plusSeconds(200));

        other.verify(created.secret(), NOW.plusSeconds(61)); // a minute after the last use it knows of, from its cache
        assertThat(lastUsed(created)).isEqualTo(NOW.plusSeconds(200));
    }

    private Instant lastUsed(NewToken token) {
        return auth.tokens().stream().filter(t -> t.id().equals(token.token().id())).findFirst().orElseThrow().lastUsedAt();
    }

    // ---------------------------------------------------------------- the first admin

    @Test
    void theFirstAdminComesWithAnAdminTokenThatVerifies() {
        Optional<NewToken> created = auth.createFirstAdmin(PASSWORD, null, NOW);

        assertThat(created).isPresent();
        assertThat(auth.users()).containsExactly(new User(AuthStore.FIRST_ADMIN, Role.ADMIN, NOW));
        assertThat(auth.login(AuthStore.FIRST_ADMIN, PASSWORD)).contains(Role.ADMIN);
        assertThat(created.get().secret()).startsWith("pr_");
        assertThat(auth.verify(created.get().secret(), NOW)).map(ApiToken::scopes).contains(List.of(Scope.parse("admin")));
    }

    @Test
    void theFirstAdminTakesTheOperatorsTokenSecret() {
        NewToken created = auth.createFirstAdmin(PASSWORD, SECRET, NOW).orElseThrow();

        assertThat(created.secret()).isEqualTo(SECRET);
        assertThat(auth.verify(SECRET, NOW)).map(ApiToken::name).contains(AuthStore.FIRST_ADMIN);
    }

    @Test
    void noFirstAdminIsCreatedWhenAnyUserExists() {
        auth.addUser("ann", PASSWORD, Role.OPERATOR, NOW);

        assertThat(auth.createFirstAdmin(PASSWORD, SECRET, NOW)).isEmpty();

        assertThat(auth.users()).containsExactly(new User("ann", Role.OPERATOR, NOW));
        assertThat(auth.tokens()).isEmpty();
        assertThat(auth.verify(SECRET, NOW)).isEmpty();
    }

    @Test
    void aShortPasswordOrTokenForTheFirstAdminNamesTheFieldAndCreatesNothing() {
        assertThatThrownBy(() -> auth.createFirstAdmin("short", SECRET, NOW))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("password"));
        assertThatThrownBy(() -> auth.createFirstAdmin(PASSWORD, "x".repeat(AuthStore.MIN_TOKEN - 1), NOW))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("token"));

        assertThat(auth.hasUsers()).isFalse();
        assertThat(auth.tokens()).isEmpty();
    }

    @Test
    void aPasswordOverBcryptsSeventyTwoBytesIsRefusedAtSetUpAndMatchesNothingAtSignIn() {
        String accents = "é".repeat(40); // 40 characters, 80 bytes in UTF-8
        auth.addUser("ann", PASSWORD, Role.ADMIN, NOW);

        assertThatThrownBy(() -> auth.addUser("bob", accents, Role.VIEWER, NOW))
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo("password"))
                .hasMessageContaining("72 bytes");
        assertThat(auth.signIn("ann", accents)).isEmpty();
        assertThat(auth.signIn("nobody", accents)).isEmpty();
        assertThat(auth.signIn("ann", PASSWORD)).isPresent();
    }

    @Test
    void nodesStartingTogetherCreateExactlyOneFirstAdmin() throws Exception {
        int nodes = 4;
        List<AuthStore> stores = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            stores.add(node());
        }
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Optional<NewToken>>> results = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(nodes)) {
            for (AuthStore store : stores) {
                // The same operator-chosen secret on every node, as a cluster started from one config has.
                results.add(threads.submit(() -> {
                    start.await();
                    return store.createFirstAdmin(PASSWORD, SECRET, NOW);
                }));
            }
            start.countDown();
        }

        List<NewToken> created = new ArrayList<>();
        for (Future<Optional<NewToken>> result : results) {
            result.get().ifPresent(created::add);
        }
        assertThat(created).as("nodes that created the first admin").hasSize(1);
        assertThat(auth.users()).containsExactly(new User(AuthStore.FIRST_ADMIN, Role.ADMIN, NOW));
        assertThat(auth.tokens()).containsExactly(created.getFirst().token());
    }

    // ---------------------------------------------------------------- one admin remains, across nodes

    @Test
    void twoNodesRemovingTheLastTwoAdminsAtOnceLeaveOne() throws Exception {
        AuthStore other = node();
        auth.addUser("root", PASSWORD, Role.ADMIN, NOW);
        auth.addUser("deputy", PASSWORD, Role.ADMIN, NOW);
        for (int round = 0; round < ROUNDS; round++) {
            List<Boolean> removed = concurrently(() -> removeOrRefuse(auth, "root"), () -> removeOrRefuse(other, "deputy"));

            assertThat(removed).as("round %d: removals that went through", round).containsExactlyInAnyOrder(true, false);
            List<User> left = auth.users();
            assertThat(left).as("round %d", round).hasSize(1).allSatisfy(u -> assertThat(u.role()).isEqualTo(Role.ADMIN));
            auth.addUser(left.getFirst().username().equals("root") ? "deputy" : "root", PASSWORD, Role.ADMIN, NOW);
        }
    }

    @Test
    void twoNodesDemotingTheLastTwoAdminsAtOnceLeaveOne() throws Exception {
        AuthStore other = node();
        auth.addUser("root", PASSWORD, Role.ADMIN, NOW);
        auth.addUser("deputy", PASSWORD, Role.ADMIN, NOW);
        for (int round = 0; round < ROUNDS; round++) {
            List<Boolean> demoted = concurrently(() -> demoteOrRefuse(auth, "root"), () -> demoteOrRefuse(other, "deputy"));

            assertThat(demoted).as("round %d: demotions that went through", round).containsExactlyInAnyOrder(true, false);
            assertThat(auth.users().stream().filter(u -> u.role() == Role.ADMIN)).as("round %d: admins", round).hasSize(1);
            auth.setRole("root", Role.ADMIN);
            auth.setRole("deputy", Role.ADMIN);
        }
    }

    private static boolean removeOrRefuse(AuthStore store, String username) {
        try {
            return store.removeUser(username);
        } catch (LastAdminException e) {
            return false;
        }
    }

    private static boolean demoteOrRefuse(AuthStore store, String username) {
        try {
            return store.setRole(username, Role.VIEWER);
        } catch (LastAdminException e) {
            return false;
        }
    }

    /** Runs both at the same moment, each on a thread of its own, and returns their results in order. */
    private static <T> List<T> concurrently(Callable<T> a, Callable<T> b) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        try (ExecutorService threads = Executors.newFixedThreadPool(2)) {
            Future<T> first = threads.submit(() -> {
                start.await();
                return a.call();
            });
            Future<T> second = threads.submit(() -> {
                start.await();
                return b.call();
            });
            start.countDown();
            return List.of(first.get(30, TimeUnit.SECONDS), second.get(30, TimeUnit.SECONDS));
        }
    }
}

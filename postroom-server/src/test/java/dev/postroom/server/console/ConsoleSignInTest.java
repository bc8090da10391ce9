package dev.postroom.server.console;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ConsoleSignInTest {
    @RegisterExtension
    static final ConsoleFixture console = new ConsoleFixture();

    @Test
    void aPageWithoutASessionRedirectsToSignInAndBack() {
        ConsoleClient.Page page = console.anonymous().get("/console/messages?state=DEAD");
        assertThat(page.status()).isEqualTo(302);
        assertThat(page.location()).isEqualTo("/console/login?next=%2Fconsole%2Fmessages%3Fstate%3DDEAD");
    }

    @Test
    void signingInSetsAStrictHttpOnlyCookieAndOpensTheOverview() {
        ConsoleClient.Page signedIn = console.anonymous().postWithoutCsrf("/console/login",
                Map.of("username", "viewer", "password", ConsoleFixture.PASSWORD));
        assertThat(signedIn.setCookie()).startsWith(ConsoleGuard.COOKIE + "=").contains("HttpOnly", "SameSite=Strict", "Path=/console")
                .as("plain http: not Secure").doesNotContain("Secure;").doesNotEndWith("Secure");
        ConsoleClient client = console.signIn("viewer");
        ConsoleClient.Page overview = client.get("/console");
        assertThat(overview.status()).isEqualTo(200);
        assertThat(overview.text()).contains("Overview", "viewer");
    }

    @Test
    void everyPageSaysHowLongTheServerTookToMakeIt() {
        ConsoleClient client = console.signIn("viewer");
        for (String path : new String[]{"/console", "/console/messages?state=DEAD", "/console/messages/nope", "/console/series.json"}) {
            ConsoleClient.Page page = client.get(path);
            assertThat(page.headers().firstValue("Server-Timing")).as(path + " (" + page.status() + ")")
                    .hasValueSatisfying(v -> assertThat(v).matches("app;dur=\\d+\\.\\d"));
        }
    }

    @Test
    void aWrongPasswordIsRefusedWithoutSayingWhichPartWasWrong() {
        ConsoleClient client = console.anonymous();
        ConsoleClient.Page page = client.postWithoutCsrf("/console/login", Map.of("username", "admin", "password", "nope"));
        assertThat(page.status()).isEqualTo(401);
        assertThat(page.text()).contains("Wrong user name or password");
        ConsoleClient.Page unknown = client.postWithoutCsrf("/console/login", Map.of("username", "nobody", "password", "nope"));
        assertThat(unknown.text()).contains("Wrong user name or password");
    }

    @Test
    void repeatedFailuresForOneUserAreThrottled() {
        console.auth().addUser("throttled", ConsoleFixture.PASSWORD, dev.postroom.server.auth.Role.VIEWER, java.time.Instant.now());
        ConsoleClient client = console.anonymous();
        for (int i = 0; i < LoginThrottle.MAX_FAILURES; i++) {
            assertThat(client.postWithoutCsrf("/console/login", Map.of("username", "throttled", "password", "guess" + i)).status()).isEqualTo(401);
        }
        ConsoleClient.Page refused = client.postWithoutCsrf("/console/login", Map.of("username", "throttled", "password", ConsoleFixture.PASSWORD));
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.text()).contains("Too many failed sign-ins");
    }

    @Test
    void guessesSentInParallelAreCountedBeforeTheirPasswordsAreChecked() throws Exception {
        console.auth().addUser("parallel", ConsoleFixture.PASSWORD, dev.postroom.server.auth.Role.VIEWER, java.time.Instant.now());
        int guesses = 4 * LoginThrottle.MAX_FAILURES;
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        java.util.List<java.util.concurrent.Future<Integer>> statuses = new java.util.ArrayList<>();
        try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < guesses; i++) {
                String guess = "guess-" + i;
                statuses.add(threads.submit(() -> {
                    start.await();
                    return console.anonymous().postWithoutCsrf("/console/login", Map.of("username", "parallel", "password", guess)).status();
                }));
            }
            start.countDown();
        }
        long checked = 0;
        for (var status : statuses) {
            int code = status.get();
            assertThat(code).isIn(401, 429);
            checked += code == 401 ? 1 : 0;
        }

        assertThat(checked).as("guesses whose password was checked").isEqualTo(LoginThrottle.MAX_FAILURES);
    }

    @Test
    void aSuccessfulSignInDoesNotCountAgainstItsAddress() {
        for (int i = 0; i < LoginThrottle.MAX_FAILURES_PER_ADDRESS + 1; i++) {
            assertThat(console.anonymous().postWithoutCsrf("/console/login",
                    Map.of("username", "viewer", "password", ConsoleFixture.PASSWORD)).status()).isEqualTo(303);
        }
    }

    @Test
    void theLiveStreamEndsWhenItsSessionSignsOut() throws Exception {
        ConsoleClient client = console.signIn("operator");
        var stream = client.stream("/console/live");
        assertThat(stream.statusCode()).isEqualTo(200);
        java.util.concurrent.CompletableFuture<Void> ended = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try (var in = stream.body()) {
                in.transferTo(java.io.OutputStream.nullOutputStream()); // returns when the server ends the stream
            } catch (java.io.IOException e) {
                // ended as well
            }
        });
        assertThat(ended).as("the stream is open while signed in").isNotDone();

        assertThat(client.post("/console/logout").status()).isEqualTo(303);

        ended.get(30, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Test
    void afterSignOutTheSessionIsGone() {
        ConsoleClient client = console.signIn("operator");
        assertThat(client.post("/console/logout").status()).isEqualTo(303);
        assertThat(client.get("/console").status()).isEqualTo(302);
    }

    @Test
    void signInOnlyRedirectsWithinTheConsole() {
        assertThat(LoginPages.safeNext("/console/messages?q=x")).isEqualTo("/console/messages?q=x");
        assertThat(LoginPages.safeNext("https://evil.example/")).isEqualTo("/console");
        assertThat(LoginPages.safeNext("//evil.example/console")).isEqualTo("/console");
        assertThat(LoginPages.safeNext("/console\\@evil")).isEqualTo("/console");
        assertThat(LoginPages.safeNext(null)).isEqualTo("/console");
    }

    @Test
    void aPostWithoutTheCsrfTokenIsRefused() {
        ConsoleClient client = console.signIn("operator");
        ConsoleClient.Page page = client.postWithoutCsrf("/console/logout", Map.of());
        assertThat(page.status()).isEqualTo(403);
        assertThat(page.text()).contains("CSRF");
        assertThat(client.get("/console").status()).as("still signed in").isEqualTo(200);
    }
}

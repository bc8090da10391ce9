package dev.postroom.server.console;

import dev.postroom.server.auth.ApiToken;
import dev.postroom.server.auth.Scope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code /console/tokens}: admins create tokens (secret shown once) and revoke them; nobody else may. */
class TokenPagesTest {
    private static final Pattern SECRET = Pattern.compile("class=\"secret-value\" value=\"(pr_[A-Za-z0-9_-]+)\"");

    @RegisterExtension
    static final ConsoleFixture console = new ConsoleFixture();
    static ConsoleClient admin;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        admin = console.signIn("admin");
    }

    @AfterAll
    static void stop() {
        http.close();
    }

    @Test
    void aNewTokensSecretIsShownOnceAndWorksAsABearerToken() {
        ConsoleClient.Page created = admin.post("/console/tokens", Map.of("name", "billing", "scopes", "send:emails.* read"));

        assertThat(created.status()).as(created.body()).isEqualTo(200);
        assertThat(created.text()).contains("Token billing created", "Copy it now; it is not shown again.");
        String secret = secretOn(created);
        ApiToken token = tokenNamed("billing");
        assertThat(token.scopes()).containsExactly(Scope.parse("send:emails.*"), Scope.parse("read"));
        assertThat(created.text()).contains(token.id(), "send:emails.* read");

        assertThat(apiStatus(secret)).isEqualTo(200);

        ConsoleClient.Page listed = admin.get("/console/tokens");
        assertThat(listed.text()).contains("billing", token.id(), "send:emails.* read");
        assertThat(listed.body()).doesNotContain(secret).doesNotContain("not shown again");
    }

    @Test
    void scopesMayBeSeparatedByCommasToo() {
        ConsoleClient.Page created = admin.post("/console/tokens", Map.of("name", "commas", "scopes", "receive:jobs.*, operate"));

        assertThat(created.status()).isEqualTo(200);
        assertThat(tokenNamed("commas").scopes()).containsExactly(Scope.parse("receive:jobs.*"), Scope.parse("operate"));
    }

    @Test
    void aRevokedTokenGets401() {
        String secret = secretOn(admin.post("/console/tokens", Map.of("name", "short-lived", "scopes", "read")));
        String id = tokenNamed("short-lived").id();
        assertThat(apiStatus(secret)).isEqualTo(200);

        ConsoleClient.Page revoked = admin.post("/console/tokens/" + id + "/revoke");

        assertThat(revoked.status()).as(revoked.body()).isEqualTo(303);
        assertThat(revoked.location()).isEqualTo("/console/tokens");
        assertThat(admin.get("/console/tokens").text()).contains("Revoked token " + id + " (short-lived)");
        assertThat(apiStatus(secret)).isEqualTo(401);
        assertThat(console.auth().tokens()).extracting(ApiToken::id).doesNotContain(id);
    }

    @Test
    void revokingAnUnknownTokenIs404() {
        assertThat(admin.post("/console/tokens/no-such-token/revoke").status()).isEqualTo(404);
    }

    @Test
    void aBadScopeIs422NamingTheFieldAndKeepsTheInput() {
        ConsoleClient.Page page = admin.post("/console/tokens", Map.of("name", "typo", "scopes", "send read"));

        assertThat(page.status()).isEqualTo(422);
        assertThat(page.text()).contains("scopes: \"send\" needs a queue glob");
        assertThat(page.body()).contains("value=\"typo\"", "value=\"send read\"").doesNotContain("secret-value");
        assertThat(console.auth().tokens()).extracting(ApiToken::name).doesNotContain("typo");
    }

    @Test
    void noScopesOrNoNameIs422NamingTheField() {
        ConsoleClient.Page noScopes = admin.post("/console/tokens", Map.of("name", "empty", "scopes", "  "));
        assertThat(noScopes.status()).isEqualTo(422);
        assertThat(noScopes.text()).contains("scopes: must name at least one scope");

        ConsoleClient.Page noName = admin.post("/console/tokens", Map.of("name", "", "scopes", "read"));
        assertThat(noName.status()).isEqualTo(422);
        assertThat(noName.text()).contains("name: must be 1–100 characters");
    }

    @Test
    void aTokenNameIsRenderedEscaped() {
        ConsoleClient.Page created = admin.post("/console/tokens", Map.of("name", "<b>x</b>", "scopes", "read"));

        assertThat(created.status()).isEqualTo(200);
        assertThat(created.body()).doesNotContain("<b>x</b>").contains("&lt;b&gt;x&lt;/b&gt;");
        assertThat(admin.get("/console/tokens").body()).doesNotContain("<b>x</b>").contains("&lt;b&gt;x&lt;/b&gt;");
    }

    @Test
    void viewersAndOperatorsAreRefusedEveryRoute() {
        String id = console.auth().createToken("kept", List.of(Scope.parse("read")), Instant.now()).token().id();
        for (String role : new String[] {"viewer", "operator"}) {
            ConsoleClient client = console.signIn(role);
            assertThat(client.get("/console/tokens").status()).as("%s GET", role).isEqualTo(403);
            ConsoleClient.Page create = client.post("/console/tokens", Map.of("name", "stolen", "scopes", "admin"));
            assertThat(create.status()).as("%s create", role).isEqualTo(403);
            assertThat(create.body()).doesNotContain("secret-value");
            assertThat(client.post("/console/tokens/" + id + "/revoke").status()).as("%s revoke", role).isEqualTo(403);
        }
        assertThat(console.auth().tokens()).extracting(ApiToken::name).contains("kept").doesNotContain("stolen");
    }

    @Test
    void aPostWithoutTheCsrfTokenIsRefused() {
        String id = console.auth().createToken("guarded", List.of(Scope.parse("read")), Instant.now()).token().id();

        assertThat(admin.postWithoutCsrf("/console/tokens", Map.of("name", "forged", "scopes", "admin")).status()).isEqualTo(403);
        assertThat(admin.postWithoutCsrf("/console/tokens/" + id + "/revoke", Map.of()).status()).isEqualTo(403);

        assertThat(console.auth().tokens()).extracting(ApiToken::name).contains("guarded").doesNotContain("forged");
    }

    private static String secretOn(ConsoleClient.Page page) {
        Matcher m = SECRET.matcher(page.body());
        assertThat(m.find()).as("a secret on the page").isTrue();
        String secret = m.group(1);
        assertThat(m.find()).as("the secret appears once").isFalse();
        return secret;
    }

    private static ApiToken tokenNamed(String name) {
        return console.auth().tokens().stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow();
    }

    private static int apiStatus(String secret) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(console.baseUrl() + "/api/v1/queues"))
                    .header("Authorization", "Bearer " + secret).GET().build();
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

package dev.postroom.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.postroom.server.http.TestServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static dev.postroom.server.http.TestServer.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code /api/v1/tokens} and {@code /api/v1/users}: secrets shown once, never listed; revoked tokens stop working. */
class AdminRoutesTest {
    @RegisterExtension
    static final TestServer server = new TestServer();

    private static JsonNode createToken(String name, String scopes) {
        Reply reply = server.post("/api/v1/tokens", server.admin, "{\"name\":\"" + name + "\",\"scopes\":" + scopes + "}");
        assertThat(reply.status()).as("%s", reply).isEqualTo(201);
        return reply.json();
    }

    // ---------------------------------------------------------------- tokens

    @Test
    void createTokenIs201AndShowsTheSecretThatThenWorks() {
        JsonNode created = createToken("reporting", "[\"read\",\"send:orders-*\"]");

        assertThat(created.get("id").asText()).isNotEmpty();
        assertThat(created.get("name").asText()).isEqualTo("reporting");
        assertThat(created.get("scopes")).extracting(JsonNode::asText).containsExactly("read", "send:orders-*");
        assertThat(Instant.parse(created.get("createdAt").asText())).isBeforeOrEqualTo(Instant.now());
        String secret = created.get("token").asText();
        assertThat(server.get("/api/v1/queues", secret).status()).isEqualTo(200);
    }

    @Test
    void tokenListShowsTokensButNeverTheirSecrets() {
        JsonNode created = createToken("listed", "[\"read\"]");

        Reply reply = server.get("/api/v1/tokens", server.admin);

        assertThat(reply.status()).as("%s", reply).isEqualTo(200);
        assertThat(reply.body()).doesNotContain(created.get("token").asText()).doesNotContain(server.admin);
        List<String> ids = new ArrayList<>();
        for (JsonNode token : reply.json().get("tokens")) {
            ids.add(token.get("id").asText());
            assertThat(token.has("token")).isFalse();
            assertThat(token.has("name")).isTrue();
            assertThat(token.has("scopes")).isTrue();
            assertThat(token.has("createdAt")).isTrue();
            assertThat(token.has("lastUsedAt")).isTrue();
        }
        assertThat(ids).contains(created.get("id").asText());
    }

    @Test
    void createTokenWithAnUnknownScopeIs422NamingScopes() {
        assertProblem(server.post("/api/v1/tokens", server.admin, "{\"name\":\"x\",\"scopes\":[\"superuser\"]}"), 422, "scopes");
        assertProblem(server.post("/api/v1/tokens", server.admin, "{\"name\":\"x\",\"scopes\":[\"send\"]}"), 422, "scopes");
        assertProblem(server.post("/api/v1/tokens", server.admin, "{\"name\":\"x\",\"scopes\":[\"read:q\"]}"), 422, "scopes");
    }

    @Test
    void createTokenWithoutScopesIs422NamingScopes() {
        assertProblem(server.post("/api/v1/tokens", server.admin, "{\"name\":\"x\"}"), 422, "scopes");
        assertProblem(server.post("/api/v1/tokens", server.admin, "{\"name\":\"x\",\"scopes\":[]}"), 422, "scopes");
    }

    @Test
    void createTokenWithoutNameIs422NamingName() {
        assertProblem(server.post("/api/v1/tokens", server.admin, "{\"scopes\":[\"read\"]}"), 422, "name");
        assertProblem(server.post("/api/v1/tokens", server.admin, "{\"name\":\"\",\"scopes\":[\"read\"]}"), 422, "name");
    }

    @Test
    void revokeIs204AndTheTokenStopsWorking() {
        JsonNode created = createToken("short-lived", "[\"read\"]");
        String secret = created.get("token").asText();
        assertThat(server.get("/api/v1/queues", secret).status()).isEqualTo(200);

        Reply reply = server.delete("/api/v1/tokens/" + created.get("id").asText(), server.admin);

        assertThat(reply.status()).as("%s", reply).isEqualTo(204);
        assertProblem(server.get("/api/v1/queues", secret), 401);
        assertThat(server.get("/api/v1/tokens", server.admin).body()).doesNotContain(created.get("id").asText());
    }

    @Test
    void revokeOfAnUnknownTokenIs404() {
        assertProblem(server.delete("/api/v1/tokens/no-such-token", server.admin), 404);
    }

    // ---------------------------------------------------------------- users

    @Test
    void addUserIs201WithUsernameAndRoleThenPasswordChangeAndRemovalAre204() {
        Reply added = server.post("/api/v1/users", server.admin, "{\"username\":\"ops.alice\",\"password\":\"correct horse\",\"role\":\"Operator\"}");
        assertThat(added.status()).as("%s", added).isEqualTo(201);
        assertThat(added.json().get("username").asText()).isEqualTo("ops.alice");
        assertThat(added.json().get("role").asText()).isEqualTo("operator");
        assertThat(added.body()).doesNotContain("correct horse");

        Reply changed = server.put("/api/v1/users/ops.alice/password", server.admin, "{\"password\":\"battery staple\"}");
        assertThat(changed.status()).as("%s", changed).isEqualTo(204);

        Reply removed = server.delete("/api/v1/users/ops.alice", server.admin);
        assertThat(removed.status()).as("%s", removed).isEqualTo(204);
        assertProblem(server.delete("/api/v1/users/ops.alice", server.admin), 404);
    }

    @Test
    void addUserWithAnUnknownRoleIs422NamingRole() {
        assertProblem(server.post("/api/v1/users", server.admin, "{\"username\":\"carol\",\"password\":\"0123456789\",\"role\":\"root\"}"),
                422, "role");
    }

    @Test
    void addUserWithAShortPasswordIs422NamingPassword() {
        assertProblem(server.post("/api/v1/users", server.admin, "{\"username\":\"dave\",\"password\":\"short\"}"), 422, "password");
    }

    @Test
    void addUserWithAnInvalidNameIs422NamingUsername() {
        assertProblem(server.post("/api/v1/users", server.admin, "{\"username\":\"has space\",\"password\":\"0123456789\"}"), 422, "username");
        assertProblem(server.post("/api/v1/users", server.admin, "{\"password\":\"0123456789\"}"), 422, "username");
    }

    @Test
    void aUserAddedWithoutRoleIsAViewerAndAddingItTwiceIs422NamingUsername() {
        String body = "{\"username\":\"erin\",\"password\":\"0123456789\"}";
        Reply added = server.post("/api/v1/users", server.admin, body);
        assertThat(added.status()).as("%s", added).isEqualTo(201);
        assertThat(added.json().get("role").asText()).isEqualTo("viewer");

        assertProblem(server.post("/api/v1/users", server.admin, body), 422, "username");
    }

    @Test
    void passwordOfAnUnknownUserIs404() {
        assertProblem(server.put("/api/v1/users/nobody/password", server.admin, "{\"password\":\"0123456789\"}"), 404);
    }

    @Test
    void aShortNewPasswordIs422NamingPassword() {
        assertProblem(server.put("/api/v1/users/nobody/password", server.admin, "{\"password\":\"short\"}"), 422, "password");
    }

    @Test
    void removalOfAnUnknownUserIs404() {
        assertProblem(server.delete("/api/v1/users/nobody", server.admin), 404);
    }

    @Test
    void removingTheOnlyAdminIs409SayingThereMustBeOne() {
        Reply added = server.post("/api/v1/users", server.admin, "{\"username\":\"only.admin\",\"password\":\"0123456789\",\"role\":\"admin\"}");
        assertThat(added.status()).as("%s", added).isEqualTo(201);

        Reply refused = server.delete("/api/v1/users/only.admin", server.admin);
        assertProblem(refused, 409);
        assertThat(refused.json().get("detail").asText()).contains("there must be at least one admin");
    }
}

package dev.postroom.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two {@code postroom server --store postgres} processes on one empty schema, started together
 * without POSTROOM_ADMIN_*: exactly one creates and prints the first admin, and from then on both
 * know the same users, tokens and audit log. A token made through A works on B, a user added
 * through A signs in to B's console (and is signed out there once removed through A), what is done
 * on B is in the log A serves, and a token revoked through A stops working on B. Needs {@code POSTROOM_TEST_PG_URL}, like {@link PostgresServerTest}.
 */
class ClusterAuthTest {
    private static final Pattern PRINTED_TOKEN = Pattern.compile("admin token:\\s+(pr_\\S+)");
    private static final HttpClient CONSOLE = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    private final ObjectMapper mapper = new ObjectMapper();
    private final List<ServerProcess> servers = new ArrayList<>();
    private String schema;

    @TempDir
    Path dir;

    @AfterEach
    void stop() throws Exception {
        for (ServerProcess server : servers) {
            server.close();
        }
        if (schema != null) {
            TestDatabase.dropSchema(schema);
        }
    }

    @Test
    void twoNodesShareOneFirstAdminAndThenUsersTokensAndTheAuditLog() throws Exception {
        String url = TestDatabase.url();
        schema = TestDatabase.newSchemaName();
        for (String node : List.of("a", "b")) {
            servers.add(ServerProcess.startWithoutAdminSecrets("--store", "postgres", "--db-url", url, "--db-schema", schema,
                    "--db-pool-size", "3", "--data", dir.resolve(node).toString(), "--shutdown-seconds", "5", "--node", "node-" + node));
        }
        ServerProcess a = servers.get(0).awaitListening();
        ServerProcess b = servers.get(1).awaitListening();

        // Exactly one node created the first admin and printed its secrets; the other printed none.
        List<String> printed = servers.stream().map(ServerProcess::startOutput).filter(out -> out.contains("First start")).toList();
        assertThat(printed).as("nodes that printed a first admin:\n%s\n---\n%s", a.startOutput(), b.startOutput()).hasSize(1);
        ServerProcess quiet = printed.getFirst().equals(a.startOutput()) ? b : a;
        assertThat(quiet.startOutput()).doesNotContain("admin password").doesNotContain("admin token").doesNotContain("pr_");
        assertThat(rows("SELECT username || ' ' || role FROM " + schema + ".auth_users")).containsExactly("admin ADMIN");
        assertThat(rows("SELECT name FROM " + schema + ".auth_tokens")).containsExactly("admin");
        Matcher printedToken = PRINTED_TOKEN.matcher(printed.getFirst());
        assertThat(printedToken.find()).as(printed.getFirst()).isTrue();
        String admin = printedToken.group(1);

        // The printed token works on both nodes, whichever printed it.
        assertThat(a.call(admin, "GET", "/api/v1/queues", null).statusCode()).isEqualTo(200);
        assertThat(b.call(admin, "GET", "/api/v1/queues", null).statusCode()).isEqualTo(200);

        // A token created through A authenticates on B.
        HttpResponse<String> created = a.call(admin, "POST", "/api/v1/tokens", "{\"name\":\"ci-bot\",\"scopes\":[\"read\"]}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode token = mapper.readTree(created.body());
        String ciBot = token.path("token").asText();
        assertThat(b.call(ciBot, "GET", "/api/v1/queues", null).statusCode()).isEqualTo(200);
        assertThat(b.call(ciBot, "PUT", "/api/v1/queues/not-allowed", "{}").statusCode()).as("read scope only").isEqualTo(403);

        // A user added through A signs in to B's console.
        HttpResponse<String> added = a.call(admin, "POST", "/api/v1/users",
                "{\"username\":\"ann\",\"password\":\"ann-password-123\",\"role\":\"operator\"}");
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        HttpResponse<String> signIn = signIn(b, "ann", "ann-password-123");
        assertThat(signIn.statusCode()).as(signIn.body()).isEqualTo(303);
        String cookie = signIn.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
        HttpResponse<String> overview = CONSOLE.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + b.port() + "/console"))
                .header("Cookie", cookie).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(overview.statusCode()).as("B's console for ann").isEqualTo(200);
        assertThat(overview.body()).contains("ann");

        // Removing ann through A ends her session on B at B's next check.
        assertThat(a.call(admin, "DELETE", "/api/v1/users/ann", null).statusCode()).isEqualTo(204);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(CONSOLE.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + b.port() + "/console")).header("Cookie", cookie).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).as("B's console for removed ann").isEqualTo(302));

        // What is done on B is in the audit log that A serves.
        assertThat(b.call(admin, "PUT", "/api/v1/queues/invoices", "{}").statusCode()).isEqualTo(201);
        JsonNode entries = mapper.readTree(a.call(admin, "GET", "/api/v1/audit?target=invoices", null).body()).path("entries");
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).path("action").asText()).isEqualTo("queue.create");
        assertThat(entries.get(0).path("actor").asText()).startsWith("token:admin/");
        JsonNode logins = mapper.readTree(a.call(admin, "GET", "/api/v1/audit?actor=user:ann&action=user.login", null).body()).path("entries");
        assertThat(logins).as("ann's sign-in on B, listed by A").hasSize(1);
        JsonNode tokenCreated = mapper.readTree(b.call(admin, "GET", "/api/v1/audit?action=token.create", null).body()).path("entries");
        assertThat(tokenCreated).as("the token made on A, listed by B").hasSize(1);

        // A token revoked through A stops working on B once B checks it again.
        assertThat(a.call(admin, "DELETE", "/api/v1/tokens/" + token.path("id").asText(), null).statusCode()).isEqualTo(204);
        assertThat(a.call(ciBot, "GET", "/api/v1/queues", null).statusCode()).as("on A, at once").isEqualTo(401);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(b.call(ciBot, "GET", "/api/v1/queues", null).statusCode()).as("on B").isEqualTo(401));
    }

    private static HttpResponse<String> signIn(ServerProcess node, String username, String password) throws Exception {
        String form = "username=" + URLEncoder.encode(username, StandardCharsets.UTF_8)
                + "&password=" + URLEncoder.encode(password, StandardCharsets.UTF_8) + "&next=%2Fconsole";
        return CONSOLE.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/console/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<String> rows(String sql) throws Exception {
        List<String> values = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(TestDatabase.url()); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        }
        return values;
    }
}

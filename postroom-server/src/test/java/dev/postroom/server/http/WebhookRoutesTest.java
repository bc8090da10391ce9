package dev.postroom.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.postroom.server.audit.AuditEntry;
import dev.postroom.server.audit.AuditQuery;
import dev.postroom.server.http.TestServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.postroom.server.http.TestServer.assertProblem;
import static dev.postroom.server.http.TestServer.uniqueQueue;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code /api/v1/webhooks}: register, list, replace, rotate and delete, the secret shown once, the refusals and the audit. */
class WebhookRoutesTest {
    @RegisterExtension
    static final TestServer server = new TestServer();

    @Test
    void aNewWebhookShowsItsSecretOnceAndIsListedWithoutIt() {
        String name = uniqueQueue("hook");
        Reply created = server.put("/api/v1/webhooks/" + name, server.admin,
                "{\"url\": \"https://hooks.example.com/services/T0/B0/credential\", \"events\": [\"queue.stale\", \"message.dead\"],"
                        + " \"queues\": [\"billing.*\"], \"format\": \"slack\", \"staleSeconds\": 120}");

        assertThat(created.status()).as("%s", created).isEqualTo(201);
        JsonNode body = created.json();
        assertThat(body.get("secret").asText()).startsWith("whsec_").hasSizeGreaterThan(40);
        assertThat(body.get("events")).extracting(JsonNode::asText).containsExactly("message.dead", "queue.stale");
        assertThat(body.get("format").asText()).isEqualTo("slack");
        assertThat(body.get("staleSeconds").asLong()).isEqualTo(120);
        assertThat(body.get("unconsumedSeconds").asLong()).isEqualTo(300);
        Reply list = server.get("/api/v1/webhooks", server.admin);
        assertThat(list.body()).contains(name).doesNotContain(body.get("secret").asText()).doesNotContain("\"secret\"");
        assertThat(server.audit().browse(AuditQuery.builder().target(name).build()).entries()).singleElement().satisfies(entry -> {
            assertThat(entry.action()).isEqualTo("webhook.create");
            assertThat(entry.detail().toString()).contains("https://hooks.example.com").doesNotContain("credential")
                    .doesNotContain(body.get("secret").asText());
        });
    }

    @Test
    void replacingKeepsTheSecretUnlessAskedToRotateIt() {
        String name = uniqueQueue("hook");
        String put = "{\"url\": \"http://127.0.0.1:9/a\", \"events\": [\"node.down\"]";
        JsonNode first = server.put("/api/v1/webhooks/" + name, server.admin, put + "}").json();

        Reply replaced = server.put("/api/v1/webhooks/" + name, server.admin, "{\"url\": \"http://127.0.0.1:9/b\", \"events\": [\"node.down\"]}");
        Reply rotated = server.put("/api/v1/webhooks/" + name, server.admin, put + ", \"rotateSecret\": true}");

        assertThat(replaced.status()).isEqualTo(200);
        assertThat(replaced.json().get("secret").isNull()).isTrue();
        assertThat(replaced.json().get("url").asText()).isEqualTo("http://127.0.0.1:9/b");
        assertThat(replaced.json().get("createdAt")).isEqualTo(first.get("createdAt"));
        assertThat(rotated.status()).isEqualTo(200);
        assertThat(rotated.json().get("secret").asText()).startsWith("whsec_").isNotEqualTo(first.get("secret").asText());
    }

    @Test
    void invalidWebhooksAreRefusedNamingTheField() {
        String path = "/api/v1/webhooks/" + uniqueQueue("hook");
        assertProblem(server.put(path, server.admin, "{\"events\": [\"node.down\"]}"), 422, "url");
        assertProblem(server.put(path, server.admin, "{\"url\": \"ftp://example.com/x\", \"events\": [\"node.down\"]}"), 422, "url");
        assertProblem(server.put(path, server.admin, "{\"url\": \"/relative\", \"events\": [\"node.down\"]}"), 422, "url");
        assertProblem(server.put(path, server.admin, "{\"url\": \"https://user:pw@example.com/x\", \"events\": [\"node.down\"]}"), 422, "url");
        assertProblem(server.put(path, server.admin, "{\"url\": \"https://example.com/" + "x".repeat(2048) + "\", \"events\": [\"node.down\"]}"), 422, "url");
        assertProblem(server.put(path, server.admin, "{\"url\": \"https://example.com/x\", \"events\": []}"), 422, "events");
        assertProblem(server.put(path, server.admin, "{\"url\": \"https://example.com/x\", \"events\": [\"queue.gone\"]}"), 422, "events");
        assertProblem(server.put(path, server.admin, "{\"url\": \"https://example.com/x\", \"events\": [\"node.down\"], \"format\": \"xml\"}"), 422, "format");
        assertProblem(server.put(path, server.admin, "{\"url\": \"https://example.com/x\", \"events\": [\"node.down\"], \"queues\": [\"a b\"]}"), 422, "queues");
        assertProblem(server.put(path, server.admin, "{\"url\": \"https://example.com/x\", \"events\": [\"node.down\"], \"staleSeconds\": 0}"), 422, "staleSeconds");
        assertProblem(server.put(path, server.admin, "{\"url\": \"https://example.com/x\", \"events\": [\"node.down\"], \"secret\": \"mine\"}"), 400);
        assertProblem(server.put("/api/v1/webhooks/bad%20name", server.admin, "{\"url\": \"https://example.com/x\", \"events\": [\"node.down\"]}"), 422, "name");
        assertProblem(server.put(path, server.token("operate"), "{\"url\": \"https://example.com/x\", \"events\": [\"node.down\"]}"), 403);
        assertThat(server.get("/api/v1/webhooks", server.admin).body()).doesNotContain(path.substring(path.lastIndexOf('/') + 1));
    }

    @Test
    void deletingForgetsTheWebhookAndIsAudited() {
        String name = uniqueQueue("hook");
        server.put("/api/v1/webhooks/" + name, server.admin, "{\"url\": \"http://127.0.0.1:9/a\", \"events\": [\"message.dead\"]}");

        Reply deleted = server.delete("/api/v1/webhooks/" + name, server.admin);

        assertThat(deleted.status()).isEqualTo(204);
        assertProblem(server.delete("/api/v1/webhooks/" + name, server.admin), 404);
        assertThat(server.get("/api/v1/webhooks", server.admin).body()).doesNotContain(name);
        assertThat(server.audit().browse(AuditQuery.builder().target(name).build()).entries())
                .extracting(AuditEntry::action).containsExactly("webhook.delete", "webhook.create");
    }
}

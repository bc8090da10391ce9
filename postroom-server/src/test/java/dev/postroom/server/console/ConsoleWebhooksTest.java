package dev.postroom.server.console;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The Alerts page: an admin registers a webhook (its secret shown once), changes it, and deletes it; all audited without the secret. */
class ConsoleWebhooksTest {
    @RegisterExtension
    static final ConsoleFixture console = new ConsoleFixture();

    @Test
    void anAdminRegistersAWebhookSeesItsSecretOnceAndDeletesIt() {
        ConsoleClient admin = console.signIn("admin");
        String name = ConsoleFixture.uniqueQueue("hook");

        ConsoleClient.Page saved = admin.post("/console/webhooks", Map.of("name", name, "url", "https://hooks.example.com/services/T0/B0/xyz",
                "events", "message.dead", "queues", "billing.* exports", "format", "slack"));

        assertThat(saved.status()).as(saved.body()).isEqualTo(200);
        assertThat(saved.body()).contains("id=\"secret\"").contains("whsec_");
        String secret = saved.body().replaceAll("(?s).*<pre id=\"secret\">([^<]*)</pre>.*", "$1");
        assertThat(secret).startsWith("whsec_").hasSizeLessThan(100);
        ConsoleClient.Page list = admin.get("/console/webhooks");
        assertThat(list.text()).contains(name, "https://hooks.example.com", "message.dead", "billing.* exports", "slack")
                .doesNotContain(secret).doesNotContain("/services/T0");
        assertThat(admin.get("/console/audit?target=" + name).body()).contains("webhook.create").doesNotContain(secret)
                .doesNotContain("/services/T0");

        ConsoleClient.Page changed = admin.post("/console/webhooks", Map.of("name", name, "url", "https://hooks.example.com/services/T0/B0/xyz",
                "events", "node.down", "format", "json"));
        assertThat(changed.status()).isEqualTo(303);
        assertThat(admin.get("/console/webhooks").text()).contains("node.down").contains("secret is unchanged");

        assertThat(admin.post("/console/webhooks/" + name + "/delete").status()).isEqualTo(303);
        assertThat(admin.get("/console/webhooks").text()).doesNotContain(name + " https");
    }

    @Test
    void aWebhookWithoutEventsOrWithABadUrlIs422NamingTheField() {
        ConsoleClient admin = console.signIn("admin");

        ConsoleClient.Page refused = admin.post("/console/webhooks", Map.of("name", "bad", "url", "ftp://example.com/x", "events", "message.dead"));

        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.body()).contains("id=\"webhook-error\"").contains("url");
        assertThat(admin.post("/console/webhooks", Map.of("name", "bad", "url", "https://example.com/x")).status()).isEqualTo(422);
    }
}

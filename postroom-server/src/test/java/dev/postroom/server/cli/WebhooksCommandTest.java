package dev.postroom.server.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dev.postroom.server.cli.SendCommandTest.json;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code postroom webhooks set|list|delete}. */
class WebhooksCommandTest {
    private final CannedServer server = new CannedServer();

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void setSendsTheSettingsAndPrintsTheSecretOnceWithAWarning() {
        server.answer("PUT", "/api/v1/webhooks/ops-slack", 201, """
                {"name":"ops-slack","url":"https://hooks.example.com/x","events":["message.dead","queue.stale"],
                 "queues":["billing.*"],"format":"slack","staleSeconds":120,"unconsumedSeconds":300,"secret":"whsec_abc"}""");

        CliRun run = CliRun.run(new WebhooksCommand(), "set", "ops-slack", "https://hooks.example.com/x",
                "--event", "message.dead,queue.stale", "--queue", "billing.*", "--format", "slack", "--stale-seconds", "120",
                "--url", server.url(), "--token", "admin");

        assertThat(run.exitCode()).as(run.err()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("""
                name    ops-slack
                url     https://hooks.example.com/x
                events  message.dead,queue.stale
                queues  billing.*
                format  slack
                secret  whsec_abc
                """);
        assertThat(run.err()).contains("not shown again");
        assertThat(server.only("PUT", "/api/v1/webhooks/ops-slack").json()).isEqualTo(json("""
                {"url":"https://hooks.example.com/x","events":["message.dead","queue.stale"],"queues":["billing.*"],
                 "format":"slack","staleSeconds":120}"""));
    }

    @Test
    void listShowsEveryWebhookWithoutSecrets() {
        server.answer("GET", "/api/v1/webhooks", 200, """
                {"webhooks":[{"name":"ops","url":"http://127.0.0.1:9/hook","events":["node.down"],"queues":[],"format":"json"}]}""");

        CliRun run = CliRun.run(new WebhooksCommand(), "list", "--url", server.url(), "--token", "admin");

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).contains("ops").contains("node.down").contains("http://127.0.0.1:9/hook").contains("*");
    }

    @Test
    void deleteRemovesTheWebhook() {
        server.answer("DELETE", "/api/v1/webhooks/ops", 204, "");

        CliRun run = CliRun.run(new WebhooksCommand(), "delete", "ops", "--url", server.url(), "--token", "admin");

        assertThat(run.exitCode()).isEqualTo(0);
        assertThat(run.out()).isEqualTo("deleted webhook ops\n");
        assertThat(server.only("DELETE", "/api/v1/webhooks/ops")).isNotNull();
    }
}

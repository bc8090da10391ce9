package dev.postroom.server.console;

import dev.postroom.Message;
import dev.postroom.MessageState;
import dev.postroom.QueuePolicy;
import dev.postroom.RawJson;
import dev.postroom.ReceiveOptions;
import dev.postroom.ReceivedMessage;
import dev.postroom.SendOptions;
import dev.postroom.server.audit.AuditEntry;
import dev.postroom.server.audit.AuditQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ConsoleMessagesTest {
    @RegisterExtension
    static final ConsoleFixture console = new ConsoleFixture();

    @Test
    void theBrowserFindsAMessageByTextAndItsPageShowsPayloadHeadersAndTimeline() {
        String queue = ConsoleFixture.uniqueQueue("browse");
        console.postroom().createQueue(queue);
        send(queue, "{\"order\":\"order-1\"}");
        String id = console.postroom().send(queue, new RawJson("{\"order\":\"needle-42\"}"),
                SendOptions.builder().header("tenant", "acme").build()).join().id();
        ConsoleClient client = console.signIn("viewer");

        ConsoleClient.Page found = client.get("/console/messages?queue=" + queue + "&q=needle-42");
        assertThat(found.body()).contains(id).doesNotContain("order-1");

        ConsoleClient.Page page = client.get("/console/messages/" + id);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.text()).contains("needle-42", "tenant", "acme", "sent");
    }

    @Test
    void aMessagePageShowsTheTraceIdOfItsTraceparent() {
        String queue = ConsoleFixture.uniqueQueue("traced");
        console.postroom().createQueue(queue);
        String traced = console.postroom().send(queue, new RawJson("{}"), SendOptions.builder()
                .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").build()).join().id();
        String untraced = console.postroom().send(queue, new RawJson("{}")).join().id();
        ConsoleClient client = console.signIn("viewer");

        assertThat(client.get("/console/messages/" + traced).body())
                .contains("<dt>Trace</dt><dd><code id=\"trace-id\">4bf92f3577b34da6a3ce929d0e0e4736</code></dd>");
        assertThat(client.get("/console/messages/" + untraced).body()).doesNotContain("<dt>Trace</dt>");
    }

    @Test
    void anUnknownMessageIsANotFoundPageNotJson() {
        ConsoleClient.Page page = console.signIn("viewer").get("/console/messages/01a00000-0000-7000-8000-000000000000");
        assertThat(page.status()).isEqualTo(404);
        assertThat(page.body()).contains("<html").contains("Not found");
    }

    @Test
    void aBadTimeFilterIsA400NamingTheField() {
        ConsoleClient.Page page = console.signIn("viewer").get("/console/messages?since=yesterday");
        assertThat(page.status()).isEqualTo(400);
        assertThat(page.text()).contains("since");
    }

    @Test
    void anOperatorRetriesADeadMessageAndTheAuditLogSaysWho() {
        String queue = ConsoleFixture.uniqueQueue("retry");
        String id = dead(queue, "payment provider timed out");
        ConsoleClient client = console.signIn("operator");

        ConsoleClient.Page retried = client.post("/console/messages/" + id + "/retry");
        assertThat(retried.status()).isEqualTo(303);
        assertThat(state(id)).isEqualTo(MessageState.READY);
        assertThat(client.get(retried.location()).text()).contains("Retried");

        List<AuditEntry> entries = console.audit().browse(AuditQuery.builder().target(id).build()).entries();
        assertThat(entries).singleElement().satisfies(e -> {
            assertThat(e.actor()).isEqualTo("user:operator");
            assertThat(e.action()).isEqualTo("message.retry");
            assertThat(e.address()).isNotBlank();
        });
        assertThat(client.get("/console/audit?target=" + id).text()).contains("user:operator", "message.retry");
    }

    @Test
    void aViewerIsRefusedEveryMessageActionOnTheServer() {
        String queue = ConsoleFixture.uniqueQueue("viewer");
        String id = dead(queue, "boom");
        ConsoleClient viewer = console.signIn("viewer");
        assertThat(viewer.get("/console/messages/" + id).body()).doesNotContain("/retry\"");
        for (String action : List.of("retry", "cancel", "delete", "resend")) {
            assertThat(viewer.post("/console/messages/" + id + "/" + action, Map.of("queue", queue, "payload", "{}", "headers", "{}")).status())
                    .as(action).isEqualTo(403);
        }
        assertThat(viewer.get("/console/messages/" + id + "/resend").status()).isEqualTo(403);
        assertThat(state(id)).isEqualTo(MessageState.DEAD);
    }

    @Test
    void aPostWithoutCsrfChangesNothing() {
        String id = dead(ConsoleFixture.uniqueQueue("csrf"), "boom");
        ConsoleClient operator = console.signIn("operator");
        assertThat(operator.postWithoutCsrf("/console/messages/" + id + "/delete", Map.of()).status()).isEqualTo(403);
        assertThat(console.postroom().get(id)).isPresent();
    }

    @Test
    void retryingAMessageInAStateThatCannotBeRetriedIsAConflictPage() {
        String queue = ConsoleFixture.uniqueQueue("conflict");
        console.postroom().createQueue(queue);
        String id = send(queue, "{}");
        ConsoleClient.Page page = console.signIn("operator").post("/console/messages/" + id + "/retry");
        assertThat(page.status()).isEqualTo(409);
        assertThat(page.body()).contains("<html");
    }

    @Test
    void editAndResendSendsALinkedCopyAndKeepsTheOriginal() {
        String queue = ConsoleFixture.uniqueQueue("resend");
        String id = dead(queue, "bad address");
        ConsoleClient operator = console.signIn("operator");
        assertThat(operator.get("/console/messages/" + id + "/resend").text()).contains("\"n\" : 1");

        ConsoleClient.Page sent = operator.post("/console/messages/" + id + "/resend",
                Map.of("queue", queue, "payload", "{\"n\": 2}", "headers", "{\"tenant\": \"acme\"}"));
        assertThat(sent.status()).isEqualTo(303);
        String copyId = sent.location().substring("/console/messages/".length());
        Message copy = console.postroom().get(copyId).orElseThrow();
        assertThat(copy.payloadJson()).isEqualTo("{\"n\":2}");
        assertThat(copy.headers()).containsEntry("tenant", "acme").containsEntry(MessagePages.RESENT_FROM, id);
        Message original = console.postroom().get(id).orElseThrow();
        assertThat(original.state()).isEqualTo(MessageState.DEAD);
        assertThat(original.payloadJson()).isEqualTo("{\"n\":1}");
        assertThat(operator.get(sent.location()).text()).contains("Resent from", id);
        assertThat(console.audit().browse(AuditQuery.builder().action("message.resend").target(id).build()).entries()).hasSize(1);
    }

    @Test
    void resendingInvalidJsonIsRefusedAndSendsNothing() {
        String queue = ConsoleFixture.uniqueQueue("badjson");
        String id = dead(queue, "boom");
        long before = console.postroom().queue(queue).counts().ready();
        ConsoleClient.Page page = console.signIn("operator").post("/console/messages/" + id + "/resend",
                Map.of("queue", queue, "payload", "{\"n\": ", "headers", "{}"));
        assertThat(page.status()).isEqualTo(422);
        assertThat(page.text()).contains("Payload is not valid JSON");
        assertThat(console.postroom().queue(queue).counts().ready()).isEqualTo(before);
        ConsoleClient.Page badHeaders = console.signIn("operator").post("/console/messages/" + id + "/resend",
                Map.of("queue", queue, "payload", "{}", "headers", "[1]"));
        assertThat(badHeaders.status()).isEqualTo(422);
        assertThat(badHeaders.text()).contains("Headers must be a JSON object");
    }

    @Test
    void markupInAPayloadHeaderOrErrorRendersAsText() {
        String queue = ConsoleFixture.uniqueQueue("xss");
        console.postroom().createQueue(queue, QueuePolicy.DEFAULT.withMaxAttempts(1));
        String id = console.postroom().send(queue, new RawJson("{\"html\":\"<script>alert(1)</script>\"}"),
                SendOptions.builder().header("note", "<b>bold</b>").build()).join().id();
        nackAll(queue, "<script>alert(3)</script>");
        ConsoleClient client = console.signIn("viewer");
        for (String path : List.of("/console/messages/" + id, "/console/messages?queue=" + queue)) {
            String body = client.get(path).body();
            assertThat(body).as(path).doesNotContain("<script>alert").doesNotContain("<b>bold");
            assertThat(body).as(path).contains("&lt;script&gt;alert(");
        }
    }

    private static String send(String queue, String json) {
        return console.postroom().send(queue, new RawJson(json)).join().id();
    }

    /** A message that failed its only attempt with {@code error}. */
    private static String dead(String queue, String error) {
        console.postroom().createQueue(queue, QueuePolicy.DEFAULT.withMaxAttempts(1));
        String id = send(queue, "{\"n\":1}");
        nackAll(queue, error);
        assertThat(state(id)).isEqualTo(MessageState.DEAD);
        return id;
    }

    private static void nackAll(String queue, String error) {
        try {
            for (ReceivedMessage m : console.postroom().receive(queue, new ReceiveOptions(100, Duration.ZERO, null))) {
                console.postroom().nack(m.id(), m.leaseId(), error, "java.lang.IllegalStateException: " + error + "\n\tat Example.run", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static MessageState state(String id) {
        return console.postroom().get(id).orElseThrow().state();
    }
}

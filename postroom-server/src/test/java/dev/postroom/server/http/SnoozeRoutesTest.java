package dev.postroom.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.postroom.server.http.TestServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.postroom.server.http.TestServer.assertProblem;
import static dev.postroom.server.http.TestServer.uniqueQueue;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code POST /api/v1/messages/{id}/snooze} and the queue policy's {@code maxSnoozes}. */
class SnoozeRoutesTest {
    @RegisterExtension
    static final TestServer server = new TestServer();

    private static Reply snooze(JsonNode leased, String seconds) {
        return server.post("/api/v1/messages/" + leased.get("id").asText() + "/snooze", server.admin,
                "{\"leaseId\":\"" + leased.get("leaseId").asText() + "\"" + (seconds == null ? "" : ",\"seconds\":" + seconds) + "}");
    }

    @Test
    void aSnoozedMessageIsScheduledWithItsAttemptGivenBackAndCounted() {
        String queue = uniqueQueue("snz");
        server.createQueue(queue);
        String id = server.send(queue, "{\"file\":\"orders.csv\"}");
        JsonNode leased = server.receiveOne(queue);

        Reply snoozed = snooze(leased, "60");

        assertThat(snoozed.status()).as("%s", snoozed).isEqualTo(200);
        JsonNode message = snoozed.json();
        assertThat(message.get("id").asText()).isEqualTo(id);
        assertThat(message.get("state").asText()).isEqualTo("SCHEDULED");
        assertThat(message.get("attempt").asInt()).isZero();
        assertThat(message.get("snoozes").asInt()).isEqualTo(1);
        assertThat(message.get("errors")).isEmpty();
        assertThat(message.get("timeline").get(message.get("timeline").size() - 1).get("reason").asText())
                .isEqualTo("snoozed for 60.0 s (1 of 100)");
        assertProblem(snooze(leased, "60"), 409);
    }

    @Test
    void badSnoozesAreRefusedAndChangeNothing() {
        String queue = uniqueQueue("snz");
        server.createQueue(queue);
        server.send(queue, "1");
        JsonNode leased = server.receiveOne(queue);

        assertProblem(snooze(leased, null), 422, "seconds");
        assertProblem(snooze(leased, "-5"), 422, "seconds");
        assertProblem(snooze(leased, "\"soon\""), 400);
        assertThat(server.message(leased.get("id").asText()).get("state").asText()).isEqualTo("IN_FLIGHT");
        assertThat(server.message(leased.get("id").asText()).get("snoozes").asInt()).isZero();
    }

    @Test
    void theQueuePolicyCapsSnoozesAndOneMoreIsDead() {
        String queue = uniqueQueue("snz");
        server.createQueue(queue, "{\"maxSnoozes\": 1}");
        assertThat(server.get("/api/v1/queues/" + queue, server.admin).json().get("policy").get("maxSnoozes").asInt()).isEqualTo(1);
        server.send(queue, "1");
        assertThat(snooze(server.receiveOne(queue), "0").json().get("state").asText()).isEqualTo("READY");

        JsonNode dead = snooze(server.receiveOne(queue), "0").json();

        assertThat(dead.get("state").asText()).isEqualTo("DEAD");
        assertThat(dead.get("errors").get(0).get("message").asText()).isEqualTo("snoozed too often");
        assertProblem(server.put("/api/v1/queues/" + queue, server.admin, "{\"maxSnoozes\": 0}"), 422, "maxSnoozes");
        Reply reset = server.put("/api/v1/queues/" + queue, server.admin, "{\"maxSnoozes\": null}");
        assertThat(reset.status()).as("%s", reset).isEqualTo(200);
        assertThat(reset.json().get("policy").get("maxSnoozes").asInt()).isEqualTo(100);
    }
}

package dev.postroom.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.postroom.server.http.TestServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.postroom.server.http.TestServer.assertProblem;
import static dev.postroom.server.http.TestServer.uniqueQueue;
import static org.assertj.core.api.Assertions.assertThat;

/** Sends with {@code uniqueKey} and {@code debounceKey} over HTTP: 409 with the holder, 200 with {@code debounced}, field errors. */
class SendKeysRoutesTest {
    @RegisterExtension
    static final TestServer server = new TestServer();

    private static Reply send(String queue, String body) {
        return server.post("/api/v1/queues/" + queue + "/messages", server.admin, body);
    }

    @Test
    void aHeldUniqueKeyIs409NamingTheMessageThatHoldsIt() {
        String queue = uniqueQueue("uk");
        server.createQueue(queue);
        Reply first = send(queue, "{\"payload\": 1, \"uniqueKey\": \"export-7\"}");
        assertThat(first.status()).as("%s", first).isEqualTo(201);

        JsonNode problem = assertProblem(send(queue, "{\"payload\": 2, \"uniqueKey\": \"export-7\"}"), 409, "uniqueKey");

        assertThat(problem.get("existingId").asText()).isEqualTo(first.json().get("id").asText());
        assertThat(server.counts(queue).get("ready").asInt()).isEqualTo(1);
        assertProblem(server.post("/api/v1/queues/" + queue + "/messages:batch", server.admin,
                "{\"messages\": [{\"payload\": 3, \"uniqueKey\": \"other\"}, {\"payload\": 4, \"uniqueKey\": \"export-7\"}]}"), 409);
        assertThat(server.counts(queue).get("ready").asInt()).as("the batch stored nothing").isEqualTo(1);
    }

    @Test
    void aDebouncedSendIs200IntoThePendingMessage() {
        String queue = uniqueQueue("db");
        server.createQueue(queue);
        Reply first = send(queue, "{\"payload\": {\"edit\": 1}, \"debounceKey\": \"catalogue\", \"debounceSeconds\": 60}");
        assertThat(first.status()).as("%s", first).isEqualTo(201);
        assertThat(first.json().get("state").asText()).isEqualTo("SCHEDULED");
        assertThat(first.json().get("debounced").asBoolean()).isFalse();

        Reply second = send(queue, "{\"payload\": {\"edit\": 2}, \"debounceKey\": \"catalogue\", \"debounceSeconds\": 60, "
                + "\"debounceMaxWaitSeconds\": 300}");

        assertThat(second.status()).as("%s", second).isEqualTo(200);
        assertThat(second.json().get("debounced").asBoolean()).isTrue();
        assertThat(second.json().get("id").asText()).isEqualTo(first.json().get("id").asText());
        assertThat(server.message(first.json().get("id").asText()).get("payload").get("edit").asInt()).isEqualTo(2);
        assertThat(server.counts(queue).get("scheduled").asInt()).isEqualTo(1);
    }

    @Test
    void badDebounceFieldsAre422NamingTheWireField() {
        String queue = uniqueQueue("db");
        server.createQueue(queue);

        assertProblem(send(queue, "{\"payload\": 1, \"debounceKey\": \"k\"}"), 422, "debounceSeconds");
        assertProblem(send(queue, "{\"payload\": 1, \"debounceSeconds\": 5}"), 422, "debounceKey");
        assertProblem(send(queue, "{\"payload\": 1, \"debounceKey\": \"k\", \"debounceSeconds\": 0}"), 422, "debounceSeconds");
        assertProblem(send(queue, "{\"payload\": 1, \"debounceKey\": \"k\", \"debounceSeconds\": 10, \"debounceMaxWaitSeconds\": 5}"),
                422, "debounceMaxWaitSeconds");
        assertProblem(send(queue, "{\"payload\": 1, \"debounceKey\": \"k\", \"debounceSeconds\": 10, \"delaySeconds\": 5}"), 422, "delaySeconds");
        assertProblem(send(queue, "{\"payload\": 1, \"debounceKey\": \"k\", \"debounceSeconds\": 10, \"uniqueKey\": \"u\"}"), 422, "uniqueKey");
        assertThat(server.counts(queue).get("scheduled").asInt()).isZero();
    }
}

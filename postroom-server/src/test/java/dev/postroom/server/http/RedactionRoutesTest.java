package dev.postroom.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.postroom.server.http.TestServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.postroom.server.http.TestServer.assertProblem;
import static dev.postroom.server.http.TestServer.uniqueQueue;
import static org.assertj.core.api.Assertions.assertThat;

/** A queue's {@code sensitiveFields}: masked for a token that may only read, whole for consumers and operators. */
class RedactionRoutesTest {
    @RegisterExtension
    static final TestServer server = new TestServer();

    private static final String PAYLOAD = "{\"order\": \"o-7\", \"card\": {\"number\": \"4111111111111111\"}}";

    @Test
    void aReaderSearchingForAHiddenValueFindsOnlyMessagesWhereItIsVisible() {
        String queue = uniqueQueue("reds");
        server.createQueue(queue, "{\"sensitiveFields\": [\"/card/number\"]}");
        String hidden = server.send(queue, PAYLOAD);
        String visible = server.send(queue, "{\"note\": \"customer quoted 4111111111111111 on the phone\"}");

        JsonNode asReader = server.get("/api/v1/messages?queue=" + queue + "&q=4111111111111111", server.token("read")).json();
        JsonNode asOperator = server.get("/api/v1/messages?queue=" + queue + "&q=4111111111111111", server.token("operate")).json();

        assertThat(asReader.get("messages").findValuesAsText("id")).containsExactly(visible);
        assertThat(asOperator.get("messages").findValuesAsText("id")).containsExactlyInAnyOrder(visible, hidden);
    }

    @Test
    void aReadOnlyTokenSeesTheSensitiveFieldsMaskedAndAConsumerSeesThemWhole() {
        String queue = uniqueQueue("red");
        server.createQueue(queue, "{\"sensitiveFields\": [\"/card/number\"]}");
        assertThat(server.get("/api/v1/queues/" + queue, server.admin).json().get("policy").get("sensitiveFields").get(0).asText())
                .isEqualTo("/card/number");
        String id = server.send(queue, PAYLOAD);
        String reader = server.token("read");

        JsonNode masked = server.get("/api/v1/messages/" + id, reader).json();
        assertThat(masked.get("payload").get("card").get("number").asText()).isEqualTo("***");
        assertThat(masked.get("payload").get("order").asText()).isEqualTo("o-7");
        assertThat(server.get("/api/v1/messages?queue=" + queue, reader).body()).doesNotContain("4111").contains("***");
        assertThat(server.get("/api/v1/messages/" + id, server.token("operate")).body()).contains("4111111111111111");
        assertThat(server.get("/api/v1/messages/" + id, server.token("read", "send:" + queue)).body()).doesNotContain("4111");

        Reply received = server.post("/api/v1/queues/" + queue + "/receive", server.token("receive:" + queue), "{}");
        assertThat(received.json().get("messages").get(0).get("payload").get("card").get("number").asText()).isEqualTo("4111111111111111");
        assertThat(server.get("/api/v1/messages/" + id, server.token("receive:" + queue)).body()).contains("4111111111111111");
    }

    @Test
    void badPointersAreRefusedAndNullRemovesTheFields() {
        String queue = uniqueQueue("red");
        server.createQueue(queue);

        assertProblem(server.put("/api/v1/queues/" + queue, server.admin, "{\"sensitiveFields\": [\"/ok\", \"card/number\"]}"),
                422, "sensitiveFields[1]");
        assertProblem(server.put("/api/v1/queues/" + queue, server.admin, "{\"sensitiveFields\": [null]}"), 422, "sensitiveFields[0]");
        assertThat(server.put("/api/v1/queues/" + queue, server.admin, "{\"sensitiveFields\": [\"/card\"]}").status()).isEqualTo(200);
        Reply cleared = server.put("/api/v1/queues/" + queue, server.admin, "{\"sensitiveFields\": null}");
        assertThat(cleared.json().get("policy").get("sensitiveFields")).isEmpty();
    }
}

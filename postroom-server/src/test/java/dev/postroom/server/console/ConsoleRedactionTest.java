package dev.postroom.server.console;

import dev.postroom.QueuePolicy;
import dev.postroom.RawJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Sensitive fields in the console: masked for viewers on every page that shows a payload, whole for operators. */
class ConsoleRedactionTest {
    @RegisterExtension
    static final ConsoleFixture console = new ConsoleFixture();

    @Test
    void aViewerSearchingForAHiddenValueDoesNotLearnWhichMessageHoldsIt() {
        String queue = ConsoleFixture.uniqueQueue("creds");
        console.postroom().createQueue(queue, QueuePolicy.DEFAULT.withSensitiveFields(List.of("/card/number")));
        String id = console.postroom().send(queue, new RawJson("{\"order\":\"o-7\",\"card\":{\"number\":\"4111111111111111\"}}")).join().id();

        assertThat(console.signIn("viewer").get("/console/messages?queue=" + queue + "&q=4111111111111111").body()).doesNotContain(id);
        assertThat(console.signIn("operator").get("/console/messages?queue=" + queue + "&q=4111111111111111").body()).contains(id);
    }

    @Test
    void aViewerSeesSensitiveFieldsMaskedAndAnOperatorSeesThem() {
        String queue = ConsoleFixture.uniqueQueue("cred");
        console.postroom().createQueue(queue, QueuePolicy.DEFAULT.withSensitiveFields(List.of("/card/number")));
        String id = console.postroom().send(queue, new RawJson("{\"order\":\"o-7\",\"card\":{\"number\":\"4111111111111111\"}}")).join().id();
        ConsoleClient viewer = console.signIn("viewer");

        assertThat(viewer.get("/console/messages/" + id).body()).doesNotContain("4111").contains("***").contains("o-7");
        assertThat(viewer.get("/console/messages?queue=" + queue).body()).doesNotContain("4111");
        assertThat(viewer.get("/console/queues/" + queue).body()).doesNotContain("4111");
        assertThat(console.signIn("operator").get("/console/messages/" + id).body()).contains("4111111111111111");
    }
}

package dev.postroom.server.console;

import dev.postroom.SendOptions;
import dev.postroom.server.audit.AuditEntry;
import dev.postroom.server.audit.AuditQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** An admin erases a customer's messages from the console: preview, erasure, progress page, audit without the data. */
class ConsoleErasureTest {
    @RegisterExtension
    static final ConsoleFixture console = new ConsoleFixture();

    @Test
    void anAdminPreviewsThenErasesACustomersMessages() {
        String queue = ConsoleFixture.uniqueQueue("crm");
        console.postroom().createQueue(queue);
        String customer = "customer-" + queue;
        String gone = console.postroom().send(queue, Map.of("card", "4111"), SendOptions.builder().orderingKey(customer).build()).join().id();
        String kept = console.postroom().send(queue, Map.of("card", "5500")).join().id();
        ConsoleClient admin = console.signIn("admin");
        assertThat(admin.get("/console/erasures").body()).contains("id=\"erasure-form\"");

        ConsoleClient.Page preview = admin.post("/console/erasures", Map.of("orderingKey", customer));
        assertThat(preview.status()).as(preview.body()).isEqualTo(200);
        assertThat(preview.text()).contains("1 message matches", gone);
        assertThat(console.postroom().get(gone)).as("a preview erases nothing").isPresent();

        ConsoleClient.Page started = admin.post("/console/erasures", Map.of("orderingKey", customer, "confirm", "yes"));

        assertThat(started.status()).isEqualTo(303);
        await().atMost(Duration.ofSeconds(30)).until(() -> admin.get(started.location()).text().contains("SUCCEEDED"));
        assertThat(admin.get(started.location()).text()).contains("1 of 1");
        assertThat(console.postroom().get(gone)).isEmpty();
        assertThat(console.postroom().get(kept)).isPresent();
        String id = started.location().substring("/console/erasures/".length());
        await().atMost(Duration.ofSeconds(10)).until(() -> console.audit().browse(AuditQuery.builder().target(id).build()).entries().size() == 2);
        assertThat(console.audit().browse(AuditQuery.builder().target(id).build()).entries()).extracting(AuditEntry::action)
                .containsExactlyInAnyOrder("erasure.start", "erasure.end");
    }

    @Test
    void aFormWithNoConditionIs422AndErasesNothing() {
        ConsoleClient admin = console.signIn("admin");

        ConsoleClient.Page refused = admin.post("/console/erasures", Map.of("orderingKey", "", "confirm", "yes"));

        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.text()).contains("filter");
    }
}

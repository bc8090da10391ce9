package dev.postroom.server.console;

import dev.postroom.Postroom;
import dev.postroom.QueuePolicy;
import dev.postroom.ReceiveOptions;
import dev.postroom.ReceivedMessage;
import dev.postroom.StartedWorkflow;
import dev.postroom.Workflow;
import dev.postroom.WorkflowState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The workflow pages over plain HTTP: the list and its filters, a workflow drawn with its steps and
 * edges and a row per step linking to its message (and back), the operator's retry and cancel with
 * their audit entries, and no action for a viewer.
 */
class ConsoleWorkflowsTest {
    @RegisterExtension
    static final ConsoleFixture console = new ConsoleFixture();

    private static StartedWorkflow closeAccount(String sessions, String refunds) {
        Postroom postroom = console.postroom();
        postroom.createQueue(sessions, QueuePolicy.DEFAULT.withMaxAttempts(1));
        postroom.createQueue(refunds);
        return postroom.workflows().start(Workflow.named("close-account")
                .step("revoke", sessions, Map.of("customer", 7))
                .step("refund", refunds, Map.of("customer", 7), Workflow.after("revoke"))
                .step("goodbye", refunds, Map.of("customer", 7), Workflow.after("refund"))).join();
    }

    private static void failFirstStep(String sessions) throws InterruptedException {
        ReceivedMessage revoke = console.postroom().receive(sessions, new ReceiveOptions(1, Duration.ofSeconds(1), null)).getFirst();
        console.postroom().nack(revoke.id(), revoke.leaseId(), "sessions service down", null, null);
    }

    @Test
    void aWorkflowPageDrawsItsStepsAndEdgesAndEachStepLinksToItsMessage() {
        String sessions = ConsoleFixture.uniqueQueue("cwf-s");
        StartedWorkflow started = closeAccount(sessions, ConsoleFixture.uniqueQueue("cwf-r"));
        ConsoleClient viewer = console.signIn("viewer");

        ConsoleClient.Page page = viewer.get("/console/workflows/" + started.id());

        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("<svg id=\"workflow-graph\"")
                .contains("data-from=\"revoke\" data-to=\"refund\"", "data-from=\"refund\" data-to=\"goodbye\"")
                .contains("<g class=\"wf-node ready\">", "<g class=\"wf-node waiting\">")
                .contains("hx-trigger=\"every 1s\"")
                .doesNotContain("action=\"/console/workflows/" + started.id() + "/cancel\"");
        for (String step : new String[]{"revoke", "refund", "goodbye"}) {
            assertThat(page.body()).contains("href=\"/console/messages/" + started.messageId(step) + "\"");
        }
        assertThat(viewer.get("/console/messages/" + started.messageId("refund")).body())
                .contains("<a id=\"workflow-link\" href=\"/console/workflows/" + started.id() + "\">");
        assertThat(viewer.get("/console/workflows?state=RUNNING&name=close-account").body())
                .contains("href=\"/console/workflows/" + started.id() + "\"");
        assertThat(viewer.get("/console/workflows?state=SUCCEEDED").body()).doesNotContain("href=\"/console/workflows/" + started.id() + "\"");
        assertThat(viewer.get("/console").body()).contains("<a href=\"/console/workflows\"");
    }

    @Test
    void anOperatorRetriesTheDeadStepAndCancelsTheWorkflowAndBothAreAudited() throws InterruptedException {
        String sessions = ConsoleFixture.uniqueQueue("cwf-s");
        StartedWorkflow started = closeAccount(sessions, ConsoleFixture.uniqueQueue("cwf-r"));
        failFirstStep(sessions);
        await().atMost(Duration.ofSeconds(30)).until(() -> console.postroom().workflows().get(started.id()).state() == WorkflowState.FAILED);
        ConsoleClient operator = console.signIn("operator");
        ConsoleClient.Page failed = operator.get("/console/workflows/" + started.id());
        assertThat(failed.body()).contains("<g class=\"wf-node dead\">", "sessions service down", "class=\"wf-edge blocked\"")
                .doesNotContain("hx-trigger=\"every 1s\"");
        assertThat(console.signIn("viewer").post("/console/workflows/" + started.id() + "/retry").status()).isEqualTo(403);

        ConsoleClient.Page retried = operator.post("/console/workflows/" + started.id() + "/retry");

        assertThat(retried.status()).isEqualTo(303);
        assertThat(operator.get("/console/workflows/" + started.id()).body()).contains("Retried revoke");
        await().atMost(Duration.ofSeconds(30)).until(() -> console.postroom().workflows().get(started.id()).state() == WorkflowState.RUNNING);
        assertThat(operator.post("/console/workflows/" + started.id() + "/cancel").status()).isEqualTo(303);
        assertThat(console.postroom().workflows().get(started.id()).state()).isEqualTo(WorkflowState.CANCELLED);
        String audit = operator.get("/console/audit?target=" + started.id()).body();
        assertThat(audit).contains("workflow.retry", "workflow.cancel", "user:operator");
    }

    @Test
    void anUnknownWorkflowIsANotFoundPage() {
        ConsoleClient.Page page = console.signIn("viewer").get("/console/workflows/01a00000-0000-7000-8000-000000000000");

        assertThat(page.status()).isEqualTo(404);
        assertThat(page.body()).contains("<html").contains("workflow not found");
    }
}

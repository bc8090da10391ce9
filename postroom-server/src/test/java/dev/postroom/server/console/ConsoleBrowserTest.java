package dev.postroom.server.console;

import dev.postroom.BatchOptions;
import dev.postroom.BatchResult;
import dev.postroom.MessageState;
import dev.postroom.OutgoingMessage;
import dev.postroom.QueuePolicy;
import dev.postroom.RawJson;
import dev.postroom.ReceiveOptions;
import dev.postroom.ReceivedMessage;
import dev.postroom.SendOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.WebElement;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console in a real browser: what the plain-HTTP tests cannot see — htmx swapping live rows in
 * over server-sent events, the charts drawing under the CSP, confirmation dialogs, escaped markup
 * that would otherwise run, and the server refusing a request the page's buttons do not offer.
 * After each test, the pages it visited must have had no script error, failed load or CSP violation.
 */
class ConsoleBrowserTest {
    @RegisterExtension
    static final ConsoleFixture console = new ConsoleFixture();
    static Browser browser;

    @BeforeAll
    static void start() {
        browser = Browser.start(console.baseUrl());
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
    }

    @AfterEach
    void pagesRanWithoutScriptErrors() {
        assertThat(browser.errors()).isEmpty();
    }

    @Test
    void theOverviewFollowsSendsLiveWithoutReloadingAndDrawsTheCharts() {
        browser.signIn("operator");
        assertThat(browser.path()).isEqualTo("/console");
        browser.waitFor("table#queues");
        browser.script("window.__samePage = 1;");

        String queue = ConsoleFixture.uniqueQueue("live");
        console.postroom().createQueue(queue);
        for (int i = 0; i < 3; i++) {
            console.postroom().send(queue, new RawJson("{\"n\":" + i + "}")).join();
        }

        browser.waitUntil("the live table shows 3 ready in " + queue, () -> "3".equals(readyCount(queue)));
        assertThat(browser.script("return window.__samePage;")).as("no reload").isEqualTo(1L);
        browser.waitFor("[data-chart=throughput] canvas");
        browser.waitFor("[data-chart=latency] canvas");
    }

    @Test
    void aMessageFoundByItsTextOpensWithItsPayload() {
        String queue = ConsoleFixture.uniqueQueue("find");
        console.postroom().createQueue(queue);
        String other = send(queue, "{\"order\":\"order-1\"}");
        String id = send(queue, "{\"order\":\"needle-77\"}");
        browser.signIn("viewer");

        browser.open("/console/messages");
        browser.type("form[role=search] input[name=q]", "needle-77");
        browser.click("form[role=search] button[type=submit]");
        browser.waitForPath("/console/messages?");
        browser.waitForText("#messages tbody", id);
        assertThat(browser.text("#messages tbody")).doesNotContain(other);

        browser.click("#messages a[href='/console/messages/" + id + "']");
        browser.waitForText("#payload", "needle-77");
        assertThat(browser.path()).isEqualTo("/console/messages/" + id);
    }

    @Test
    void anOperatorRetriesADeadMessageFromItsPageAndTheAuditLogShowsIt() {
        String id = dead(ConsoleFixture.uniqueQueue("retry"), "{\"n\":1}", "payment provider timed out");
        browser.signIn("operator");
        browser.open("/console/messages/" + id);
        assertThat(browser.text("#state")).isEqualTo("dead");

        browser.click("form[action$='/retry'] button");
        browser.waitForText(".flash", "Retried");
        assertThat(browser.text("#state")).isIn("ready", "in flight");
        assertThat(state(id)).isEqualTo(MessageState.READY);

        browser.open("/console/audit?target=" + id);
        WebElement row = browser.waitForText("#audit tbody", "message.retry");
        assertThat(row.getText()).contains("user:operator");
    }

    @Test
    void bulkRedriveOfOneErrorGroupPreviewsFirstThenShowsProgressAndIsAudited() {
        String queue = ConsoleFixture.uniqueQueue("bulk");
        java.util.List<String> timeouts = new java.util.ArrayList<>();
        java.util.List<String> declined = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            timeouts.add(dead(queue, "{\"n\":" + i + "}", "provider timed out"));
        }
        for (int i = 0; i < 2; i++) {
            declined.add(dead(queue, "{\"n\":" + (10 + i) + "}", "card declined"));
        }
        browser.signIn("operator");
        browser.open("/console/dead?queue=" + queue);
        browser.waitForText("#groups", "card declined");

        browser.click("#groups form:has(input[name=group][value='card declined']) button");
        browser.waitForText("#matched", "2 dead messages match");
        assertThat(browser.text("#listed")).contains(declined.get(0), declined.get(1)).doesNotContain(timeouts.get(0));
        assertThat(declined).allSatisfy(id -> assertThat(state(id)).as("a preview changes nothing").isEqualTo(MessageState.DEAD));

        browser.click("form[action='/console/dead/redrive'] button");
        browser.waitForPath("/console/jobs/");
        browser.waitForText("#job-state", "Finished");
        assertThat(browser.text("#job-state")).contains("2 of 2");
        assertThat(declined).allSatisfy(id -> assertThat(state(id)).isIn(MessageState.READY));
        assertThat(timeouts).allSatisfy(id -> assertThat(state(id)).isEqualTo(MessageState.DEAD));

        browser.open("/console/audit?target=" + queue + "&action=dead.redrive");
        assertThat(browser.waitForText("#audit tbody", "dead.redrive").getText()).contains("user:operator", "\"done\":2");
    }

    @Test
    void aWorkflowPageFollowsItsStepsLiveAndAnOperatorRetriesTheDeadStep() throws InterruptedException {
        String sessions = ConsoleFixture.uniqueQueue("wf-sessions");
        String refunds = ConsoleFixture.uniqueQueue("wf-refunds");
        console.postroom().createQueue(sessions);
        console.postroom().createQueue(refunds, QueuePolicy.DEFAULT.withMaxAttempts(1));
        dev.postroom.StartedWorkflow started = console.postroom().workflows().start(dev.postroom.Workflow.named("close-account")
                .step("revoke", sessions, Map.of("customer", 7))
                .step("refund", refunds, Map.of("customer", 7), dev.postroom.Workflow.after("revoke"))
                .step("goodbye", sessions, Map.of("customer", 7), dev.postroom.Workflow.after("refund"))).join();
        browser.signIn("operator");
        browser.open("/console/workflows/" + started.id());
        browser.waitFor("#workflow-graph a[data-step=refund] g.wf-node.waiting");
        browser.script("window.__samePage = 1;");

        ReceivedMessage revoke = console.postroom().receive(sessions, new ReceiveOptions(1, Duration.ofSeconds(1), null)).getFirst();
        console.postroom().ack(revoke.id(), revoke.leaseId(), Map.of("sessions", 3));
        browser.waitFor("#workflow-graph a[data-step=revoke] g.wf-node.succeeded");
        browser.waitFor("#workflow-graph a[data-step=refund] g.wf-node.ready");
        assertThat(browser.script("return window.__samePage;")).as("no reload").isEqualTo(1L);
        assertThat(browser.text("#steps tr[data-step=revoke]")).contains("{\"sessions\":3}");

        ReceivedMessage refund = console.postroom().receive(refunds, new ReceiveOptions(1, Duration.ofSeconds(1), null)).getFirst();
        console.postroom().nack(refund.id(), refund.leaseId(), "card declined", null, null);
        browser.waitFor("#workflow-graph a[data-step=refund] g.wf-node.dead");
        browser.waitForText("#workflow-state", "dead step holds");
        browser.open("/console/workflows/" + started.id());
        browser.click("form[action$='/retry'] button");
        browser.waitForText(".flash", "Retried refund");
        browser.waitFor("#workflow-graph a[data-step=refund] g.wf-node.ready");

        browser.click("#workflow-graph a[data-step=refund]");
        browser.waitForPath("/console/messages/" + started.messageId("refund"));
        browser.click("#workflow-link");
        browser.waitForPath("/console/workflows/" + started.id());
    }

    @Test
    void anOperatorSendsFromTheConsoleAfterFixingThePayload() {
        String queue = ConsoleFixture.uniqueQueue("bsend");
        console.postroom().createQueue(queue);
        browser.signIn("operator");
        browser.open("/console/send?queue=" + queue);
        browser.script("document.querySelector('#send-form textarea[name=payload]').value = arguments[0];", "{\"refund\": 19.99,\n oops}");
        browser.click("#send-form button[type=submit]");
        browser.waitForText("#send-error", "line 2, column");

        browser.script("document.querySelector('#send-form textarea[name=payload]').value = arguments[0];", "{\"refund\": 1999}");
        browser.click("#send-form button[type=submit]");
        browser.waitForPath("/console/messages/");
        browser.waitForText(".flash", "Sent");
        browser.waitForText("#payload", "1999");
    }

    @Test
    void deletingAsksFirstAndCancellingTheQuestionKeepsTheMessage() {
        String id = dead(ConsoleFixture.uniqueQueue("delete"), "{\"n\":1}", "boom");
        browser.signIn("operator");
        browser.open("/console/messages/" + id);

        browser.click("form[action$='/delete'] button");
        browser.answerConfirm(false);
        assertThat(browser.path()).isEqualTo("/console/messages/" + id);
        assertThat(browser.findAll("form[action$='/delete'] button").getFirst().isEnabled()).isTrue();
        assertThat(console.postroom().get(id)).isPresent();

        browser.click("form[action$='/delete'] button");
        browser.answerConfirm(true);
        browser.waitForText(".flash", "Deleted message " + id);
        assertThat(console.postroom().get(id)).isEmpty();
    }

    @Test
    void anAdminCreatesAScheduleWhoseLastRunLinksToItsMessageThenPausesAndDeletesIt() {
        String queue = ConsoleFixture.uniqueQueue("scheduled");
        console.postroom().createQueue(queue);
        String name = ConsoleFixture.uniqueQueue("every-second");
        browser.signIn("admin");
        browser.open("/console/schedules");

        browser.type("#schedule-form input[name=name]", name);
        browser.type("#schedule-form input[name=cron]", "* * * * * *");
        browser.type("#schedule-form input[name=timezone]", "Europe/Berlin");
        browser.click("#schedule-form select[name=queue] option[value='" + queue + "']");
        browser.type("#schedule-form textarea[name=payload]", "{\"tick\": true}");
        browser.click("#schedule-form button[type=submit]");
        browser.waitForText(".flash", "Created schedule " + name);
        assertThat(browser.text("tr[data-schedule='" + name + "'] .state")).isEqualTo("running");

        browser.waitUntil("a run of " + name, () -> console.postroom().schedules().get(name).lastMessageId() != null);
        browser.open("/console/schedules");
        browser.click("tr[data-schedule='" + name + "'] .last-run a");
        browser.waitForPath("/console/messages/");
        assertThat(browser.text("#payload")).contains("tick");

        browser.open("/console/schedules");
        browser.click("form[action='/console/schedules/" + name + "/pause'] button");
        browser.waitForText(".flash", "Paused schedule " + name);
        assertThat(browser.text("tr[data-schedule='" + name + "'] .state")).isEqualTo("paused");

        browser.click("form[action='/console/schedules/" + name + "/delete'] button");
        browser.answerConfirm(true);
        browser.waitForText(".flash", "Deleted schedule " + name);
        assertThat(browser.findAll("tr[data-schedule='" + name + "']")).isEmpty();
        assertThat(console.postroom().schedules().list()).noneMatch(s -> s.name().equals(name));
    }

    @Test
    void editAndResendSendsTheEditedCopyAndInvalidJsonIsShownNotSent() {
        String id = dead(ConsoleFixture.uniqueQueue("resend"), "{\"n\":1}", "bad address");
        browser.signIn("operator");
        browser.open("/console/messages/" + id);
        browser.click("a[href$='/resend']");
        browser.waitForPath("/console/messages/" + id + "/resend");

        browser.type("textarea[name=payload]", "{\"n\": 2, \"note\": \"fixed address\"}");
        browser.click("form[action$='/resend'] button[type=submit]");
        browser.waitForText(".facts", "Resent from");
        assertThat(browser.path()).startsWith("/console/messages/").doesNotContain(id);
        assertThat(browser.text("#payload")).contains("fixed address");

        browser.open("/console/messages/" + id + "/resend");
        browser.type("textarea[name=payload]", "{\"n\": ");
        browser.click("form[action$='/resend'] button[type=submit]");
        assertThat(browser.waitForText("#resend-error", "Payload is not valid JSON").getText()).contains("line 1");
        assertThat(browser.waitFor("textarea[name=payload]").getAttribute("value")).isEqualTo("{\"n\": ");
    }

    @Test
    void markupInAPayloadOrErrorIsShownAsTextAndNeverRuns() {
        String queue = ConsoleFixture.uniqueQueue("xss");
        String script = "<script>window.__xss=1</script>";
        String image = "<img src=x onerror=\"window.__xss=2\">";
        String id = dead(queue, "{\"html\":\"" + script + image.replace("\"", "\\\"") + "\"}",
                "<img src=x onerror=\"window.__xss=3\"> failed");
        browser.signIn("viewer");

        browser.open("/console/messages/" + id);
        assertThat(browser.text("#payload")).contains(script, "onerror=\\\"window.__xss=2\\\"");
        assertThat(browser.text(".attempt-error summary")).contains("<img src=x onerror=\"window.__xss=3\"> failed");
        assertThat(browser.script("return typeof window.__xss;")).isEqualTo("undefined");

        browser.open("/console/messages?queue=" + queue);
        assertThat(browser.text("#messages tbody")).contains(script, "window.__xss=3");
        assertThat(browser.script("return typeof window.__xss;")).isEqualTo("undefined");
        assertThat(browser.findAll("main img")).isEmpty();
    }

    @Test
    void aViewerHasNoActionButtonsAndTheServerRefusesTheActionAnyway() {
        String id = dead(ConsoleFixture.uniqueQueue("viewer"), "{\"n\":1}", "boom");
        browser.signIn("viewer");
        browser.open("/console/messages/" + id);
        browser.waitFor("#state");
        assertThat(browser.findAll("main form[method=post], a[href$='/resend']")).isEmpty();

        for (String action : new String[] {"retry", "cancel", "delete", "resend"}) {
            assertThat(browser.postFromPage("/console/messages/" + id + "/" + action, true)).as(action).isEqualTo(403);
        }
        assertThat(state(id)).isEqualTo(MessageState.DEAD);
    }

    @Test
    void aPostWithoutTheCsrfTokenIsRefusedEvenFromTheConsoleItself() {
        String id = dead(ConsoleFixture.uniqueQueue("csrf"), "{\"n\":1}", "boom");
        browser.signIn("operator");
        browser.open("/console/messages/" + id);
        browser.waitFor("#state");

        assertThat(browser.postFromPage("/console/messages/" + id + "/retry", false)).isEqualTo(403);
        assertThat(state(id)).isEqualTo(MessageState.DEAD);
        assertThat(browser.postFromPage("/console/messages/" + id + "/retry", true)).as("the same post with the token")
                .isEqualTo(0); // an opaque redirect: accepted, 303 to the message's page
        assertThat(state(id)).isEqualTo(MessageState.READY);
    }

    @Test
    void theMessageListFitsTheWindowWhateverThePayloadsAndErrors() {
        String queue = ConsoleFixture.uniqueQueue("wide");
        String longText = "order-1234 ".repeat(60).trim();
        dead(queue, "{\"note\":\"" + longText + "\"}", "payment provider rejected: " + longText);
        browser.signIn("viewer");
        browser.open("/console/messages?queue=" + queue);
        browser.waitFor("#messages tbody td.preview");
        assertThat(browser.script("return document.documentElement.scrollWidth <= document.documentElement.clientWidth;"))
                .as("no sideways scrolling at 1280 px").isEqualTo(true);
    }

    @Test
    void everyPageAnAdminCanOpenRunsItsScriptsUnderTheContentSecurityPolicy() {
        String queue = ConsoleFixture.uniqueQueue("pages");
        String id = dead(queue, "{\"n\":1}", "boom");
        browser.signIn("admin");
        for (String path : new String[] {"/console", "/console/messages", "/console/messages/" + id,
                "/console/messages/" + id + "/resend", "/console/queues/" + queue, "/console/queues/" + queue + "/purge",
                "/console/dead?queue=" + queue, "/console/topics", "/console/schedules", "/console/audit", "/console/users", "/console/tokens", "/console/batches"}) {
            browser.open(path);
            assertThat(browser.waitFor("main h1").getText()).as(path).isNotBlank();
            assertThat(browser.path()).isEqualTo(path);
        }
        browser.open("/console/queues/" + queue);
        browser.waitFor("[data-chart=throughput] canvas");
    }

    @Test
    void anAdminSubscribesAQueueToATopicAndFollowsItToThePublishedCopy() {
        String topic = ConsoleFixture.uniqueQueue("orders");
        String queue = ConsoleFixture.uniqueQueue("shipping-eu");
        console.postroom().createQueue(queue);
        browser.signIn("admin");
        browser.open("/console");
        browser.click("nav a[href='/console/topics']");
        browser.waitForPath("/console/topics");

        browser.type("#create-topic input[name=name]", topic);
        browser.click("#create-topic button[type=submit]");
        browser.waitForText(".flash", "Created topic " + topic);
        String section = "#topic-" + topic.replace(".", "\\.");
        browser.type(section + " form.subscribe input[name=name]", "eu");
        browser.type(section + " form.subscribe input[name=queue]", queue);
        browser.type(section + " form.subscribe textarea[name=filter]", "region=eu");
        browser.click(section + " form.subscribe button[type=submit]");
        browser.waitForText(".flash", "Subscribed " + queue + " to " + topic);
        assertThat(browser.text(section + " table.subscriptions")).contains("eu", queue, "region=eu");

        String ignored = console.postroom().topics().publish(topic, new RawJson("{\"order\":1}"),
                SendOptions.builder().header("region", "us").build()).join().deliveries().stream().findFirst().map(d -> d.id()).orElse(null);
        String copy = console.postroom().topics().publish(topic, new RawJson("{\"order\":2}"),
                SendOptions.builder().header("region", "eu").build()).join().deliveries().getFirst().id();
        assertThat(ignored).as("the filter keeps region=us out").isNull();

        browser.click(section + " table.subscriptions a[href='/console/queues/" + queue + "']");
        browser.waitForPath("/console/queues/" + queue);
        assertThat(browser.waitForText("#messages tbody", copy).getText()).contains("{\"order\":2}").doesNotContain("\"order\":1");
        browser.open("/console/audit?target=" + topic);
        assertThat(browser.waitForText("#audit tbody", "subscription.create").getText()).contains("user:admin", "topic.create");
    }

    @Test
    void aMembersPageLeadsToItsBatchWhichFollowsTheMembersLiveAndLinksTheCompletionMessage() throws InterruptedException {
        String queue = ConsoleFixture.uniqueQueue("batch");
        String done = ConsoleFixture.uniqueQueue("batch-done");
        console.postroom().createQueue(queue);
        console.postroom().createQueue(done);
        BatchResult batch = console.postroom().batches().send(queue,
                List.of(OutgoingMessage.of(Map.of("n", 1)), OutgoingMessage.of(Map.of("n", 2))),
                BatchOptions.onComplete(done, Map.of("report", "r-1"))).join();
        browser.signIn("viewer");
        browser.open("/console/messages/" + batch.messageIds().getFirst());

        browser.click("#batch-link");
        browser.waitForPath("/console/batches/" + batch.batchId());
        assertThat(browser.text("#batch-pending")).isEqualTo("2");
        browser.script("window.__samePage = 1;");
        for (ReceivedMessage m : console.postroom().receive(queue, new ReceiveOptions(10, Duration.ZERO, null))) {
            console.postroom().ack(m.id(), m.leaseId(), null);
        }

        WebElement completion = browser.waitFor("#completion-message");
        browser.screenshot("batch");
        assertThat(browser.text("#batch-state")).startsWith("Complete at");
        assertThat(browser.text("#batch-succeeded")).isEqualTo("2");
        assertThat(browser.findAll("#members tbody .badge")).extracting(WebElement::getText).containsExactly("succeeded", "succeeded");
        assertThat(browser.script("return window.__samePage;")).as("updated without a reload").isEqualTo(1L);
        assertThat(browser.script("return document.querySelector('#batch-counts progress').value;")).isEqualTo(2L);
        completion.click();
        browser.waitForText("#completes-batch", batch.batchId());
        browser.click("nav a[href='/console/batches']");
        browser.waitForText("#batches tbody", batch.batchId());
    }

    @Test
    void theContentSecurityPolicyBlocksAnInjectedInlineScript() {
        browser.signIn("viewer");
        browser.script("var s = document.createElement('script'); s.textContent = 'window.__inline = 1;'; document.head.appendChild(s);");
        assertThat(browser.script("return typeof window.__inline;")).isEqualTo("undefined");
        assertThat(browser.errors()).singleElement().asString().contains("CSP blocked inline");
    }

    /** The overview's Ready cell for {@code queue}, or null while the row is not there. */
    private static String readyCount(String queue) {
        return (String) browser.script("""
                var rows = document.querySelectorAll('#queue-rows tr');
                for (var i = 0; i < rows.length; i++) {
                  var th = rows[i].querySelector('th');
                  if (th && th.textContent.trim() === arguments[0]) { return rows[i].querySelectorAll('td')[0].textContent.trim(); }
                }
                return null;
                """, queue);
    }

    private static String send(String queue, String json) {
        return console.postroom().send(queue, new RawJson(json)).join().id();
    }

    /** A message with {@code payload} that failed its only attempt with {@code error}. */
    private static String dead(String queue, String payload, String error) {
        console.postroom().createQueue(queue, QueuePolicy.DEFAULT.withMaxAttempts(1));
        String id = console.postroom().send(queue, new RawJson(payload), SendOptions.builder().build()).join().id();
        try {
            for (ReceivedMessage m : console.postroom().receive(queue, new ReceiveOptions(10, Duration.ZERO, null))) {
                console.postroom().nack(m.id(), m.leaseId(), error, "java.lang.IllegalStateException: " + error, null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        assertThat(state(id)).isEqualTo(MessageState.DEAD);
        return id;
    }

    private static MessageState state(String id) {
        return console.postroom().get(id).orElseThrow().state();
    }
}

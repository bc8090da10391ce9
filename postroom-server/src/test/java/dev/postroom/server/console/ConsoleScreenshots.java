package dev.postroom.server.console;

import dev.postroom.MessageState;
import dev.postroom.RawJson;
import dev.postroom.SendOptions;
import dev.postroom.server.demo.DemoCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Takes the README's pictures of the console ({@code docs/screenshots/*.png}) with the demo's
 * back-office work running. Not part of the suite (the name does not end in {@code Test}); run it
 * when the console's look changes:
 * <pre>{@code
 * ./mvnw -q -pl postroom-server -am test -Dtest=ConsoleScreenshots -Dsurefire.failIfNoSpecifiedTests=false -Dpostroom.screenshots=true
 * }</pre>
 */
class ConsoleScreenshots {
    @TempDir
    Path dir;

    @Test
    void takeScreenshots() {
        try (ConsoleFixture console = ConsoleFixture.start(dir); Browser browser = Browser.start(console.baseUrl())) {
            DemoCommand.BackOffice office = new DemoCommand.BackOffice();
            office.install(console.postroom());
            Thread sender = Thread.ofPlatform().daemon().start(() -> office.sendLoop(console.postroom(), 20));
            // Orders ending in 13 always fail: after three attempts they are dead letters to look at.
            String dead = refund(console, "order-413", 4_250);
            String retried = refund(console, "order-613", 1_999);

            browser.open("/console/login");
            browser.type("input[name=username]", "operator");
            browser.screenshot("login");
            browser.signIn("operator");

            await().atMost(Duration.ofSeconds(60)).until(() -> state(console, dead) == MessageState.DEAD
                    && state(console, retried) == MessageState.DEAD
                    && console.postroom().queue("emails.announce").counts().succeeded() >= 250);
            browser.open("/console/messages/" + retried);
            browser.click("form[action$='/retry'] button");
            browser.waitForText(".flash", "Retried");
            ConsoleClient admin = console.signIn("admin");
            admin.get("/console/queues/exports.csv");
            assertThat(admin.post("/console/queues/exports.csv/pause").status()).isEqualTo(303);
            assertThat(admin.post("/console/queues/exports.csv/resume").status()).isEqualTo(303);

            browser.open("/console");
            browser.waitFor("[data-chart=throughput] canvas");
            browser.waitFor("[data-chart=latency] canvas");
            browser.waitForText("#queue-rows", "billing.refund");
            browser.screenshot("overview");

            browser.open("/console/messages");
            browser.waitFor("#messages tbody tr");
            browser.screenshot("messages");

            browser.open("/console/messages/" + dead);
            browser.waitForText("#state", "dead");
            browser.screenshot("message");

            browser.open("/console/queues/billing.refund");
            browser.waitFor("[data-chart=throughput] canvas");
            browser.screenshot("queue");

            browser.open("/console/dead?queue=billing.refund");
            browser.waitFor("#groups tbody tr");
            browser.screenshot("dead");
            browser.click("#groups form button");
            browser.waitFor("#matched");
            browser.screenshot("dead-preview");

            browser.open("/console/audit");
            browser.waitForText("#audit", "message.retry");
            browser.screenshot("audit");

            assertThat(browser.errors()).isEmpty();
            sender.interrupt();
        }
    }

    private static String refund(ConsoleFixture console, String order, long cents) {
        return console.postroom().send("billing.refund", new RawJson("{\"order\":\"" + order + "\",\"cents\":" + cents + "}"),
                SendOptions.builder().orderingKey("customer-7").build()).join().id();
    }

    private static MessageState state(ConsoleFixture console, String id) {
        return console.postroom().get(id).orElseThrow().state();
    }
}

package dev.postroom.server.console;

import dev.postroom.Postroom;
import dev.postroom.Schedule;
import dev.postroom.ScheduleDefinition;
import dev.postroom.ScheduleNotFoundException;
import dev.postroom.server.audit.AuditEntry;
import dev.postroom.server.audit.AuditQuery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The schedules page: the table with next and last runs, the form (admins), pause and resume (operators), delete. */
class SchedulePagesTest {
    @RegisterExtension
    static final ConsoleFixture console = new ConsoleFixture();

    private static Postroom postroom() {
        return console.postroom();
    }

    private static String queue() {
        String queue = ConsoleFixture.uniqueQueue("sched");
        postroom().createQueue(queue);
        return queue;
    }

    private static Map<String, String> form(String name, String cron, String queue) {
        Map<String, String> form = new HashMap<>();
        form.put("name", name);
        form.put("cron", cron);
        form.put("timezone", "Europe/Berlin");
        form.put("queue", queue);
        form.put("payload", "{\"report\": \"daily\"}");
        form.put("headers", "{\"tenant\": \"acme\"}");
        form.put("missedRuns", "runOnce");
        return form;
    }

    @Test
    void anAdminCreatesAScheduleWithTheFormAndTheActionIsAudited() {
        String queue = queue();
        String name = ConsoleFixture.uniqueQueue("nightly");
        ConsoleClient admin = console.signIn("admin");

        ConsoleClient.Page saved = admin.post("/console/schedules", form(name, "30 2 * * *", queue));

        assertThat(saved.status()).as(saved.body()).isEqualTo(303);
        Schedule schedule = postroom().schedules().get(name);
        assertThat(schedule.cron()).isEqualTo("30 2 * * *");
        assertThat(schedule.timezone().getId()).isEqualTo("Europe/Berlin");
        assertThat(schedule.headers()).containsEntry("tenant", "acme");
        assertThat(schedule.payloadJson()).isEqualTo("{\"report\":\"daily\"}");
        assertThat(schedule.paused()).isFalse();
        ConsoleClient.Page page = admin.get("/console/schedules");
        assertThat(page.text()).contains("Created schedule " + name, name, "30 2 * * *", "Europe/Berlin", queue);
        assertThat(page.body()).contains("<time datetime=\"" + schedule.nextRunAt() + "\">" + Format.time(schedule.nextRunAt()) + "</time>");

        List<AuditEntry> entries = console.audit().browse(AuditQuery.builder().target(name).build()).entries();
        assertThat(entries).extracting(AuditEntry::action).containsExactly("schedule.create");
        assertThat(entries.getFirst().actor()).isEqualTo("user:admin");
        assertThat(entries.getFirst().detail()).contains("\"cron\":\"30 2 * * *\"", "\"missedRuns\":\"runOnce\"");
    }

    @Test
    void anInvalidFormIsShownAgainNamingTheFieldAndSavesNothing() {
        String queue = queue();
        String name = ConsoleFixture.uniqueQueue("broken");
        ConsoleClient admin = console.signIn("admin");

        ConsoleClient.Page badCron = admin.post("/console/schedules", form(name, "61 2 * * *", queue));
        assertThat(badCron.status()).isEqualTo(422);
        assertThat(badCron.text()).contains("cron:", "Nothing was saved");
        assertThat(badCron.body()).contains("value=\"61 2 * * *\"");

        Map<String, String> badPayload = form(name, "30 2 * * *", queue);
        badPayload.put("payload", "{oops");
        assertThat(admin.post("/console/schedules", badPayload).text()).contains("payload: is not valid JSON");

        Map<String, String> badZone = form(name, "30 2 * * *", queue);
        badZone.put("timezone", "Mars/Base");
        assertThat(admin.post("/console/schedules", badZone).text()).contains("timezone: unknown time zone");

        assertThatThrownBy(() -> postroom().schedules().get(name)).isInstanceOf(ScheduleNotFoundException.class);
    }

    @Test
    void editFillsTheFormAndSavingReplacesTheDefinition() {
        String queue = queue();
        String name = ConsoleFixture.uniqueQueue("edited");
        postroom().schedules().put(ScheduleDefinition.builder(name).cron("0 * * * *").queue(queue).payload(1).build());
        ConsoleClient admin = console.signIn("admin");

        ConsoleClient.Page edit = admin.get("/console/schedules?edit=" + name);
        assertThat(edit.text()).contains("Change schedule " + name);
        assertThat(edit.body()).contains("value=\"0 * * * *\"", "value=\"" + name + "\"");

        assertThat(admin.post("/console/schedules", form(name, "15 * * * *", queue)).status()).isEqualTo(303);
        assertThat(postroom().schedules().get(name).cron()).isEqualTo("15 * * * *");
        assertThat(console.audit().browse(AuditQuery.builder().target(name).build()).entries()).extracting(AuditEntry::action)
                .containsExactly("schedule.update");
    }

    @Test
    void anOperatorPausesAndResumesButSeesNoFormAndAViewerNoButtons() {
        String queue = queue();
        String name = ConsoleFixture.uniqueQueue("toggled");
        postroom().schedules().put(ScheduleDefinition.builder(name).cron("0 * * * *").queue(queue).payload(1).build());
        ConsoleClient operator = console.signIn("operator");

        ConsoleClient.Page page = operator.get("/console/schedules");
        assertThat(page.body()).contains("action=\"/console/schedules/" + name + "/pause\"").doesNotContain("id=\"schedule-form\"")
                .doesNotContain("/console/schedules/" + name + "/delete");

        assertThat(operator.post("/console/schedules/" + name + "/pause").status()).isEqualTo(303);
        assertThat(postroom().schedules().get(name).paused()).isTrue();
        assertThat(operator.get("/console/schedules").body()).contains("action=\"/console/schedules/" + name + "/resume\"");
        assertThat(operator.post("/console/schedules/" + name + "/resume").status()).isEqualTo(303);
        assertThat(postroom().schedules().get(name).paused()).isFalse();
        assertThat(console.audit().browse(AuditQuery.builder().target(name).build()).entries()).extracting(AuditEntry::action)
                .containsExactly("schedule.resume", "schedule.pause");

        assertThat(console.signIn("viewer").get("/console/schedules").body()).contains(name)
                .doesNotContain("/console/schedules/" + name + "/pause");
    }

    @Test
    void theLastRunLinksToItsMessageAndDeleteRemovesTheSchedule() {
        String queue = queue();
        String name = ConsoleFixture.uniqueQueue("ticking");
        postroom().schedules().put(ScheduleDefinition.builder(name).cron("* * * * * *").queue(queue).payload(1).build());
        await().atMost(Duration.ofSeconds(20)).until(() -> postroom().schedules().get(name).lastMessageId() != null);
        postroom().schedules().pause(name);
        Schedule paused = postroom().schedules().get(name);
        ConsoleClient admin = console.signIn("admin");

        assertThat(admin.get("/console/schedules").body()).contains("<a href=\"/console/messages/" + paused.lastMessageId() + "\">");

        assertThat(admin.post("/console/schedules/" + name + "/delete").status()).isEqualTo(303);
        assertThatThrownBy(() -> postroom().schedules().get(name)).isInstanceOf(ScheduleNotFoundException.class);
        assertThat(admin.get("/console/schedules").text()).contains("Deleted schedule " + name);
        assertThat(admin.post("/console/schedules/" + name + "/delete").status()).isEqualTo(404);
    }
}

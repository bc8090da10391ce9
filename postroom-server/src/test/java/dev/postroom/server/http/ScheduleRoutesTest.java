package dev.postroom.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.postroom.server.audit.AuditEntry;
import dev.postroom.server.audit.AuditQuery;
import dev.postroom.server.http.TestServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;

import static dev.postroom.server.http.TestServer.assertProblem;
import static dev.postroom.server.http.TestServer.uniqueQueue;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code /api/v1/schedules}: create and replace, show with the next and last run, pause, resume, delete, and runs arriving. */
class ScheduleRoutesTest {
    @RegisterExtension
    static final TestServer server = new TestServer();

    private static String newQueue() {
        String queue = uniqueQueue("sched");
        server.createQueue(queue);
        return queue;
    }

    private static Reply put(String name, String body) {
        return server.put("/api/v1/schedules/" + name, server.admin, body);
    }

    @Test
    void runSendsTheMessageNowAndIsAudited() {
        String queue = newQueue();
        String name = uniqueQueue("nightly");
        assertThat(put(name, "{\"cron\": \"0 2 * * *\", \"queue\": \"" + queue + "\", \"payload\": {\"report\": 1}}").status()).isEqualTo(201);

        Reply run = server.post("/api/v1/schedules/" + name + "/run", server.admin, null);

        assertThat(run.status()).as("%s", run).isEqualTo(201);
        com.fasterxml.jackson.databind.JsonNode message = server.message(run.json().get("id").asText());
        assertThat(message.get("payload").get("report").asInt()).isEqualTo(1);
        assertThat(message.get("headers").get("postroom.manual").asText()).isEqualTo("true");
        assertThat(server.get("/api/v1/schedules/" + name, server.admin).json().get("lastRunAt").isNull()).isTrue();
        assertThat(server.audit().browse(dev.postroom.server.audit.AuditQuery.builder().target(name).build()).entries())
                .extracting(dev.postroom.server.audit.AuditEntry::action).contains("schedule.run");
        TestServer.assertProblem(server.post("/api/v1/schedules/no-such-schedule/run", server.admin, null), 404);
        TestServer.assertProblem(server.post("/api/v1/schedules/" + name + "/run", server.token("read"), null), 403);
    }

    @Test
    void putCreatesWith201ShowingTheNextRunInItsZoneThenReplacesWith200() {
        String queue = newQueue();
        String name = uniqueQueue("nightly");

        Reply created = put(name, "{\"cron\":\"0 3 * * *\",\"timezone\":\"Europe/Berlin\",\"queue\":\"" + queue
                + "\",\"payload\":{\"report\":\"daily\"},\"headers\":{\"tenant\":\"t-1\"}}");

        assertThat(created.status()).as("%s", created).isEqualTo(201);
        JsonNode body = created.json();
        assertThat(body.get("name").asText()).isEqualTo(name);
        assertThat(body.get("cron").asText()).isEqualTo("0 3 * * *");
        assertThat(body.get("timezone").asText()).isEqualTo("Europe/Berlin");
        assertThat(body.get("queue").asText()).isEqualTo(queue);
        assertThat(body.get("payload")).isEqualTo(TestServer.JSON.createObjectNode().put("report", "daily"));
        assertThat(body.get("headers").get("tenant").asText()).isEqualTo("t-1");
        assertThat(body.get("missedRuns").asText()).isEqualTo("skip");
        assertThat(body.get("paused").asBoolean()).isFalse();
        ZonedDateTime next = Instant.parse(body.get("nextRunAt").asText()).atZone(ZoneId.of("Europe/Berlin"));
        assertThat(List.of(next.getHour(), next.getMinute(), next.getSecond())).isEqualTo(List.of(3, 0, 0));
        assertThat(body.get("lastRunAt").isNull()).isTrue();
        assertThat(body.get("lastMessageId").isNull()).isTrue();

        Reply replaced = put(name, "{\"cron\":\"*/15 * * * *\",\"queue\":\"" + queue + "\",\"payload\":2,"
                + "\"paused\":true,\"missedRuns\":\"runOnce\"}");

        assertThat(replaced.status()).as("%s", replaced).isEqualTo(200);
        assertThat(replaced.json().get("timezone").asText()).isEqualTo("UTC");
        assertThat(replaced.json().get("payload").asInt()).isEqualTo(2);
        assertThat(replaced.json().get("paused").asBoolean()).isTrue();
        assertThat(replaced.json().get("nextRunAt").isNull()).isTrue();
        assertThat(replaced.json().get("missedRuns").asText()).isEqualTo("runOnce");
        assertThat(server.get("/api/v1/schedules/" + name, server.admin).json()).isEqualTo(replaced.json());
        assertThat(server.get("/api/v1/schedules", server.token("read")).json().get("schedules"))
                .anySatisfy(s -> assertThat(s).isEqualTo(replaced.json()));

        List<AuditEntry> audited = server.audit().browse(AuditQuery.builder().target(name).build()).entries();
        assertThat(audited).extracting(AuditEntry::action).containsExactly("schedule.update", "schedule.create");
        assertThat(audited.getFirst().actor()).isEqualTo(server.actorOf(server.admin));
    }

    @Test
    void invalidDefinitionsAre422NamingTheFieldAndStoreNothing() {
        String queue = newQueue();
        String name = uniqueQueue("invalid");
        String rest = ",\"queue\":\"" + queue + "\",\"payload\":1}";

        assertProblem(put(name, "{\"cron\":\"61 * * * *\"" + rest), 422, "cron");
        assertProblem(put(name, "{\"cron\":\"* * *\"" + rest), 422, "cron");
        assertProblem(put(name, "{\"queue\":\"" + queue + "\",\"payload\":1}"), 422, "cron");
        assertProblem(put(name, "{\"cron\":\"0 0 30 2 *\"" + rest), 422, "cron");
        assertProblem(put(name, "{\"cron\":\"0 * * * *\",\"timezone\":\"Europe/Nowhere\"" + rest), 422, "timezone");
        assertProblem(put(name, "{\"cron\":\"0 * * * *\",\"missedRuns\":\"always\"" + rest), 422, "missedRuns");
        assertProblem(put(name, "{\"cron\":\"0 * * * *\",\"queue\":\"" + queue + "\"}"), 422, "payload");
        assertProblem(put(name, "{\"cron\":\"0 * * * *\",\"payload\":1}"), 422, "queue");
        JsonNode unknownQueue = assertProblem(put(name, "{\"cron\":\"0 * * * *\",\"queue\":\"no-such-queue\",\"payload\":1}"), 422, "queue");
        assertThat(unknownQueue.get("detail").asText()).contains("no-such-queue");
        assertProblem(put(name, "{\"cron\":\"0 * * * *\",\"headers\":{\"postroom.runAt\":\"x\"}" + rest), 422, "headers.postroom.runAt");
        assertProblem(put("bad%20name", "{\"cron\":\"0 * * * *\"" + rest), 422, "name");
        assertProblem(put(name, "{\"cron\":\"0 * * * *\",\"every\":5" + rest), 400, "every");
        assertProblem(put(name, "{\"cron\":5" + rest), 400, "cron");

        assertProblem(server.get("/api/v1/schedules/" + name, server.admin), 404);
    }

    @Test
    void unknownSchedulesAre404() {
        JsonNode problem = assertProblem(server.get("/api/v1/schedules/nothing-here", server.admin), 404);
        assertThat(problem.get("detail").asText()).contains("nothing-here");
        assertProblem(server.delete("/api/v1/schedules/nothing-here", server.admin), 404);
        assertProblem(server.post("/api/v1/schedules/nothing-here/pause", server.admin, null), 404);
        assertProblem(server.post("/api/v1/schedules/nothing-here/resume", server.admin, null), 404);
    }

    @Test
    void pauseClearsTheNextRunResumeSetsItAndDeleteRemoves() {
        String name = uniqueQueue("toggled");
        assertThat(put(name, "{\"cron\":\"0 * * * *\",\"queue\":\"" + newQueue() + "\",\"payload\":1}").status()).isEqualTo(201);

        JsonNode paused = server.post("/api/v1/schedules/" + name + "/pause", server.admin, null).json();
        assertThat(paused.get("paused").asBoolean()).isTrue();
        assertThat(paused.get("nextRunAt").isNull()).isTrue();

        JsonNode resumed = server.post("/api/v1/schedules/" + name + "/resume", server.admin, null).json();
        assertThat(resumed.get("paused").asBoolean()).isFalse();
        assertThat(Instant.parse(resumed.get("nextRunAt").asText()).atZone(ZoneId.of("UTC")).getMinute()).isZero();

        assertThat(server.delete("/api/v1/schedules/" + name, server.admin).status()).isEqualTo(204);
        assertProblem(server.get("/api/v1/schedules/" + name, server.admin), 404);
        assertThat(server.audit().browse(AuditQuery.builder().target(name).build()).entries()).extracting(AuditEntry::action)
                .containsExactly("schedule.delete", "schedule.resume", "schedule.pause", "schedule.create");
    }

    @Test
    void runsArriveInTheQueueAndTheScheduleLinksTheLastOne() {
        String queue = newQueue();
        String name = uniqueQueue("every-second");
        assertThat(put(name, "{\"cron\":\"* * * * * *\",\"queue\":\"" + queue + "\",\"payload\":{\"tick\":true}}").status()).isEqualTo(201);

        await().atMost(Duration.ofSeconds(20)).until(() -> server.counts(queue).get("ready").asInt() >= 2);
        assertThat(server.delete("/api/v1/schedules/" + name, server.admin).status()).isEqualTo(204);

        JsonNode message = server.receiveOne(queue);
        assertThat(message.get("payload").get("tick").asBoolean()).isTrue();
        assertThat(message.get("headers").get("postroom.schedule").asText()).isEqualTo(name);
        Instant runAt = Instant.parse(message.get("headers").get("postroom.runAt").asText());
        assertThat(runAt.getNano()).isZero();
        JsonNode full = server.message(message.get("id").asText());
        assertThat(full.get("idempotencyKey").asText()).isEqualTo("schedule:" + name + ":" + runAt);
    }

    @Test
    void lastMessageIdNamesTheLatestRun() {
        String queue = newQueue();
        String name = uniqueQueue("linked");
        put(name, "{\"cron\":\"* * * * * *\",\"queue\":\"" + queue + "\",\"payload\":1}");

        await().atMost(Duration.ofSeconds(20)).until(() -> !server.get("/api/v1/schedules/" + name, server.admin).json().get("lastMessageId").isNull());
        server.post("/api/v1/schedules/" + name + "/pause", server.admin, null);

        JsonNode schedule = server.get("/api/v1/schedules/" + name, server.admin).json();
        JsonNode last = server.message(schedule.get("lastMessageId").asText());
        assertThat(last.get("queue").asText()).isEqualTo(queue);
        assertThat(last.get("headers").get("postroom.runAt").asText()).isEqualTo(schedule.get("lastRunAt").asText());
    }
}

package dev.postroom.tck;

import dev.postroom.InvalidMessageException;
import dev.postroom.Message;
import dev.postroom.MessageQuery;
import dev.postroom.MessageState;
import dev.postroom.MessageSummary;
import dev.postroom.MissedRuns;
import dev.postroom.QueueNotFoundException;
import dev.postroom.Schedule;
import dev.postroom.ScheduleDefinition;
import dev.postroom.ScheduleNotFoundException;
import dev.postroom.Schedules;
import dev.postroom.SendOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Cron schedules on a real store, driven by the {@link FakeClock} and {@code runMaintenance()}: a
 * run is sent once when it is due and not before, runs missed while nothing ran are skipped or made
 * up once, pausing stops runs and resuming continues from now, daylight saving time neither drops
 * nor doubles a daily run, and schedules survive a restart. Exactly-once across several nodes is a
 * store property tested where the store is shared (PostgreSQL's {@code TwoNodeScheduleTest}); here
 * the second guard, the run's idempotency key, is tested on every store.
 */
public abstract class ScheduleContract extends ContractSupport {
    private static final String QUEUE = "scheduled-work";
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    private Schedules schedules() {
        return postroom.schedules();
    }

    private static ScheduleDefinition.Builder schedule(String name, String cron) {
        return ScheduleDefinition.builder(name).cron(cron).queue(QUEUE).payload(Map.of("job", name));
    }

    /** One maintenance pass at {@code at} (the clock moves there first). */
    private void runAt(Instant at) {
        clock.set(at);
        postroom.runMaintenance();
    }

    /** Every message of {@code queue}, oldest first; remembered for the invariants. */
    private List<Message> messagesOf(String queue) {
        List<String> ids = postroom.browse(MessageQuery.builder().queue(queue).limit(MessageQuery.MAX_LIMIT).build())
                .messages().stream().map(MessageSummary::id).toList();
        track(ids);
        return ids.stream().map(this::message).sorted(Comparator.comparing(Message::id)).toList();
    }

    /** The run times the messages of {@code queue} stand for, oldest first. */
    private List<Instant> runTimesIn(String queue) {
        return messagesOf(queue).stream().map(m -> Instant.parse(m.headers().get(Schedules.RUN_AT_HEADER))).toList();
    }

    // ---------------------------------------------------------------- firing

    @Test
    void aRunIsSentOnceWhenDueAndNotBefore() {
        createQueue(QUEUE);
        assertThat(schedules().put(schedule("every-minute", "* * * * *").header("tenant", "t-1").build())).isTrue();
        Instant due = START.plusSeconds(60);
        assertThat(schedules().get("every-minute").nextRunAt()).isEqualTo(due);

        runAt(due.minusMillis(1));
        assertThat(messagesOf(QUEUE)).isEmpty();

        runAt(due);
        postroom.runMaintenance();
        runAt(due.plusMillis(500));
        List<Message> sent = messagesOf(QUEUE);
        assertThat(sent).hasSize(1);
        Message run = sent.getFirst();
        assertSameJson(run.payloadJson(), Map.of("job", "every-minute"));
        assertThat(run.state()).isEqualTo(MessageState.READY);
        assertThat(run.headers()).containsEntry("tenant", "t-1")
                .containsEntry(Schedules.SCHEDULE_HEADER, "every-minute")
                .containsEntry(Schedules.RUN_AT_HEADER, due.toString());
        assertThat(run.idempotencyKey()).isEqualTo("schedule:every-minute:" + due);
        assertThat(run.timeline().getFirst().node()).isEqualTo(NODE);

        Schedule after = schedules().get("every-minute");
        assertThat(after.lastRunAt()).isEqualTo(due);
        assertThat(after.lastMessageId()).isEqualTo(run.id());
        assertThat(after.nextRunAt()).isEqualTo(due.plusSeconds(60));
    }

    @Test
    void runNowSendsTheMessageAtOnceAndLeavesTheScheduleAsItWas() {
        createQueue(QUEUE);
        schedules().put(schedule("nightly", "0 2 * * *").header("tenant", "t-1").build());
        schedules().pause("nightly");
        Schedule before = schedules().get("nightly");
        clock.advance(java.time.Duration.ofMinutes(5));

        dev.postroom.SendResult sent = schedules().runNow("nightly");

        Message run = message(sent.id());
        track(List.of(sent.id()));
        assertSameJson(run.payloadJson(), Map.of("job", "nightly"));
        assertThat(run.state()).isEqualTo(MessageState.READY);
        assertThat(run.headers()).containsEntry("tenant", "t-1").containsEntry(Schedules.SCHEDULE_HEADER, "nightly")
                .containsEntry(Schedules.RUN_AT_HEADER, clock.instant().toString()).containsEntry(Schedules.MANUAL_HEADER, "true");
        assertThat(schedules().get("nightly")).isEqualTo(before);
        assertThat(schedules().runNow("nightly").id()).as("each run now is a message of its own").isNotEqualTo(sent.id());
        track(messagesOf(QUEUE).stream().map(Message::id).toList());
        assertThatThrownBy(() -> schedules().runNow("no-such-schedule")).isInstanceOf(dev.postroom.ScheduleNotFoundException.class);
    }

    @Test
    void eachRunIsSentInTurn() {
        createQueue(QUEUE);
        schedules().put(schedule("ten-minutes", "*/10 * * * *").build());

        for (int i = 1; i <= 5; i++) {
            runAt(START.plus(Duration.ofMinutes(10L * i)).plusSeconds(1));
        }

        assertThat(runTimesIn(QUEUE)).containsExactly(START.plus(Duration.ofMinutes(10)), START.plus(Duration.ofMinutes(20)),
                START.plus(Duration.ofMinutes(30)), START.plus(Duration.ofMinutes(40)), START.plus(Duration.ofMinutes(50)));
        assertThat(schedules().get("ten-minutes").nextRunAt()).isEqualTo(START.plus(Duration.ofMinutes(60)));
    }

    @Test
    void sixFieldsReadTheFirstAsSeconds() {
        createQueue(QUEUE);
        schedules().put(schedule("twenty-seconds", "*/20 * * * * *").build());
        assertThat(schedules().get("twenty-seconds").nextRunAt()).isEqualTo(START.plusSeconds(20));

        runAt(START.plusSeconds(20));
        runAt(START.plusSeconds(40));

        assertThat(runTimesIn(QUEUE)).containsExactly(START.plusSeconds(20), START.plusSeconds(40));
    }

    @Test
    void aRunALittleLateIsSentAsUsual() {
        createQueue(QUEUE);
        schedules().put(schedule("hourly", "0 * * * *").build());
        Instant due = START.plus(Duration.ofHours(1));

        runAt(due.plus(Schedules.LATE_AFTER).minusSeconds(1));

        assertThat(runTimesIn(QUEUE)).containsExactly(due);
    }

    @Test
    void missedRunsAreSkippedByDefault() {
        createQueue(QUEUE);
        schedules().put(schedule("hourly", "0 * * * *").build());
        assertThat(schedules().get("hourly").missedRuns()).isEqualTo(MissedRuns.SKIP);

        // Nothing ran from 00:00 to 05:30: the runs at 01:00 ... 05:00 were missed.
        runAt(START.plus(Duration.ofMinutes(330)));
        assertThat(messagesOf(QUEUE)).isEmpty();
        Schedule after = schedules().get("hourly");
        assertThat(after.nextRunAt()).isEqualTo(START.plus(Duration.ofHours(6)));
        assertThat(after.lastRunAt()).isNull();

        runAt(START.plus(Duration.ofHours(6)));
        assertThat(runTimesIn(QUEUE)).containsExactly(START.plus(Duration.ofHours(6)));
    }

    @Test
    void runOnceSendsOneCatchUpForAllMissedRunsThenContinuesFromNow() {
        createQueue(QUEUE);
        schedules().put(schedule("hourly", "0 * * * *").missedRuns(MissedRuns.RUN_ONCE).build());

        runAt(START.plus(Duration.ofMinutes(330)));
        postroom.runMaintenance();

        // One message, for the latest missed run (05:00), not five.
        assertThat(runTimesIn(QUEUE)).containsExactly(START.plus(Duration.ofHours(5)));
        assertThat(schedules().get("hourly").nextRunAt()).isEqualTo(START.plus(Duration.ofHours(6)));

        runAt(START.plus(Duration.ofHours(6)));
        assertThat(runTimesIn(QUEUE)).containsExactly(START.plus(Duration.ofHours(5)), START.plus(Duration.ofHours(6)));
    }

    @Test
    void aRunAlreadySentUnderItsIdempotencyKeyIsNotSentAgain() {
        createQueue(QUEUE);
        schedules().put(schedule("guarded", "0 * * * *").build());
        Instant due = START.plus(Duration.ofHours(1));
        // As if another node had sent this run and then lost its advance of the schedule.
        String first = send(QUEUE, "sent elsewhere", SendOptions.builder().idempotencyKey("schedule:guarded:" + due).build()).id();

        runAt(due);

        assertThat(messagesOf(QUEUE)).extracting(Message::id).containsExactly(first);
        Schedule after = schedules().get("guarded");
        assertThat(after.lastMessageId()).isEqualTo(first);
        assertThat(after.nextRunAt()).isEqualTo(due.plus(Duration.ofHours(1)));
    }

    @Test
    void aPausedQueueStillReceivesRuns() {
        createQueue(QUEUE);
        postroom.pause(QUEUE);
        schedules().put(schedule("into-paused", "* * * * *").build());

        runAt(START.plusSeconds(60));

        assertThat(counts(QUEUE).ready()).isEqualTo(1);
        assertNothingToReceive(QUEUE);
        postroom.resume(QUEUE);
        assertThat(receiveOne(QUEUE).headers()).containsEntry(Schedules.SCHEDULE_HEADER, "into-paused");
        messagesOf(QUEUE);
    }

    @Test
    void aScheduleWhoseQueueWasDeletedSendsNothingAndOthersStillRun() {
        createQueue(QUEUE);
        createQueue("doomed");
        schedules().put(schedule("orphan", "0 * * * *").queue("doomed").build());
        schedules().put(schedule("fine", "0 * * * *").build());
        postroom.deleteQueue("doomed", true);

        runAt(START.plus(Duration.ofHours(1)));

        assertThat(runTimesIn(QUEUE)).containsExactly(START.plus(Duration.ofHours(1)));
        Schedule orphan = schedules().get("orphan");
        assertThat(orphan.lastRunAt()).isNull();
        assertThat(orphan.nextRunAt()).isEqualTo(START.plus(Duration.ofHours(2)));
    }

    // ---------------------------------------------------------------- pause, resume, update, delete

    @Test
    void aPausedScheduleSendsNothingAndResumeContinuesFromNow() {
        createQueue(QUEUE);
        schedules().put(schedule("hourly", "0 * * * *").missedRuns(MissedRuns.RUN_ONCE).build());

        Schedule paused = schedules().pause("hourly");
        assertThat(paused.paused()).isTrue();
        assertThat(paused.nextRunAt()).isNull();
        assertThat(schedules().pause("hourly")).isEqualTo(paused);

        runAt(START.plus(Duration.ofHours(3)));
        assertThat(messagesOf(QUEUE)).isEmpty();

        clock.set(START.plus(Duration.ofMinutes(190)));
        Schedule resumed = schedules().resume("hourly");
        assertThat(resumed.paused()).isFalse();
        // Runs missed while paused are not made up, even with runOnce.
        assertThat(resumed.nextRunAt()).isEqualTo(START.plus(Duration.ofHours(4)));
        postroom.runMaintenance();
        assertThat(messagesOf(QUEUE)).isEmpty();

        runAt(START.plus(Duration.ofHours(4)));
        assertThat(runTimesIn(QUEUE)).containsExactly(START.plus(Duration.ofHours(4)));
    }

    @Test
    void putCanCreateASchedulePausedAndAPutWithoutPausedKeepsTheState() {
        createQueue(QUEUE);
        schedules().put(schedule("later", "0 * * * *").paused(true).build());
        assertThat(schedules().get("later").paused()).isTrue();

        schedules().put(schedule("later", "30 * * * *").build());
        Schedule kept = schedules().get("later");
        assertThat(kept.paused()).isTrue();
        assertThat(kept.nextRunAt()).isNull();

        schedules().put(schedule("later", "30 * * * *").paused(false).build());
        assertThat(schedules().get("later").nextRunAt()).isEqualTo(START.plus(Duration.ofMinutes(30)));
    }

    @Test
    void putReplacesTheDefinitionAndRecomputesTheNextRun() {
        createQueue(QUEUE);
        createQueue("other");
        assertThat(schedules().put(schedule("report", "0 * * * *").build())).isTrue();
        runAt(START.plus(Duration.ofHours(1)));
        Schedule before = schedules().get("report");

        clock.set(START.plus(Duration.ofMinutes(70)));
        assertThat(schedules().put(ScheduleDefinition.builder("report").cron("0 6 * * *").timezone("Europe/Berlin")
                .queue("other").payload(List.of(1, 2)).missedRuns(MissedRuns.RUN_ONCE).build())).isFalse();

        Schedule after = schedules().get("report");
        assertThat(after.cron()).isEqualTo("0 6 * * *");
        assertThat(after.timezone()).isEqualTo(BERLIN);
        assertThat(after.queue()).isEqualTo("other");
        assertSameJson(after.payloadJson(), List.of(1, 2));
        assertThat(after.missedRuns()).isEqualTo(MissedRuns.RUN_ONCE);
        // 06:00 in Berlin is 05:00 UTC in January.
        assertThat(after.nextRunAt()).isEqualTo(START.plus(Duration.ofHours(5)));
        assertThat(after.createdAt()).isEqualTo(before.createdAt());
        assertThat(after.updatedAt()).isEqualTo(START.plus(Duration.ofMinutes(70)));
        assertThat(after.lastRunAt()).isEqualTo(before.lastRunAt());
        assertThat(after.lastMessageId()).isEqualTo(before.lastMessageId());
        assertThat(schedules().list()).extracting(Schedule::name).containsExactly("report");

        runAt(START.plus(Duration.ofHours(5)));
        assertThat(runTimesIn("other")).containsExactly(START.plus(Duration.ofHours(5)));
        assertThat(runTimesIn(QUEUE)).containsExactly(START.plus(Duration.ofHours(1)));
    }

    @Test
    void puttingTheSameDefinitionAgainKeepsARunThatIsDue() {
        createQueue(QUEUE);
        schedules().put(schedule("hourly", "0 * * * *").build());
        clock.set(START.plus(Duration.ofHours(1)).plusSeconds(5));

        schedules().put(schedule("hourly", "0 * * * *").build());
        assertThat(schedules().get("hourly").nextRunAt()).isEqualTo(START.plus(Duration.ofHours(1)));
        postroom.runMaintenance();

        assertThat(runTimesIn(QUEUE)).containsExactly(START.plus(Duration.ofHours(1)));
    }

    @Test
    void deleteStopsRunsAndAnUnknownScheduleIsNotFound() {
        createQueue(QUEUE);
        schedules().put(schedule("gone", "* * * * *").build());
        schedules().delete("gone");

        runAt(START.plus(Duration.ofMinutes(5)));

        assertThat(messagesOf(QUEUE)).isEmpty();
        assertThat(schedules().list()).isEmpty();
        assertThatThrownBy(() -> schedules().get("gone")).isInstanceOf(ScheduleNotFoundException.class).hasMessageContaining("gone");
        assertThatThrownBy(() -> schedules().delete("gone")).isInstanceOf(ScheduleNotFoundException.class);
        assertThatThrownBy(() -> schedules().pause("gone")).isInstanceOf(ScheduleNotFoundException.class);
        assertThatThrownBy(() -> schedules().resume("gone")).isInstanceOf(ScheduleNotFoundException.class);
    }

    @Test
    void invalidDefinitionsAreRefusedNamingTheFieldAndStoreNothing() {
        createQueue(QUEUE);
        assertInvalid(schedule("bad", "61 * * * *").build(), "cron");
        assertInvalid(schedule("bad", "* * * *").build(), "cron");
        assertInvalid(schedule("bad", "0 0 0 * * * *").build(), "cron");
        assertInvalid(schedule("bad", "").build(), "cron");
        assertInvalid(schedule("bad", "0 0 31 2 *").build(), "cron");
        assertInvalid(schedule("bad", "0 * * * *").timezone("Mars/Olympus_Mons").build(), "timezone");
        assertInvalid(schedule("bad name", "0 * * * *").build(), "name");
        assertInvalid(schedule("bad", "0 * * * *").queue("no such queue").build(), "queue");
        assertInvalid(schedule("bad", "0 * * * *").payload(null).build(), "payload");
        assertInvalid(schedule("bad", "0 * * * *").header(Schedules.RUN_AT_HEADER, "x").build(), "headers." + Schedules.RUN_AT_HEADER);
        assertInvalid(schedule("bad", "0 * * * *").header("bad header", "x").build(), "headers.bad header");
        assertInvalid(schedule("bad", "0 * * * *").header("tenant", null).build(), "headers.tenant");
        assertThatThrownBy(() -> schedules().put(schedule("bad", "0 * * * *").queue("missing").build()))
                .isInstanceOf(QueueNotFoundException.class).hasMessageContaining("missing");

        assertThat(schedules().list()).isEmpty();
    }

    private void assertInvalid(ScheduleDefinition definition, String field) {
        assertThatThrownBy(() -> schedules().put(definition))
                .as("%s", definition)
                .isInstanceOfSatisfying(InvalidMessageException.class, e -> assertThat(e.field()).isEqualTo(field));
    }

    // ---------------------------------------------------------------- time zones

    @Test
    void aDailyRunInTheSpringForwardGapRunsOnceThatDay() {
        createQueue(QUEUE);
        // Europe/Berlin jumps from 02:00 CET to 03:00 CEST on 29 March 2026: 02:30 never happens.
        clock.set(Instant.parse("2026-03-28T12:00:00Z"));
        schedules().put(schedule("half-past-two", "30 2 * * *").timezone("Europe/Berlin").build());
        // 02:30 at the offset before the gap, +01:00: the same instant as 03:30 CEST.
        Instant shifted = Instant.parse("2026-03-29T01:30:00Z");
        assertThat(schedules().get("half-past-two").nextRunAt()).isEqualTo(shifted);

        stepThrough(Instant.parse("2026-03-28T23:00:00Z"), Instant.parse("2026-03-30T03:00:00Z"));

        assertThat(runTimesIn(QUEUE)).containsExactly(shifted, Instant.parse("2026-03-30T00:30:00Z"));
        assertThat(schedules().get("half-past-two").nextRunAt()).isEqualTo(Instant.parse("2026-03-31T00:30:00Z"));
    }

    @Test
    void aDailyRunInTheFallBackOverlapRunsOnceAndAnHourlyOneInBothPasses() {
        createQueue(QUEUE);
        createQueue("hourly-work");
        // Europe/Berlin goes back from 03:00 CEST to 02:00 CET on 25 October 2026: 02:30 happens twice.
        clock.set(Instant.parse("2026-10-24T12:00:00Z"));
        schedules().put(schedule("half-past-two", "30 2 * * *").timezone("Europe/Berlin").build());
        schedules().put(schedule("every-half-past", "30 * * * *").timezone("Europe/Berlin").queue("hourly-work").build());

        stepThrough(Instant.parse("2026-10-24T22:00:00Z"), Instant.parse("2026-10-25T03:00:00Z"));

        assertThat(runTimesIn(QUEUE)).containsExactly(Instant.parse("2026-10-25T00:30:00Z"));
        assertThat(schedules().get("half-past-two").nextRunAt()).isEqualTo(Instant.parse("2026-10-26T01:30:00Z"));
        assertThat(runTimesIn("hourly-work")).containsExactly(
                Instant.parse("2026-10-24T22:30:00Z"), // 00:30 CEST
                Instant.parse("2026-10-24T23:30:00Z"), // 01:30 CEST
                Instant.parse("2026-10-25T00:30:00Z"), // 02:30 CEST
                Instant.parse("2026-10-25T01:30:00Z"), // 02:30 CET, the second pass
                Instant.parse("2026-10-25T02:30:00Z")); // 03:30 CET
    }

    /** Runs maintenance every five minutes from {@code from} to {@code to}, as a node running through the night would. */
    private void stepThrough(Instant from, Instant to) {
        for (Instant at = from; !at.isAfter(to); at = at.plus(Duration.ofMinutes(5))) {
            runAt(at);
        }
    }

    // ---------------------------------------------------------------- restarts

    @Test
    void schedulesAndTheirRunStateSurviveRestart() {
        createQueue(QUEUE);
        schedules().put(schedule("hourly", "0 * * * *").header("k", "v").missedRuns(MissedRuns.RUN_ONCE).build());
        schedules().put(schedule("resting", "*/5 * * * *").timezone("Europe/Berlin").paused(true).build());
        runAt(START.plus(Duration.ofHours(1)));
        List<Schedule> before = schedules().list();
        assertThat(before).extracting(Schedule::name).containsExactly("hourly", "resting");

        restart();

        assertThat(schedules().list()).isEqualTo(before);
        runAt(START.plus(Duration.ofHours(1)).plusSeconds(10));
        assertThat(runTimesIn(QUEUE)).as("the run sent before the restart is not sent again").containsExactly(START.plus(Duration.ofHours(1)));
        runAt(START.plus(Duration.ofHours(2)));
        assertThat(runTimesIn(QUEUE)).containsExactly(START.plus(Duration.ofHours(1)), START.plus(Duration.ofHours(2)));
    }
}

package dev.postroom;

import dev.postroom.engine.CronSchedule;
import dev.postroom.engine.EngineContext;
import dev.postroom.engine.QueueNames;
import dev.postroom.engine.ScheduleRuns;
import dev.postroom.store.MessageStore;
import dev.postroom.store.NewMessage;
import dev.postroom.store.SendBatch;
import dev.postroom.store.SendOutcome;
import dev.postroom.store.SchedulePlanner;
import dev.postroom.store.SchedulePut;
import dev.postroom.store.ScheduleToggle;
import dev.postroom.store.StoredQueue;
import dev.postroom.store.StoredSchedule;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cron schedules that send a message to a queue on time, once per cluster, from
 * {@link Postroom#schedules()}:
 * <pre>{@code
 * postroom.schedules().put(ScheduleDefinition.builder("nightly-report")
 *         .cron("30 2 * * *").timezone("Europe/Berlin")
 *         .queue("reports").payload(Map.of("report", "daily"))
 *         .missedRuns(MissedRuns.RUN_ONCE)
 *         .build());
 * Instant next = postroom.schedules().get("nightly-report").nextRunAt();
 * }</pre>
 *
 * <p>Runs are sent by the maintenance pass of whichever node gets to them first (every 250 ms by
 * default): the store takes a due schedule, stores the run's message and advances the schedule in
 * one transaction, so each run is sent once however many nodes share the store. Each message
 * carries the headers {@value #SCHEDULE_HEADER} (the schedule's name) and {@value #RUN_AT_HEADER}
 * (the run time it stands for, RFC 3339) and the idempotency key {@code schedule:<name>:<run time>}.
 * A paused queue still receives runs; they wait there until it is resumed.
 *
 * <p>Expressions: five fields (minute hour day-of-month month day-of-week) or six with leading
 * seconds, read in an IANA time zone (default UTC) with daylight saving time as an operator expects:
 * a run in a spring-forward gap runs once, shifted by the gap; one in a fall-back overlap runs once.
 * A run {@link #LATE_AFTER} or more overdue was missed, and {@link MissedRuns} decides what happens.
 *
 * <p>Invalid input throws at once ({@link InvalidMessageException} naming the field: {@code name},
 * {@code cron}, {@code timezone}, {@code queue}, {@code payload}, {@code headers…};
 * {@link QueueNotFoundException}; {@link MessageTooLargeException}) and changes nothing. Thread-safe.
 */
public final class Schedules {
    /** How overdue a run may be and still be sent as usual; beyond it, a missed run. One minute, as Quartz's default misfire threshold. */
    public static final Duration LATE_AFTER = ScheduleRuns.LATE_AFTER;
    /** The header naming the schedule on every run's message. */
    public static final String SCHEDULE_HEADER = ScheduleRuns.SCHEDULE_HEADER;
    /** The header giving the run time (RFC 3339, UTC) on every run's message. */
    public static final String RUN_AT_HEADER = ScheduleRuns.RUN_AT_HEADER;
    /** The header of a run an operator asked for with {@link #runNow}, outside the cron. */
    public static final String MANUAL_HEADER = "postroom.manual";

    private final MessageStore store;
    private final SchedulePlanner runner;
    private final EngineContext engine;

    Schedules(EngineContext engine, SchedulePlanner runner) {
        this.engine = engine;
        this.store = engine.store();
        this.runner = runner;
    }

    /**
     * Creates the schedule, or replaces the definition of an existing one. Its next run is the first
     * after now; an existing schedule whose cron and zone are unchanged keeps its next run. The
     * paused state is kept unless the definition names one.
     *
     * @return true when the schedule was created, false when it was replaced
     * @throws InvalidMessageException  naming the field at fault (a cron that never matches a date,
     *                                  such as 30 February, is invalid)
     * @throws QueueNotFoundException   when the queue does not exist
     * @throws MessageTooLargeException when the payload is over {@link Limits#maxPayloadBytes()}
     */
    public boolean put(ScheduleDefinition definition) {
        engine.requireOpen();
        String name = QueueNames.require("name", definition.name());
        CronSchedule cron = CronSchedule.parse(definition.cron(), definition.timezone());
        String queue = QueueNames.require("queue", definition.queue());
        StoredQueue target = engine.catalog().require(queue);
        if (definition.payload() == null) {
            throw new InvalidMessageException("payload", "is required; a JSON null is RawJson(\"null\")");
        }
        String payload = definition.payload() instanceof RawJson raw ? raw.json() : engine.codec().encode("payload", definition.payload());
        Map<String, String> headers = checkHeaders(definition.headers());
        Instant now = engine.clock().instant();
        Instant next = cron.nextAfter(now).orElseThrow(() -> new InvalidMessageException("cron",
                "\"" + cron.expression() + "\" never matches a date (such as 30 February)"));
        MissedRuns missedRuns = definition.missedRuns() == null ? MissedRuns.SKIP : definition.missedRuns();
        SchedulePut put = new SchedulePut(name, cron.expression(), cron.zone().getId(), queue, payload, headers, missedRuns,
                definition.paused(), next, now);
        // A run's message is checked as a send is: a schedule that could never send is refused now, not at 02:30.
        engine.factory().create(queue, target.policy(), new RawJson(payload), ScheduleRuns.options(name, headers, next), now, "");
        return Futures.join(store.schedules().put(put));
    }

    private Map<String, String> checkHeaders(Map<String, String> headers) {
        for (String reserved : List.of(SCHEDULE_HEADER, RUN_AT_HEADER)) {
            if (headers.containsKey(reserved)) {
                throw new InvalidMessageException("headers." + reserved, "is set by Postroom on every run");
            }
        }
        for (Map.Entry<String, String> header : headers.entrySet()) {
            if (header.getKey() == null || header.getValue() == null) {
                throw new InvalidMessageException("headers." + header.getKey(), "must not be null");
            }
        }
        if (headers.size() > engine.limits().maxHeaders() - 2) {
            throw new InvalidMessageException("headers", "at most " + (engine.limits().maxHeaders() - 2) + " entries (Postroom adds "
                    + SCHEDULE_HEADER + " and " + RUN_AT_HEADER + "), was " + headers.size());
        }
        return new LinkedHashMap<>(headers);
    }

    /**
     * The schedule called {@code name}.
     *
     * @throws ScheduleNotFoundException when there is none
     */
    public Schedule get(String name) {
        QueueNames.require("name", name);
        return store.schedules().get(name).map(Schedules::view).orElseThrow(() -> new ScheduleNotFoundException(name));
    }

    /** Every schedule, by name. */
    public List<Schedule> list() {
        return store.schedules().list().stream().map(Schedules::view).toList();
    }

    /**
     * Deletes the schedule; a run already sent stays in its queue.
     *
     * @throws ScheduleNotFoundException when there is none
     */
    public void delete(String name) {
        engine.requireOpen();
        QueueNames.require("name", name);
        if (!Futures.join(store.schedules().delete(name))) {
            throw new ScheduleNotFoundException(name);
        }
    }

    /**
     * Stops the schedule's runs until {@link #resume}; pausing a paused schedule changes nothing.
     *
     * @throws ScheduleNotFoundException when there is none
     */
    public Schedule pause(String name) {
        return toggle(name, true);
    }

    /**
     * Runs a paused schedule again, from its first run after now: runs it missed while paused are
     * not made up. Resuming a running schedule changes nothing.
     *
     * @throws ScheduleNotFoundException when there is none
     */
    public Schedule resume(String name) {
        return toggle(name, false);
    }

    /**
     * Sends the schedule's message now, outside its cron: its queue, payload and headers, with the
     * run headers ({@value #SCHEDULE_HEADER}, and {@value #RUN_AT_HEADER} set to now) and
     * {@value #MANUAL_HEADER}. The schedule itself is untouched: its next run, last run and pause
     * stay as they were. For "run the nightly report now", paused or not.
     *
     * @throws ScheduleNotFoundException when there is none
     * @throws QueueNotFoundException    when its queue no longer exists
     */
    public SendResult runNow(String name) {
        engine.requireOpen();
        Schedule schedule = get(name);
        StoredQueue queue = engine.catalog().require(schedule.queue());
        Instant now = engine.clock().instant();
        Map<String, String> headers = new LinkedHashMap<>(schedule.headers());
        headers.put(SCHEDULE_HEADER, name);
        headers.put(RUN_AT_HEADER, now.toString());
        headers.put(MANUAL_HEADER, "true");
        NewMessage message = engine.factory().create(schedule.queue(), queue.policy(), new RawJson(schedule.payloadJson()),
                SendOptions.builder().headers(headers).build(), now, "");
        SendOutcome outcome = Futures.join(store.send(new SendBatch(List.of(message), now, engine.node()))).getFirst();
        engine.signals().changed(schedule.queue());
        engine.listener().sent(schedule.queue(), outcome.id(), outcome.state(), false);
        return new SendResult(outcome.id(), outcome.state(), false);
    }

    private Schedule toggle(String name, boolean paused) {
        engine.requireOpen();
        QueueNames.require("name", name);
        return view(Futures.join(store.schedules().setPaused(new ScheduleToggle(name, paused, engine.clock().instant(), runner))));
    }

    private static Schedule view(StoredSchedule s) {
        return new Schedule(s.name(), s.cron(), ZoneId.of(s.timezone()), s.queue(), s.payloadJson(), s.headers(), s.missedRuns(),
                s.paused(), s.nextRunAt(), s.lastRunAt(), s.lastMessageId(), s.createdAt(), s.updatedAt());
    }
}

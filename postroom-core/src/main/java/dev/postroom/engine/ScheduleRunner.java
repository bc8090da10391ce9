package dev.postroom.engine;

import dev.postroom.Futures;
import dev.postroom.MessageListener;
import dev.postroom.MissedRuns;
import dev.postroom.PostroomException;
import dev.postroom.QueueNotFoundException;
import dev.postroom.RawJson;
import dev.postroom.store.MessageStore;
import dev.postroom.store.NewMessage;
import dev.postroom.store.ScheduleFire;
import dev.postroom.store.ScheduleFiring;
import dev.postroom.store.SchedulePlanner;
import dev.postroom.store.ScheduleRun;
import dev.postroom.store.StoredQueue;
import dev.postroom.store.StoredSchedule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Fires due schedules from the maintenance pass (every 250 ms by default, so a run is sent well
 * within a second of its time), and plans each run for the store: which run time the message stands
 * for, the message itself, and the next run. The store takes the due schedules and stores the
 * messages in one transaction, which is what makes a run happen once per cluster.
 *
 * <p>A run less than {@link ScheduleRuns#LATE_AFTER} overdue is sent as usual; an older one was missed
 * (every node was down, or the store was) and the schedule's {@link MissedRuns} decides.
 */
public final class ScheduleRunner implements SchedulePlanner {
    private static final Logger log = LoggerFactory.getLogger(ScheduleRunner.class);
    /** Schedules fired per pass; more due at once wait for the next pass, a quarter second later. */
    static final int MAX_PER_PASS = 200;

    private final MessageStore store;
    private final QueueCatalog catalog;
    private final MessageFactory factory;
    private final QueueSignals signals;
    private final MessageListener listener;
    private final String node;

    public ScheduleRunner(MessageStore store, QueueCatalog catalog, MessageFactory factory, QueueSignals signals,
                          MessageListener listener, String node) {
        this.store = store;
        this.catalog = catalog;
        this.factory = factory;
        this.signals = signals;
        this.listener = listener;
        this.node = node;
    }

    /** Fires every schedule due at {@code now} (up to {@link #MAX_PER_PASS}); returns how many sent a message. */
    public int fireDue(Instant now) {
        List<ScheduleFiring> firings = Futures.join(store.schedules().fireDue(new ScheduleFire(now, node, this, MAX_PER_PASS)));
        int sent = 0;
        for (ScheduleFiring firing : firings) {
            if (firing.sent() == null) {
                log.warn("schedule run not sent schedule={} queue={} reason=\"{}\" nextRunAt={}",
                        firing.schedule(), firing.queue(), firing.note(), firing.nextRunAt());
                continue;
            }
            sent++;
            signals.changed(firing.queue());
            listener.sent(firing.queue(), firing.sent().id(), firing.sent().state(), firing.sent().duplicate());
            log.debug("schedule run sent schedule={} queue={} runAt={} messageId={} duplicate={} nextRunAt={}", firing.schedule(),
                    firing.queue(), firing.runAt(), firing.sent().id(), firing.sent().duplicate(), firing.nextRunAt());
        }
        return sent;
    }

    @Override
    public ScheduleRun plan(StoredSchedule schedule, Instant now) {
        CronSchedule cron;
        try {
            cron = CronSchedule.parse(schedule.cron(), schedule.timezone());
        } catch (PostroomException e) {
            return ScheduleRun.skip(null, "its cron cannot be read: " + e.getMessage());
        }
        Instant due = schedule.nextRunAt();
        Instant runAt;
        Instant next;
        if (Duration.between(due, now).compareTo(ScheduleRuns.LATE_AFTER) < 0) {
            runAt = due;
            next = cron.nextAfter(due).orElse(null);
        } else if (schedule.missedRuns() == MissedRuns.SKIP) {
            return ScheduleRun.skip(cron.nextAfter(now).orElse(null), "runs missed since " + due + " were skipped (missedRuns skip)");
        } else {
            // One catch-up message, for the latest missed run: the one a late start most likely stands in for.
            runAt = cron.latestAtOrBefore(now).filter(latest -> !latest.isBefore(due)).orElse(due);
            next = cron.nextAfter(now).orElse(null);
        }
        try {
            return ScheduleRun.send(runAt, message(schedule, runAt, now), next);
        } catch (PostroomException e) {
            return ScheduleRun.skip(next, "run at " + runAt + " not sent: " + e.getMessage());
        }
    }

    @Override
    public Instant nextRun(StoredSchedule schedule, Instant now) {
        return CronSchedule.parse(schedule.cron(), schedule.timezone()).nextAfter(now).orElse(null);
    }

    /** The message of one run, checked as a send is (the limits may have changed since the schedule was put). */
    private NewMessage message(StoredSchedule schedule, Instant runAt, Instant now) {
        StoredQueue queue = catalog.find(schedule.queue()).orElseThrow(() -> new QueueNotFoundException(schedule.queue()));
        return factory.create(schedule.queue(), queue.policy(), new RawJson(schedule.payloadJson()),
                ScheduleRuns.options(schedule.name(), schedule.headers(), runAt), now, "");
    }
}

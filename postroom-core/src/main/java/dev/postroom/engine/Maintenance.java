package dev.postroom.engine;

import dev.postroom.Futures;
import dev.postroom.MessageState;
import dev.postroom.QueuePolicy;
import dev.postroom.store.StoredQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;

/**
 * One pass of background upkeep: report this node in (every few seconds), promote due scheduled messages, fail expired leases, expire
 * messages past their TTL, send the runs of due schedules, complete finished batches, release workflow steps, renew the leases of handlers still running here
 * (interrupting those past their queue's maxRun), and (less often)
 * purge finished messages past their queue's retention and forget long-dead nodes. The engine runs it on a timer; tests
 * call {@link dev.postroom.Postroom#runMaintenance()} with a fake clock instead.
 */
public final class Maintenance {
    private static final Logger log = LoggerFactory.getLogger(Maintenance.class);
    /** Retention and catalog refresh are cheap but not free; once a minute is plenty for hour-scale retention. */
    private static final Duration SLOW_PASS_EVERY = Duration.ofMinutes(1);

    private final EngineContext engine;
    private final NodeHeartbeat heartbeat;
    private final ScheduleRunner schedules;
    private final BatchCompleter batches;
    private final WorkflowAdvancer workflows;
    private Instant lastSlowPass = Instant.MIN;

    public Maintenance(EngineContext engine, NodeHeartbeat heartbeat, ScheduleRunner schedules, BatchCompleter batches,
                       WorkflowAdvancer workflows) {
        this.workflows = workflows;
        this.engine = engine;
        this.heartbeat = heartbeat;
        this.schedules = schedules;
        this.batches = batches;
    }

    /** Runs one pass; {@code full} forces the retention purge regardless of when it last ran. */
    public synchronized void runOnce(boolean full) {
        Instant now = engine.clock().instant();
        heartbeat.beat(now, full);
        int promoted = Futures.join(engine.store().promoteDue(now, engine.node()));
        int expired = Futures.join(engine.store().expireLeases(now, engine.retries(), engine.node()));
        int timedOut = Futures.join(engine.store().expireTtl(now, engine.node()));
        if (promoted + expired + timedOut > 0) {
            engine.signals().changedAll();
        }
        if (expired > 0) {
            log.warn("leases expired count={}", expired);
        }
        renewRunningLeases(now);
        // After expiry and TTL, so that a member they just ended counts towards its batch in this pass.
        completeBatches(now);
        advanceWorkflows(now);
        if (full || Duration.between(lastSlowPass, now).compareTo(SLOW_PASS_EVERY) >= 0) {
            lastSlowPass = now;
            engine.catalog().refresh();
            purgeRetained(now);
            try {
                batches.forget(now);
            } catch (RuntimeException e) {
                log.warn("forgetting old batches failed; next slow pass retries error={}", e.toString());
            }
            try {
                workflows.forget(now);
            } catch (RuntimeException e) {
                log.warn("forgetting old workflows failed; next slow pass retries error={}", e.toString());
            }
            int forgotten = heartbeat.forgetDead(now);
            if (forgotten > 0) {
                log.info("dead nodes forgotten count={}", forgotten);
            }
        }
        // Last: a failing schedule (its pass is retried next time) must not hold up leases or retention.
        schedules.fireDue(now);
    }

    /**
     * A failed completion pass stored nothing (its transaction rolled back) and the next pass tries
     * again; it must not stop the rest of upkeep, so it is reported here rather than thrown.
     */
    private void completeBatches(Instant now) {
        try {
            batches.run(now);
        } catch (RuntimeException e) {
            log.warn("batch completion pass failed; next pass retries error={}", e.toString());
        }
    }

    /** As {@link #completeBatches}: a failed pass wrote nothing, and the next one tries again. */
    private void advanceWorkflows(Instant now) {
        try {
            workflows.run(now);
        } catch (RuntimeException e) {
            log.warn("workflow pass failed; next pass retries error={}", e.toString());
        }
    }

    private void renewRunningLeases(Instant now) {
        for (HandlerRun<?> run : engine.running().all()) {
            if (run.timedOutAfter() != null) {
                continue; // its handler was interrupted; if it does not stop, its lease ends and the message moves on
            }
            Duration maxRun = engine.catalog().find(run.queue()).map(q -> q.policy().maxRun()).orElse(null);
            if (maxRun != null && !now.isBefore(run.startedAt().plus(maxRun))) {
                log.warn("handler ran past the queue's maxRun, interrupting it messageId={} queue={} attempt={} maxRunSeconds={}",
                        run.id(), run.queue(), run.attempt(), PolicyValidator.seconds(maxRun));
                run.timeOut(maxRun);
                continue;
            }
            Duration left = Duration.between(now, run.leaseExpiresAt());
            if (left.compareTo(run.lease().dividedBy(2)) < 0) {
                try {
                    run.extendLease(run.lease());
                } catch (RuntimeException e) {
                    log.info("lease lost while running messageId={} queue={} error={}", run.id(), run.queue(), e.toString());
                    run.interrupt();
                }
            }
        }
    }

    /** Finished messages of {@code state} past retention: moved to the archive if the queue keeps one, else deleted. */
    private int endRetention(String queue, QueuePolicy policy, MessageState state, Instant before, Instant now) {
        return Futures.join(policy.archive() == null
                ? engine.store().purgeFinished(queue, state, before)
                : engine.store().archiveFinished(queue, state, before, now));
    }

    private void purgeRetained(Instant now) {
        for (StoredQueue queue : engine.catalog().all()) {
            QueuePolicy policy = queue.policy();
            int purged = endRetention(queue.name(), policy, MessageState.SUCCEEDED, now.minus(policy.retention()), now)
                    + endRetention(queue.name(), policy, MessageState.CANCELLED, now.minus(policy.retention()), now)
                    + endRetention(queue.name(), policy, MessageState.DEAD, now.minus(policy.deadRetention()), now);
            if (purged > 0) {
                log.info("retention {} queue={} count={}", policy.archive() == null ? "purge" : "archived", queue.name(), purged);
            }
            // Without an archive (or with it just turned off) whatever the queue has archived goes.
            int forgotten = Futures.join(engine.store().archive().purge(queue.name(),
                    policy.archive() == null ? now.plusMillis(1) : now.minus(policy.archive())));
            if (forgotten > 0) {
                log.info("archive purge queue={} purged={}", queue.name(), forgotten);
            }
        }
    }
}

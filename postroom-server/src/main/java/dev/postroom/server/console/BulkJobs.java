package dev.postroom.server.console;

import dev.postroom.IllegalTransitionException;
import dev.postroom.Message;
import dev.postroom.MessageNotFoundException;
import dev.postroom.MessageState;
import dev.postroom.Postroom;
import dev.postroom.server.bulk.PageWalk;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Runs bulk redrives and deletes of dead messages in the background, one virtual thread per job
 * (and one per message of the page in hand, see {@link PageWalk}), and remembers them so their pages can show progress. A job walks its filter's pages once, newest
 * first, and acts message by message: paging is by position, so the messages it changes never
 * shift the pages still to come. Only a message that is still DEAD when the job reaches it is
 * touched; one that another hand redrove, retried to success or deleted meanwhile is skipped.
 *
 * <p>Jobs live in memory only: a restart forgets them (the audit log keeps who started what), and
 * a job cut short by a restart simply stops; running the same filter again finishes it.
 */
final class BulkJobs {
    /** Finished jobs kept for their pages; enough for a day of operator work, small enough to forget. */
    static final int KEEP_FINISHED = 50;
    private static final Logger log = LoggerFactory.getLogger(BulkJobs.class);

    private final Postroom postroom;
    private final InstantSource clock;
    private final Map<String, BulkJob> jobs = new LinkedHashMap<>();

    BulkJobs(Postroom postroom, InstantSource clock) {
        this.postroom = postroom;
        this.clock = clock;
    }

    /**
     * Starts a job and returns at once.
     *
     * @param expected   how many messages the preview counted, the progress bar's first total
     * @param whenFinished called on the job's thread once it ends, for the audit log
     */
    BulkJob start(BulkJob.Kind kind, DeadLetterFilter filter, long expected, String actor, Consumer<BulkJob> whenFinished) {
        BulkJob job = new BulkJob(UUID.randomUUID().toString(), kind, filter, actor, expected, clock.instant());
        synchronized (jobs) {
            jobs.put(job.id(), job);
        }
        log.info("bulk job started job={} kind={} queue={} expected={} actor={}", job.id(), kind.verb(), filter.queue(), expected, actor);
        Thread.ofVirtual().name("bulk-" + kind.verb() + "-" + job.id()).start(() -> {
            String problem = null;
            try {
                run(job);
            } catch (RuntimeException e) {
                problem = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                log.warn("bulk job stopped job={} queue={} after={}", job.id(), filter.queue(), job.processed(), e);
            }
            job.finish(clock.instant(), problem);
            forgetOldFinished();
            log.info("bulk job finished {}", job);
            whenFinished.accept(job);
        });
        return job;
    }

    Optional<BulkJob> find(String id) {
        synchronized (jobs) {
            return Optional.ofNullable(jobs.get(id));
        }
    }

    private void run(BulkJob job) {
        DeadLetterFilter filter = job.filter();
        PageWalk.forEach(postroom, filter.query(), filter::matches, message -> {
            job.matchedOne();
            apply(job, message.id());
        });
    }

    private void apply(BulkJob job, String id) {
        try {
            // The listing may be a moment old: act only on a message that is dead now. A retry of a
            // message that left DEAD still fails below; a delete would not, hence this look first.
            Optional<Message> now = postroom.get(id);
            if (now.isEmpty() || now.get().state() != MessageState.DEAD) {
                job.skippedOne();
                return;
            }
            boolean changed = switch (job.kind()) {
                case REDRIVE -> {
                    postroom.retry(id);
                    yield true;
                }
                case DELETE -> postroom.delete(id, MessageState.DEAD); // not one redriven since the look above
            };
            if (changed) {
                job.succeeded();
            } else {
                job.skippedOne();
            }
        } catch (IllegalTransitionException | MessageNotFoundException e) {
            job.skippedOne();
        } catch (RuntimeException e) {
            job.failedOne();
            log.warn("bulk job could not {} message job={} messageId={} queue={}", job.kind().verb(), job.id(), id,
                    job.filter().queue(), e);
        }
    }

    private void forgetOldFinished() {
        synchronized (jobs) {
            List<String> finished = new ArrayList<>();
            jobs.forEach((id, job) -> {
                if (!job.isRunning()) {
                    finished.add(id);
                }
            });
            for (int i = 0; i < finished.size() - KEEP_FINISHED; i++) {
                jobs.remove(finished.get(i));
            }
        }
    }
}

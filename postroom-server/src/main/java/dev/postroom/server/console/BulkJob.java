package dev.postroom.server.console;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One bulk action over dead messages as it runs: what it does to which filter, who started it,
 * and how far it got. Counters are updated by the job's thread and read by pages at any time, so
 * a page may see one counter a message ahead of another; the finished job's are exact.
 */
public final class BulkJob {
    /** What a bulk job does to each matching dead message. */
    public enum Kind {
        /** Makes it READY again with fresh attempts. */
        REDRIVE("redrive", "redriven", "Redriven"),
        /** Deletes it for good. */
        DELETE("delete", "deleted", "Deleted");

        private final String verb;
        private final String participle;
        private final String label;

        Kind(String verb, String participle, String label) {
            this.verb = verb;
            this.participle = participle;
            this.label = label;
        }

        /** {@code redrive}, {@code delete}: for titles and the audit action. */
        public String verb() {
            return verb;
        }

        /** {@code redriven}, {@code deleted}: for the result line. */
        public String participle() {
            return participle;
        }

        /** {@code Redriven}, {@code Deleted}: for the counter's label. */
        public String label() {
            return label;
        }
    }

    private final String id;
    private final Kind kind;
    private final DeadLetterFilter filter;
    private final String actor;
    private final long expected;
    private final Instant startedAt;
    private final AtomicLong matched = new AtomicLong();
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private volatile Instant finishedAt;
    private volatile String problem;

    BulkJob(String id, Kind kind, DeadLetterFilter filter, String actor, long expected, Instant startedAt) {
        this.id = id;
        this.kind = kind;
        this.filter = filter;
        this.actor = actor;
        this.expected = expected;
        this.startedAt = startedAt;
    }

    public String id() {
        return id;
    }

    public Kind kind() {
        return kind;
    }

    public DeadLetterFilter filter() {
        return filter;
    }

    /** Who started it, as the audit log names users. */
    public String actor() {
        return actor;
    }

    /** How many messages the preview counted. */
    public long expected() {
        return expected;
    }

    /** The messages still dead and matching when the job reached them. */
    public long matched() {
        return matched.get();
    }

    /** Messages redriven or deleted. */
    public long done() {
        return done.get();
    }

    /** Matching messages another hand changed or removed before the job reached them; left alone. */
    public long skipped() {
        return skipped.get();
    }

    /** Messages the store refused to change for another reason. */
    public long failed() {
        return failed.get();
    }

    /** Messages dealt with so far, one way or another. */
    public long processed() {
        return done() + skipped() + failed();
    }

    /**
     * The size of the job as best known: the preview's count while the scan has not reached it
     * (messages may have died or been redriven since), then what the scan found.
     */
    public long total() {
        return isRunning() ? Math.max(expected, matched()) : matched();
    }

    public Instant startedAt() {
        return startedAt;
    }

    /** When it ended, or null while it runs. */
    public Instant finishedAt() {
        return finishedAt;
    }

    public boolean isRunning() {
        return finishedAt == null;
    }

    /** Why the job stopped before the end of its filter, or null. */
    public String problem() {
        return problem;
    }

    void matchedOne() {
        matched.incrementAndGet();
    }

    void succeeded() {
        done.incrementAndGet();
    }

    void skippedOne() {
        skipped.incrementAndGet();
    }

    void failedOne() {
        failed.incrementAndGet();
    }

    void finish(Instant at, String problem) {
        this.problem = problem;
        this.finishedAt = at;
    }

    @Override
    public String toString() {
        return "BulkJob[id=" + id + " kind=" + kind.verb + " queue=" + filter.queue() + " matched=" + matched()
                + " done=" + done() + " skipped=" + skipped() + " failed=" + failed() + (isRunning() ? " running" : " finished") + "]";
    }
}

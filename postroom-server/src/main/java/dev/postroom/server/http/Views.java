package dev.postroom.server.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.postroom.AttemptError;
import dev.postroom.Message;
import dev.postroom.MessageState;
import dev.postroom.QueueInfo;
import dev.postroom.QueuePolicy;
import dev.postroom.ReceivedMessage;
import dev.postroom.StateCounts;
import dev.postroom.TimelineEntry;
import dev.postroom.server.activity.Activity;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Response bodies of the API, shaped as API.md names them. */
final class Views {
    private Views() {
    }

    record Backoff(double initialSeconds, double maxSeconds, double multiplier) {
    }

    /** {@code rateLimit}, {@code perKey} and {@code maxRunSeconds} are null when the queue has none. */
    record Policy(int maxAttempts, Backoff backoff, double leaseSeconds, int concurrency, RateLimit rateLimit,
                  PerKey perKey, double retentionHours, double deadRetentionHours, Double maxRunSeconds, int maxSnoozes,
                  List<String> sensitiveFields, boolean encrypted, Double archiveHours) {
        static Policy of(QueuePolicy p) {
            return new Policy(p.maxAttempts(), new Backoff(seconds(p.backoff().initial()), seconds(p.backoff().max()),
                    p.backoff().multiplier()), seconds(p.lease()), p.concurrency(), RateLimit.of(p.rateLimit()),
                    PerKey.of(p.perKey()), seconds(p.retention()) / 3600, seconds(p.deadRetention()) / 3600,
                    p.maxRun() == null ? null : seconds(p.maxRun()), p.snoozeLimit(), p.sensitiveFields(),
                    p.encrypted(), p.archive() == null ? null : seconds(p.archive()) / 3600);
        }
    }

    record RateLimit(int count, double perSeconds) {
        static RateLimit of(dev.postroom.RateLimit r) {
            return r == null ? null : new RateLimit(r.count(), seconds(r.per()));
        }
    }

    /** {@code key} is {@code "header"} (the key is the value of {@code header}) or {@code "orderingKey"}. */
    record PerKey(String key, String header, Integer maxInFlight, RateLimit rateLimit) {
        static PerKey of(dev.postroom.KeyLimit k) {
            return k == null ? null : new PerKey(k.header() == null ? "orderingKey" : "header", k.header(), k.maxInFlight(),
                    RateLimit.of(k.rateLimit()));
        }
    }

    record Counts(long scheduled, long ready, long inFlight, long succeeded, long dead, long cancelled) {
        static Counts of(StateCounts c) {
            return new Counts(c.scheduled(), c.ready(), c.inFlight(), c.succeeded(), c.dead(), c.cancelled());
        }
    }

    /** {@code oldestReadyAgeSeconds}: how long the oldest READY (not leased) message has waited, 0 when none. */
    record Queue(String name, boolean paused, Policy policy, Counts counts, double oldestReadyAgeSeconds) {
        static Queue of(QueueInfo q, Instant now) {
            return new Queue(q.name(), q.paused(), Policy.of(q.policy()), Counts.of(q.counts()), ageSeconds(q, now));
        }
    }

    /** The age of the queue's oldest READY message in seconds, to the millisecond; 0 when none is ready. */
    static double ageSeconds(QueueInfo q, Instant now) {
        return q.oldestReadyAge(now).toMillis() / 1000.0;
    }

    /** Events per second, as {@link Activity#rates} measures them. */
    record Rates(double sent, double acked, double failed) {
        static Rates of(Activity.Rates r) {
            return new Rates(r.sent(), r.acked(), r.failed());
        }
    }

    record Queues(List<Queue> queues) {
    }

    /** {@code debounced}: the send went into the pending message of its debounce key, which {@code id} names. */
    record Sent(String id, MessageState state, boolean duplicate, boolean debounced) {
        static Sent of(dev.postroom.SendResult r) {
            return new Sent(r.id(), r.state(), r.duplicate(), r.debounced());
        }
    }

    /** {@code batchId} only when the messages were sent as a batch. */
    record SentBatch(List<Sent> results, @JsonInclude(JsonInclude.Include.NON_NULL) String batchId) {
        SentBatch(List<Sent> results) {
            this(results, null);
        }
    }

    record Received(String id, String queue, @JsonRawValue String payload, Map<String, String> headers, int attempt,
                    String leaseId, Instant leaseExpiresAt, Instant enqueuedAt,
                    @JsonInclude(JsonInclude.Include.NON_NULL) StepOf workflow) {
        static Received of(ReceivedMessage m, StepOf workflow) {
            return new Received(m.id(), m.queue(), m.payloadJson(), m.headers(), m.attempt(), m.leaseId(),
                    m.leaseExpiresAt(), m.enqueuedAt(), workflow);
        }
    }

    /**
     * The workflow a step message belongs to: its id, the step's name and the results of the steps
     * it followed (each as the JSON its handler returned), recorded when it was released.
     */
    record StepOf(String id, String step, Map<String, com.fasterxml.jackson.databind.JsonNode> results) {
    }

    record ReceivedBatch(List<Received> messages) {
    }

    record Progress(Integer percent, String note) {
    }

    record Error(int attempt, Instant at, String message, String detail) {
        static Error of(AttemptError e) {
            return new Error(e.attempt(), e.at(), e.message(), e.detail());
        }
    }

    record Transition(Instant at, MessageState state, String node, int attempt, String reason) {
        static Transition of(TimelineEntry t) {
            return new Transition(t.at(), t.state(), t.node(), t.attempt(), t.reason());
        }
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record FullMessage(String id, String queue, MessageState state, @JsonRawValue String payload, Map<String, String> headers,
                       int priority, String orderingKey, String idempotencyKey, int attempt, int maxAttempts,
                       Instant enqueuedAt, Instant notBefore, Instant expiresAt, Instant leaseExpiresAt,
                       @JsonRawValue String result, Progress progress, List<Error> errors, List<Transition> timeline,
                       String batchId, int snoozes, StepOf workflow) {
        static FullMessage of(Message m) {
            return of(m, null);
        }

        static FullMessage of(Message m, StepOf workflow) {
            return new FullMessage(m.id(), m.queue(), m.state(), m.payloadJson(), m.headers(), m.priority(), m.orderingKey(),
                    m.idempotencyKey(), m.attempt(), m.maxAttempts(), m.enqueuedAt(), m.notBefore(), m.expiresAt(),
                    m.leaseExpiresAt(), m.resultJson(),
                    m.progress() == null ? null : new Progress(m.progress().percent(), m.progress().note()),
                    m.errors().stream().map(Error::of).toList(), m.timeline().stream().map(Transition::of).toList(), m.batchId(),
                    m.snoozes(), workflow);
        }
    }

    record LeaseExpiry(Instant leaseExpiresAt) {
    }

    record Summary(String id, String queue, MessageState state, int priority, String orderingKey, int attempt,
                   int maxAttempts, Instant enqueuedAt, Instant updatedAt, String payloadPreview, String lastError,
                   String batchId) {
        static Summary of(dev.postroom.MessageSummary m) {
            return new Summary(m.id(), m.queue(), m.state(), m.priority(), m.orderingKey(), m.attempt(), m.maxAttempts(),
                    m.enqueuedAt(), m.updatedAt(), m.payloadPreview(), m.lastError(), m.batchId());
        }
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Page(List<Summary> messages, String next) {
    }

    record Purged(int purged) {
    }

    record Redriven(int redriven) {
    }

    static double seconds(java.time.Duration d) {
        return d.toMillis() / 1000.0;
    }
}

package dev.postroom;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.postroom.engine.JsonCodec;

import java.lang.reflect.Type;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A message leased to a pull consumer by {@link Postroom#receive}. Settle it with
 * {@link Postroom#ack}, {@link Postroom#nack} or {@link Postroom#deadLetter}, or keep it with
 * {@link Postroom#extend} before {@link #leaseExpiresAt()}; after that the lease is stale and the
 * message goes to another receiver. Read the payload as JSON text or decoded with
 * {@link #payload(Class)}.
 */
public final class ReceivedMessage {
    private final String id;
    private final String queue;
    private final String payloadJson;
    private final Map<String, String> headers;
    private final int attempt;
    private final int maxAttempts;
    private final String leaseId;
    private final Instant leaseExpiresAt;
    private final Instant enqueuedAt;
    private final String orderingKey;
    private final int priority;
    private final PayloadCodec codec;

    /**
     * @param id             message id
     * @param queue          queue name
     * @param payloadJson    payload as JSON text
     * @param headers        headers (empty when none)
     * @param attempt        this delivery's attempt number, starting at 1
     * @param maxAttempts    attempts allowed in all
     * @param leaseId        the lease to quote when settling
     * @param leaseExpiresAt when the lease ends unless extended
     * @param enqueuedAt     when it was sent
     * @param orderingKey    FIFO key or null
     * @param priority       0–9
     * @param codec          decodes the payload for {@link #payload(Type)}
     */
    public ReceivedMessage(String id, String queue, String payloadJson, Map<String, String> headers, int attempt,
                           int maxAttempts, String leaseId, Instant leaseExpiresAt, Instant enqueuedAt,
                           String orderingKey, int priority, PayloadCodec codec) {
        this.id = id;
        this.queue = queue;
        this.payloadJson = payloadJson;
        this.headers = Map.copyOf(headers);
        this.attempt = attempt;
        this.maxAttempts = maxAttempts;
        this.leaseId = leaseId;
        this.leaseExpiresAt = leaseExpiresAt;
        this.enqueuedAt = enqueuedAt;
        this.orderingKey = orderingKey;
        this.priority = priority;
        this.codec = Objects.requireNonNull(codec, "codec");
    }

    /** The message id. */
    public String id() {
        return id;
    }

    /** The queue it came from. */
    public String queue() {
        return queue;
    }

    /** The payload as JSON text. */
    public String payloadJson() {
        return payloadJson;
    }

    /**
     * The payload decoded into {@code type} with the Postroom's {@link PayloadCodec}.
     *
     * @throws InvalidMessageException naming {@code payload} when it does not fit the type; no
     *                                 retry can fix that, so {@link Postroom#deadLetter} it
     */
    public <T> T payload(Class<T> type) {
        return payload((Type) type);
    }

    /** The payload decoded into a generic type, e.g. {@code new TypeReference<List<Line>>() {}}. */
    public <T> T payload(TypeReference<T> type) {
        return payload(type.getType());
    }

    /** The payload decoded into {@code type}, a class or a parameterized type. */
    @SuppressWarnings("unchecked")
    public <T> T payload(Type type) {
        try {
            return (T) codec.decode(payloadJson, type);
        } catch (Exception e) {
            throw new InvalidMessageException("payload", "cannot be read as " + type.getTypeName() + ": " + JsonCodec.describe(e), e);
        }
    }

    /** Headers sent with the message (empty when none). */
    public Map<String, String> headers() {
        return headers;
    }

    /** This delivery's attempt number, starting at 1. */
    public int attempt() {
        return attempt;
    }

    /** Attempts allowed in all. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** The lease to quote when settling. */
    public String leaseId() {
        return leaseId;
    }

    /** When the lease ends unless extended. */
    public Instant leaseExpiresAt() {
        return leaseExpiresAt;
    }

    /** When it was sent. */
    public Instant enqueuedAt() {
        return enqueuedAt;
    }

    /** FIFO key, or null. */
    public String orderingKey() {
        return orderingKey;
    }

    /** 0–9. */
    public int priority() {
        return priority;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReceivedMessage m && id.equals(m.id) && leaseId.equals(m.leaseId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, leaseId);
    }

    @Override
    public String toString() {
        return "ReceivedMessage[id=" + id + ", queue=" + queue + ", attempt=" + attempt + "/" + maxAttempts
                + ", leaseExpiresAt=" + leaseExpiresAt + "]";
    }
}

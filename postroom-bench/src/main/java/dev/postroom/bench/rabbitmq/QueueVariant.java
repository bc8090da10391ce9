package dev.postroom.bench.rabbitmq;

import java.util.Map;

/**
 * The RabbitMQ set-ups measured against Postroom: durable queues, persistent messages, publisher
 * confirms, manual acks. Classic queues v2 are left out on purpose: on 3.10 they confirm a
 * persistent message before it is fsynced, so they would not be measuring the same promise.
 */
public enum QueueVariant {
    /** A quorum queue (Raft log, fsynced before the confirm), each delivery acked on its own. */
    QUORUM_ACK_EACH("quorum (ack each)", Map.of("x-queue-type", "quorum"), 1),
    /** The same quorum queue, every 16th delivery acked with {@code multiple=true}, plus the remainder. */
    QUORUM_ACK_16("quorum (ack 16 at once)", Map.of("x-queue-type", "quorum"), 16),
    /** A durable classic queue, version 1 index and message store (fsync before the confirm), acks one by one. */
    CLASSIC_V1("classic v1", Map.of("x-queue-version", 1), 1);

    private final String label;
    private final Map<String, Object> arguments;
    private final int ackEvery;

    QueueVariant(String label, Map<String, Object> arguments, int ackEvery) {
        this.label = label;
        this.arguments = arguments;
        this.ackEvery = ackEvery;
    }

    /** How result lines name it, e.g. {@code quorum (ack each)}. */
    public String label() {
        return label;
    }

    Map<String, Object> arguments() {
        return arguments;
    }

    int ackEvery() {
        return ackEvery;
    }
}

package dev.postroom.bench.rabbitmq;

/**
 * One timed RabbitMQ throughput run.
 *
 * @param variant           the queue set-up measured
 * @param messages          messages published, confirmed, delivered and acked in the timed part
 * @param seconds           from the first publish until the consumer's last ack reached the broker
 * @param messagesPerSecond {@code messages / seconds}
 * @param bytesPerMessage   bytes the broker's VM wrote to storage during the timed part, per message
 * @param notes             set-up needed to read the number (version, prefetch, confirms, warm-up)
 */
public record RabbitResult(QueueVariant variant, long messages, double seconds, double messagesPerSecond, double bytesPerMessage,
                           String notes) {
}

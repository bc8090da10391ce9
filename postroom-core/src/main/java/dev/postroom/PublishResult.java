package dev.postroom;

import java.util.List;

/**
 * What a durable publish stored: one delivery per subscription whose filter matched, by
 * subscription name; none when no subscription matched.
 */
public record PublishResult(String topic, List<TopicDelivery> deliveries) {
    public PublishResult {
        deliveries = List.copyOf(deliveries);
    }
}

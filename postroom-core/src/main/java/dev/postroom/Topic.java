package dev.postroom;

import java.time.Instant;
import java.util.List;

/**
 * A topic: a name that messages are published to, and the subscriptions that each receive a copy
 * of every published message their filter matches. See {@link Topics}.
 *
 * @param subscriptions by name
 */
public record Topic(String name, Instant createdAt, List<Subscription> subscriptions) {
    public Topic {
        subscriptions = List.copyOf(subscriptions);
    }
}

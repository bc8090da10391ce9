package dev.postroom.engine;

import dev.postroom.QueueNotFoundException;
import dev.postroom.store.MessageStore;
import dev.postroom.store.StoredQueue;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A cache of queues and their policies in front of the store, so that a send does not read the
 * queue row. Misses go to the store (another node may have created the queue); {@link #refresh}
 * runs on the maintenance timer to pick up changes made elsewhere.
 */
public final class QueueCatalog {
    private final MessageStore store;
    private final Map<String, StoredQueue> queues = new ConcurrentHashMap<>();

    public QueueCatalog(MessageStore store) {
        this.store = store;
        refresh();
    }

    /** The queue, or {@link QueueNotFoundException}. */
    public StoredQueue require(String name) {
        return find(name).orElseThrow(() -> new QueueNotFoundException(name));
    }

    public Optional<StoredQueue> find(String name) {
        StoredQueue queue = queues.get(name);
        if (queue != null) {
            return Optional.of(queue);
        }
        Optional<StoredQueue> loaded = store.queue(name);
        loaded.ifPresent(q -> queues.put(name, q));
        return loaded;
    }

    /** Forgets one queue so that the next lookup reads the store. */
    public void invalidate(String name) {
        queues.remove(name);
    }

    /** Reloads every queue from the store. */
    public void refresh() {
        Map<String, StoredQueue> fresh = new ConcurrentHashMap<>();
        store.queues().forEach(q -> fresh.put(q.name(), q));
        queues.keySet().retainAll(fresh.keySet());
        queues.putAll(fresh);
    }

    public Iterable<StoredQueue> all() {
        return queues.values();
    }

    /** The snoozes a message of {@code queue} may take ({@link dev.postroom.QueuePolicy#snoozeLimit()}), the default for an unknown queue. */
    public int snoozeLimit(String queue) {
        return find(queue).map(q -> q.policy().snoozeLimit()).orElse(dev.postroom.QueuePolicy.DEFAULT_MAX_SNOOZES);
    }

    /** The payload fields {@code queue}'s policy marks as sensitive; none for an unknown queue. */
    public java.util.List<String> sensitiveFields(String queue) {
        return find(queue).map(q -> q.policy().sensitiveFields()).orElse(java.util.List.of());
    }
}
